// ColumnScrollArea: a page of stacked panels that scrolls up and down only. It
// is as wide as its content's minimum width (so the window's splitter and
// docks leave it that much) and as short as the window allows; where the
// panels need more height than there is, it scrolls instead of squeezing
// their charts and tables. keepInView(panel) brings a panel's top to the top
// of the view (or as near as the scroll range allows) and keeps it there
// while the panels' text changes height, until the user scrolls.
//
//   auto* page = new ColumnScrollArea;
//   page->setWidget(column);  // a QWidget with a QVBoxLayout of panels
//   page->keepInView(resultPanel);
#pragma once

#include <QPointer>
#include <QScrollArea>

namespace rnnpool::widgets {

class ColumnScrollArea final : public QScrollArea {
    Q_OBJECT

public:
    explicit ColumnScrollArea(QWidget* parent = nullptr);

    QSize minimumSizeHint() const override;
    // `panel`: a child of the content widget.
    void keepInView(QWidget* panel);
    QWidget* keptInView() const { return m_kept; }

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void follow();

    QPointer<QWidget> m_kept;
};

} // namespace rnnpool::widgets
