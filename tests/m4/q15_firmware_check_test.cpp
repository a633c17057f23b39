// EdgeML's integer RNNPool on the emulated Cortex-M4, bit for bit against the
// goldens in ../shared/reference/edgeml-q15 (all four cases, 64 patches each),
// and the check's ability to fail: one golden value changed must be caught at
// its index. One firmware build serves every test here (the project folder is
// shared and its build reused).
#include <fstream>

#include <gtest/gtest.h>

#include "io/npy.h"
#include "m4/firmware_test_support.h"
#include "mcu/q15_firmware_check.h"
#include "support/shared_data.h"

namespace rnnpool {
namespace {

namespace fs = std::filesystem;

fs::path q15GoldenDir() { return testing::sharedDir() / "reference" / "edgeml-q15"; }

const fs::path& sharedProjectDir()
{
    static const fs::path dir = testing::makeTempDir("rnnpool-check-q15");
    return dir;
}

TEST(Q15OnQemu, AllFourCasesAreBitExactWithEdgeML)
{
    RNNPOOL_REQUIRE_SHARED();
    RNNPOOL_REQUIRE_QEMU();
    Q15FirmwareCheckOptions options;
    options.projectDir = sharedProjectDir();
    auto check = runQ15FirmwareCheck(q15GoldenDir(), options);
    ASSERT_TRUE(check) << check.error();
    ASSERT_EQ(check->cases.size(), 4u);
    for (const Q15FirmwareCase& c : check->cases) {
        EXPECT_EQ(c.patches, 64) << c.name;
        EXPECT_EQ(c.total, 64 * 32) << c.name;
        EXPECT_EQ(c.matching, c.total) << c.name << ": first mismatch at value " << c.firstMismatch;
        // 256 RNN1 steps and 32 RNN2 steps per patch cannot take fewer than a few thousand instructions.
        EXPECT_GT(c.instructionsPerPatch, 2000.0) << c.name;
        EXPECT_LT(c.instructionsPerPatch, 1e7) << c.name;
    }
    EXPECT_TRUE(check->allExact());
    EXPECT_GT(check->stackHighWaterBytes, 0u);
    EXPECT_LT(check->stackHighWaterBytes, check->build.stackReservedBytes);
}

TEST(Q15OnQemu, AChangedGoldenValueIsCaughtAtItsIndex)
{
    RNNPOOL_REQUIRE_SHARED();
    RNNPOOL_REQUIRE_QEMU();
    const fs::path copy = testing::makeTempDir("rnnpool-q15-golden");
    for (const auto& e : fs::directory_iterator(q15GoldenDir()))
        if (e.path().extension() == ".npy") {
            fs::copy_file(e.path(), copy / e.path().filename());
            fs::permissions(copy / e.path().filename(), fs::perms::owner_read | fs::perms::owner_write);
        }
    auto golden = readNpy(copy / "q7_shift_output.npy");
    ASSERT_TRUE(golden) << golden.error();
    constexpr int kChanged = 1234;
    golden->data()[kChanged] += 1.0f;
    // Written back as int16, as the goldens are.
    {
        auto bytes = encodeNpy(*golden);
        ASSERT_TRUE(bytes);
        std::string text = *bytes;
        const size_t descr = text.find("'<f4'");
        ASSERT_NE(descr, std::string::npos);
        text.replace(descr, 5, "'<i2'");
        const size_t headerEnd = text.find('\n') + 1;
        std::string body;
        for (int64_t i = 0; i < golden->numel(); ++i) {
            const auto v = static_cast<int16_t>(golden->data()[i]);
            body += static_cast<char>(v & 0xff);
            body += static_cast<char>((v >> 8) & 0xff);
        }
        std::ofstream(copy / "q7_shift_output.npy", std::ios::binary | std::ios::trunc)
            << text.substr(0, headerEnd) << body;
    }
    Q15FirmwareCheckOptions options;
    options.projectDir = sharedProjectDir();
    auto check = runQ15FirmwareCheck(copy, options);
    ASSERT_TRUE(check) << check.error();
    ASSERT_EQ(check->cases.size(), 4u);
    EXPECT_TRUE(check->cases[0].exact());
    EXPECT_TRUE(check->cases[1].exact());
    EXPECT_TRUE(check->cases[2].exact());
    EXPECT_FALSE(check->cases[3].exact());
    EXPECT_EQ(check->cases[3].matching, check->cases[3].total - 1);
    EXPECT_EQ(check->cases[3].firstMismatch, kChanged);
    EXPECT_FALSE(check->allExact());
    fs::remove_all(copy);
}

TEST(Q15OnQemu, ABoardWithoutEmulatorIsBuiltAndSizedOnly)
{
    RNNPOOL_REQUIRE_SHARED();
    RNNPOOL_REQUIRE_CROSS_TOOLCHAIN();
    Q15FirmwareCheckOptions options;
    options.board = "stm32f439zi";
    options.projectDir = testing::makeTempDir("rnnpool-check-q15-f439");
    auto check = runQ15FirmwareCheck(q15GoldenDir(), options);
    ASSERT_TRUE(check) << check.error();
    EXPECT_FALSE(check->ran());
    EXPECT_TRUE(check->cases.empty());
    ASSERT_NE(check->build.region("FLASH"), nullptr);
    EXPECT_EQ(check->build.region("FLASH")->capacityBytes, 2048u * 1024u);
    EXPECT_GT(check->build.region("FLASH")->usedBytes, 1000u);
    EXPECT_EQ(check->build.region("SRAM")->capacityBytes, 192u * 1024u);
    fs::remove_all(*options.projectDir);
}

TEST(Q15OnQemu, AMissingGoldenFileIsNamed)
{
    const fs::path empty = testing::makeTempDir("rnnpool-q15-empty");
    auto check = runQ15FirmwareCheck(empty, {});
    ASSERT_FALSE(check);
    EXPECT_NE(check.error().find("'rnn1_W.npy' is missing"), std::string::npos) << check.error();
    fs::remove_all(empty);
}

} // namespace
} // namespace rnnpool
