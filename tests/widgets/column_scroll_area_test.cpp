// ColumnScrollArea: panels keep their minimum heights and the page scrolls;
// a panel kept in view stays at the top of the view while the panels above
// it change height, until the user scrolls.
#include <QCoreApplication>
#include <QLabel>
#include <QScrollBar>
#include <QVBoxLayout>

#include <gtest/gtest.h>

#include "widgets/column_scroll_area.h"

namespace rnnpool::widgets {
namespace {

class ColumnScrollAreaTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        auto* column = new QWidget;
        auto* layout = new QVBoxLayout(column);
        top = new QWidget(column);
        top->setMinimumHeight(400);
        bottom = new QWidget(column);
        bottom->setMinimumHeight(300);
        layout->addWidget(top);
        layout->addWidget(bottom);
        page.setWidget(column);
        page.resize(300, 250);
        page.show();
        settle();
    }
    static void settle()
    {
        for (int i = 0; i < 5; ++i)
            QCoreApplication::processEvents();
    }
    // Where the bottom panel's top is in the view (0: at the view's top edge).
    int bottomInView() const { return bottom->mapTo(page.viewport(), QPoint(0, 0)).y(); }

    ColumnScrollArea page;
    QWidget* top = nullptr;
    QWidget* bottom = nullptr;
};

TEST_F(ColumnScrollAreaTest, ScrollsRatherThanSqueezingThePanels)
{
    EXPECT_GE(top->height(), 400);
    EXPECT_GE(bottom->height(), 300);
    EXPECT_GT(page.verticalScrollBar()->maximum(), 0);
    EXPECT_EQ(page.widget()->width(), page.viewport()->width()) << "no horizontal scrolling";
    // As wide as the content's minimum, beside the scroll bar; not as tall.
    auto* wide = new QLabel(QStringLiteral("a label that does not wrap and so sets the column's width"));
    page.widget()->layout()->addWidget(wide);
    settle();
    EXPECT_GE(page.minimumSizeHint().width(), wide->minimumSizeHint().width() + page.verticalScrollBar()->sizeHint().width());
    EXPECT_LT(page.minimumSizeHint().height(), 200);
}

TEST_F(ColumnScrollAreaTest, AKeptPanelFollowsTheLayoutUntilTheUserScrolls)
{
    ASSERT_EQ(page.verticalScrollBar()->value(), 0);
    page.keepInView(bottom);
    settle();
    EXPECT_EQ(bottomInView(), 0);
    // The panel above grows (a longer text): the kept panel moves down; the view follows it.
    top->setMinimumHeight(700);
    settle();
    EXPECT_GE(top->height(), 700);
    EXPECT_EQ(bottomInView(), 0);
    // It shrinks: the kept panel moves up, and so does the view.
    top->setMinimumHeight(350);
    settle();
    EXPECT_LT(bottom->y(), 400);
    EXPECT_EQ(bottomInView(), 0);
    // The user scrolls: following ends, and a later change leaves the view where the user put it.
    page.verticalScrollBar()->triggerAction(QAbstractSlider::SliderToMinimum);
    EXPECT_EQ(page.keptInView(), nullptr);
    top->setMinimumHeight(900);
    settle();
    EXPECT_EQ(page.verticalScrollBar()->value(), 0);
}

} // namespace
} // namespace rnnpool::widgets
