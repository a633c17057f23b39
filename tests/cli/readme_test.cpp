// The README's figures against the commands that produce them, where that is
// cheap: the zoo listing is `rnnpool zoo` line for line, and the speed-up
// range of the introduction is the range of the Speed table's paired column.
#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace rnnpool {
namespace {

std::string readme()
{
    std::ifstream in(std::string(RNNPOOL_SOURCE_DIR) + "/README.md");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string run(const std::string& args)
{
    FILE* pipe = popen((std::string(RNNPOOL_CLI) + " " + args + " 2>/dev/null").c_str(), "r");
    std::string out;
    if (!pipe)
        return out;
    std::array<char, 4096> buf{};
    while (size_t n = fread(buf.data(), 1, buf.size(), pipe))
        out.append(buf.data(), n);
    pclose(pipe);
    return out;
}

TEST(Readme, TheZooListingIsWhatRnnpoolZooPrints)
{
    const std::string text = readme();
    ASSERT_FALSE(text.empty());
    const std::string marker = "`rnnpool zoo` (every line as it prints";
    const auto at = text.find(marker);
    ASSERT_NE(at, std::string::npos) << "the README has no zoo listing";
    const auto open = text.find("```\n", at);
    ASSERT_NE(open, std::string::npos);
    const auto close = text.find("```", open + 4);
    ASSERT_NE(close, std::string::npos);
    EXPECT_EQ(text.substr(open + 4, close - open - 4), run("zoo"));
}

TEST(Readme, TheIntroductionsSpeedUpIsTheSpeedTablesRange)
{
    const std::string text = readme();
    std::smatch intro;
    ASSERT_TRUE(std::regex_search(text, intro, std::regex(R"(It is ([0-9.]+)–([0-9.]+)× faster than a PyTorch)")))
        << "the introduction states no speed-up range";
    // Rows of the Speed table: "| RPool_Face_... | ... | 53.8× (39.7–73.9) | ...".
    std::vector<double> paired;
    const std::regex row(R"(\n\| RPool_Face_[^|]+\|[^|]+\|[^|]+\|[^|]+\|[^|]+\| ([0-9.]+)× \()");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), row); it != std::sregex_iterator(); ++it)
        paired.push_back(std::stod((*it)[1]));
    ASSERT_EQ(paired.size(), 4u) << "the Speed table's four face detectors";
    EXPECT_DOUBLE_EQ(std::stod(intro[1]), *std::min_element(paired.begin(), paired.end()));
    EXPECT_DOUBLE_EQ(std::stod(intro[2]), *std::max_element(paired.begin(), paired.end()));
}

} // namespace
} // namespace rnnpool
