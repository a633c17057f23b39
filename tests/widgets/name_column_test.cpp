// NameColumn: a tree view's names keep at least 16 characters (or their own
// width) while the other columns scroll sideways, and fill what a wide view
// leaves.
#include <QCoreApplication>
#include <QHeaderView>
#include <QScrollBar>
#include <QStandardItemModel>
#include <QTreeView>

#include <gtest/gtest.h>

#include "widgets/name_column.h"

namespace rnnpool::widgets {
namespace {

void settle()
{
    for (int i = 0; i < 5; ++i)
        QCoreApplication::processEvents();
}

class NameColumnTest : public ::testing::Test {
protected:
    void fill(const QString& name)
    {
        model.clear();
        model.setHorizontalHeaderLabels({QStringLiteral("Layer"), QStringLiteral("Output (W×H×C)"),
                                         QStringLiteral("MAdds"), QStringLiteral("Bytes")});
        for (int r = 0; r < 5; ++r)
            model.appendRow({new QStandardItem(name + QString::number(r)), new QStandardItem(QStringLiteral("128×150×4")),
                             new QStandardItem(QStringLiteral("15,912,960")), new QStandardItem(QStringLiteral("151,552"))});
        for (int c = 0; c < model.columnCount(); ++c)
            view.resizeColumnToContents(c);
        names->fit();
        settle();
    }
    int others() const { return view.columnWidth(1) + view.columnWidth(2) + view.columnWidth(3); }

    QStandardItemModel model;
    QTreeView view;
    NameColumn* names = new NameColumn(&view, 16);
    void SetUp() override
    {
        view.setModel(&model);
        view.resize(260, 200);
        view.show();
    }
};

TEST_F(NameColumnTest, ANarrowViewScrollsTheFiguresAndKeepsTheNames)
{
    fill(QStringLiteral("features.2.0.block.1.conv."));
    const int sixteen = view.fontMetrics().averageCharWidth() * 16;
    ASSERT_GT(others(), view.viewport()->width() - sixteen) << "the view must be too narrow for both";
    EXPECT_GE(names->floorWidth(), sixteen);
    EXPECT_EQ(view.columnWidth(0), names->floorWidth());
    EXPECT_GT(view.horizontalScrollBar()->maximum(), 0) << "the figures scroll";
}

TEST_F(NameColumnTest, AWideViewGivesTheNamesWhatTheFiguresLeave)
{
    fill(QStringLiteral("features.2.0.block.1.conv."));
    view.resize(900, 200);
    settle();
    EXPECT_EQ(view.columnWidth(0) + others(), view.viewport()->width());
    EXPECT_GT(view.columnWidth(0), names->floorWidth());
    EXPECT_EQ(view.horizontalScrollBar()->maximum(), 0);
}

TEST_F(NameColumnTest, ShortNamesNeedNoMoreThanTheirWidth)
{
    fill(QStringLiteral("c"));
    EXPECT_LT(names->floorWidth(), view.fontMetrics().averageCharWidth() * 16);
    EXPECT_GE(view.columnWidth(0), names->floorWidth());
}

} // namespace
} // namespace rnnpool::widgets
