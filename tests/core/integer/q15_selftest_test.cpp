// q15_selftest.c (plain C, also built into firmware by hand: see its header)
// as a test of the desktop build: the fused EdgeML block against its scalar
// reference on 2000 random blocks, and our int8-map RNNPool kernel (sweep
// sharing between overlapping patches, the fast cells) against the per-patch
// reference on 300 random maps with every stride from 1 to the patch size.
// The checksums are the ones the same file printed on the emulated Cortex-M4
// (QEMU netduinoplus2, arm-none-eabi-gcc -O2, the SMLALD/SMLAD row-major
// paths), so equal values also say that the two paths give the same bits.
#include <cstdint>

#include <gtest/gtest.h>

extern "C" int rp_q15_selftest(int iterations, uint32_t* checksum);
extern "C" int rp_q15_selftest_s8(int iterations, uint32_t* checksum);

namespace {

TEST(Q15SelfTest, BlocksAndMapsMatchTheirReferencesAndTheCortexM4)
{
    uint32_t checksum = 0;
    EXPECT_EQ(rp_q15_selftest(2000, &checksum), 0);
    EXPECT_EQ(checksum, 0x5f123921u);
    uint32_t checksum8 = 0;
    EXPECT_EQ(rp_q15_selftest_s8(300, &checksum8), 0);
    EXPECT_EQ(checksum8, 0xfe9da134u);
}

} // namespace
