// The int8 kernels on the emulated Cortex-M4 (their __ARM_FEATURE_DSP paths)
// against the desktop build of the same sources, bit for bit, on random seeded
// cases of every kernel the int8 engine calls; and a differing value is caught.
#include <gtest/gtest.h>

#include "m4/firmware_test_support.h"
#include "mcu/int8_firmware_check.h"

namespace rnnpool {
namespace {

TEST(Int8OnQemu, EveryKernelIsBitExactWithTheDesktopOnTwoSeeds)
{
    RNNPOOL_REQUIRE_QEMU();
    for (uint32_t seed : {1u, 20261204u}) {
        Int8FirmwareCheckOptions options;
        options.seed = seed;
        options.projectDir = testing::makeTempDir("rnnpool-check-int8");
        auto check = runInt8FirmwareCheck(options);
        ASSERT_TRUE(check) << check.error();
        ASSERT_EQ(check->cases.size(), 16u);
        for (const Int8FirmwareCase& c : check->cases) {
            EXPECT_GT(c.values, 0) << c.name;
            EXPECT_EQ(c.matching, c.values) << c.name << " seed " << seed << ": first mismatch at " << c.firstMismatch;
            EXPECT_GT(c.instructions, 0u) << c.name;
            // An int8 MAC cannot take less than a fraction of an instruction, even with SMLAD.
            if (c.macs > 0) {
                EXPECT_GT(c.instructions, c.macs / 4) << c.name;
            }
        }
        std::filesystem::remove_all(*options.projectDir);
    }
}

TEST(Int8OnQemu, AChangedDesktopValueIsCaught)
{
    RNNPOOL_REQUIRE_QEMU();
    Int8FirmwareCheckOptions options;
    options.perturbFirstCaseAt = 321;
    options.projectDir = testing::makeTempDir("rnnpool-check-int8-bad");
    auto check = runInt8FirmwareCheck(options);
    ASSERT_TRUE(check) << check.error();
    EXPECT_FALSE(check->allExact());
    EXPECT_EQ(check->cases[0].matching, check->cases[0].values - 1);
    EXPECT_EQ(check->cases[0].firstMismatch, 321);
    for (size_t i = 1; i < check->cases.size(); ++i)
        EXPECT_TRUE(check->cases[i].exact()) << check->cases[i].name;
    std::filesystem::remove_all(*options.projectDir);
}

} // namespace
} // namespace rnnpool
