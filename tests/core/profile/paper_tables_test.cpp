// The paper's Tables 1, 3, 4 and 5 beside our figures: every figure not
// marked "not reproduced" must agree within its tolerance (peak RAM 1%,
// parameters 3%, MAdds 10%, plus half the last printed digit), and every
// marked one must really differ, so a mark cannot outlive its reason.
#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "profile/paper_tables.h"

namespace rnnpool {
namespace {

TEST(PaperTables, OurFiguresAgreeWithThePaperOrSayWhyNot)
{
    auto figures = loadPaperFigures(paperTablesFile());
    ASSERT_TRUE(figures) << figures.error();
    std::set<std::string> tables;
    int agreeing = 0;
    for (const PaperFigure& f : *figures) {
        SCOPED_TRACE("table " + f.table + ", " + f.row + ", " + f.column);
        tables.insert(f.table);
        auto c = comparePaperFigure(f);
        ASSERT_TRUE(c) << c.error();
        if (f.notReproduced.empty()) {
            EXPECT_TRUE(c->agrees) << "paper " << c->paper << " " << f.unit << ", ours " << c->ours << ", tolerance " << c->tolerance;
            ++agreeing;
        } else {
            EXPECT_FALSE(c->agrees) << "marked not reproduced, yet ours (" << c->ours << ") agrees with " << c->paper;
        }
    }
    EXPECT_EQ(tables, (std::set<std::string>{"1", "3", "4", "5"}));
    EXPECT_GE(agreeing, 30);
}

TEST(PaperTables, PeakRamUsesThePapersMegabyteAndSchedule)
{
    // Table 1, Standard Calculation, MobileNetV2: E.2.2's first MBConv block, 112x112x(32+16) floats
    // (2,408,448 B = 2.297 MB) plus its scratch of one depthwise row.
    PaperFigure f;
    f.table = "1";
    f.arch = "mobilenetv2";
    f.quantity = "peak_ram";
    f.printed = "2.29";
    f.unit = "MB";
    f.classes = 10;
    auto c = comparePaperFigure(f);
    ASSERT_TRUE(c) << c.error();
    EXPECT_DOUBLE_EQ(c->ours, (112.0 * 112.0 * 48.0 + 112.0) * 4.0 / (1024.0 * 1024.0));
    EXPECT_TRUE(c->agrees);
}

TEST(PaperTables, ABrokenDataFileIsAMessage)
{
    const auto path = std::filesystem::temp_directory_path() / "rnnpool_bad_tables.json";
    std::ofstream(path) << R"({"tables": [{"table": "1", "rows": [{"row": "x", "column": "y", "arch": "resnet18",
                            "quantity": "speed", "value": "1", "unit": "M"}]}]})";
    auto figures = loadPaperFigures(path);
    ASSERT_FALSE(figures);
    EXPECT_NE(figures.error().find("speed"), std::string::npos) << figures.error();
    EXPECT_NE(figures.error().find("table 1"), std::string::npos) << figures.error();
    std::filesystem::remove(path);
}

} // namespace
} // namespace rnnpool
