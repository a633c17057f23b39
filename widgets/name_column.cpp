#include "widgets/name_column.h"

#include <algorithm>

#include <QEvent>
#include <QHeaderView>
#include <QTreeView>

namespace rnnpool::widgets {

NameColumn::NameColumn(QTreeView* view, int minChars)
    : QObject(view)
    , m_view(view)
    , m_minChars(minChars)
{
    view->header()->setStretchLastSection(false);
    view->header()->setSectionResizeMode(QHeaderView::Interactive);
    view->viewport()->installEventFilter(this);
}

int NameColumn::floorWidth() const
{
    const int chars = m_view->fontMetrics().averageCharWidth() * m_minChars + m_view->indentation();
    return std::min(chars, std::max(static_cast<const QAbstractItemView*>(m_view)->sizeHintForColumn(0), m_view->header()->sectionSizeHint(0)));
}

void NameColumn::fit()
{
    const QHeaderView* header = m_view->header();
    if (header->count() == 0)
        return;
    int others = 0;
    for (int c = 1; c < header->count(); ++c)
        if (!header->isSectionHidden(c))
            others += header->sectionSize(c);
    m_view->setColumnWidth(0, std::max(floorWidth(), m_view->viewport()->width() - others));
}

bool NameColumn::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_view->viewport() && event->type() == QEvent::Resize)
        fit();
    return QObject::eventFilter(watched, event);
}

} // namespace rnnpool::widgets
