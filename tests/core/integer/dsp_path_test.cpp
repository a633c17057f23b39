// The Cortex-M4 path of the int8 dot products (pairs of int8 widened by
// SXTB16, summed by SMLAD; or int8 weights against vectors widened once by
// rp_widen_s8 in SXTB16's order), run on the host through C models of the two
// instructions, against plain loops: the pairing and the tails must give the
// same sums. (On the chip itself the instructions are the compiler's.)
#include <cstdint>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#define RP_EMULATE_DSP 1
#include "integer/dot_s8.h"

namespace {

TEST(DspPath, DotProductsEqualPlainLoops)
{
#ifndef RP_USE_DSP
    FAIL() << "the DSP path is not compiled in";
#endif
    // The models: bytes 0 (0x01) and 2 (0xFF, -1) sign-extended; 10 + (-1)(5) + (2)(3).
    EXPECT_EQ(rp_sxtb16(0x80FF7F01u), 0xFFFF0001u);
    EXPECT_EQ(rp_smlad(0x0002FFFFu, 0x00030005u, 10), 11);
    std::mt19937 rng(12);
    std::uniform_int_distribution<int> byte(-128, 127), length(0, 300);
    for (int t = 0; t < 2000; ++t) {
        const int n = length(rng);
        std::vector<int8_t> x(static_cast<size_t>(n) + 1), w(4 * static_cast<size_t>(n) + 1);
        for (auto& v : x)
            v = static_cast<int8_t>(t < 10 ? (t % 2 ? -128 : 127) : byte(rng));
        for (auto& v : w)
            v = static_cast<int8_t>(t < 10 ? -128 : byte(rng));
        int32_t expected[4] = {0, 0, 0, 0};
        for (int j = 0; j < 4; ++j)
            for (int i = 0; i < n; ++i)
                expected[j] += int32_t{x[static_cast<size_t>(i)]} * w[static_cast<size_t>(j * n + i)];
        // Unaligned starts too (offset 1), as the kernels' rows may be.
        ASSERT_EQ(rp_dot_s8(x.data(), w.data(), n), expected[0]) << n;
        int32_t got[4];
        rp_dot4_s8(x.data(), w.data(), n, got);
        for (int j = 0; j < 4; ++j)
            ASSERT_EQ(got[j], expected[j]) << n << " row " << j;
        // Four vectors (w's rows) widened once, against one row of weights (x).
        std::vector<int16_t> wide(4 * static_cast<size_t>(n) + 1);
        rp_widen4_s8(w.data(), n, 0, wide.data());
        rp_dot4_wide_s8(x.data(), wide.data(), n, got);
        for (int j = 0; j < 4; ++j)
            ASSERT_EQ(got[j], expected[j]) << n << " widened row " << j;
        for (int j = 0; j < 4; ++j) // one vector of the block where rp_wide_group / rp_wide_tail place it
            for (int i = 0; i < n; ++i) {
                const int16_t* at = i < (n & ~3) ? rp_wide_group(wide.data(), j, 4, n, i / 4) : rp_wide_tail(wide.data(), j, 4, n);
                static const int kLane[4] = {0, 2, 1, 3};
                ASSERT_EQ(at[i < (n & ~3) ? kLane[i % 4] : i - (n & ~3)], w[static_cast<size_t>(j * n + i)]) << n << " " << j << " " << i;
            }
        rp_widen_s8(w.data() + n, n, 0, wide.data());
        ASSERT_EQ(rp_dot_wide_s8(x.data(), wide.data(), n), expected[1]) << n;
        // With an offset folded into the widened values: sum (w + off) x.
        const int32_t off = std::uniform_int_distribution<int32_t>(-128, 128)(rng);
        int32_t offsetSum = 0;
        for (int i = 0; i < n; ++i)
            offsetSum += (int32_t{w[static_cast<size_t>(i)]} + off) * x[static_cast<size_t>(i)];
        rp_widen_s8(w.data(), n, off, wide.data());
        ASSERT_EQ(rp_dot_wide_s8(x.data(), wide.data(), n), offsetSum) << n << " offset " << off;
        // One depthwise tap of four channels, the offset added to v.
        if (n >= 4) {
            int32_t want[4] = {1, -2, 3, -4};
            for (int c = 0; c < 4; ++c)
                want[c] += (int32_t{x[static_cast<size_t>(c)]} + off) * w[static_cast<size_t>(c)];
            const rp_acc4 tap = rp_mac4_offset_s8(x.data(), w.data(), off, rp_acc4{1, -2, 3, -4});
            const int32_t got4[4] = {tap.c0, tap.c1, tap.c2, tap.c3};
            for (int c = 0; c < 4; ++c)
                ASSERT_EQ(got4[c], want[c]) << "channel " << c << " offset " << off;
        }
        if (n > 0) {
            int32_t shifted = 0;
            for (int i = 0; i < n - 1; ++i)
                shifted += int32_t{x[static_cast<size_t>(i + 1)]} * w[static_cast<size_t>(i + 1)];
            ASSERT_EQ(rp_dot_s8(x.data() + 1, w.data() + 1, n - 1), shifted);
        }
    }
}

} // namespace
