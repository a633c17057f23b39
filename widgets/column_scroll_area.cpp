#include "widgets/column_scroll_area.h"

#include <algorithm>

#include <QEvent>
#include <QScrollBar>

namespace rnnpool::widgets {

ColumnScrollArea::ColumnScrollArea(QWidget* parent)
    : QScrollArea(parent)
{
    setWidgetResizable(true);
    setFrameShape(QFrame::NoFrame);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    // Always there: a bar that comes and goes changes the width the text wraps at, and so the height.
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOn);
    // The range grows after the panel's text is laid out; the user's own scrolling ends the following.
    connect(verticalScrollBar(), &QScrollBar::rangeChanged, this, &ColumnScrollArea::follow);
    connect(verticalScrollBar(), &QScrollBar::actionTriggered, this, [this] { keepInView(nullptr); });
}

QSize ColumnScrollArea::minimumSizeHint() const
{
    // The content's width beside the vertical scroll bar; the scroll area's own small height.
    const QSize own = QScrollArea::minimumSizeHint();
    if (!widget())
        return own;
    const int width = widget()->minimumSizeHint().width() + verticalScrollBar()->sizeHint().width() + 2 * frameWidth();
    return {std::max(own.width(), width), own.height()};
}

void ColumnScrollArea::keepInView(QWidget* panel)
{
    if (m_kept)
        m_kept->removeEventFilter(this);
    m_kept = panel;
    if (!panel)
        return;
    panel->installEventFilter(this); // its Move: the panels above it grew or shrank
    follow();
}

bool ColumnScrollArea::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_kept && event->type() == QEvent::Move)
        follow();
    return QScrollArea::eventFilter(watched, event);
}

void ColumnScrollArea::follow()
{
    if (m_kept && widget())
        verticalScrollBar()->setValue(m_kept->mapTo(widget(), QPoint(0, 0)).y());
}

} // namespace rnnpool::widgets
