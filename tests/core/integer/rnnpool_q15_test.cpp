// The integer RNNPool: bit for bit against EdgeML's C reference on every case
// of ../shared/reference/edgeml-q15, the authors' one-step FastGRNN check, the
// fused kernels against the whole-vector scalar reference on random weights,
// scales and inputs (including inputs that wrap int16), and the parts of our
// own variant that have an exact or double-precision formula.
#include <cmath>
#include <random>
#include <set>
#include <vector>

#include <gtest/gtest.h>

#include "integer/fastgrnn_q15_ref.h"
#include "integer/rnnpool_q15.h"
#include "quant/edgeml_q15_folder.h"
#include "support/shared_data.h"

namespace rnnpool {
namespace {

std::filesystem::path q15Dir() { return testing::sharedDir() / "reference" / "edgeml-q15"; }

TEST(EdgemlQ15Golden, EveryCaseBitExactFusedAndReference)
{
    RNNPOOL_REQUIRE_SHARED();
    Expected<EdgemlQ15Folder> folder = loadEdgemlQ15Folder(q15Dir());
    ASSERT_TRUE(folder) << folder.error();
    ASSERT_EQ(folder->cases.size(), 4u);
    std::set<std::string> seen;
    for (const EdgemlQ15Case& c : folder->cases) {
        seen.insert(c.name());
        for (bool reference : {false, true}) {
            SCOPED_TRACE(c.name() + (reference ? " (scalar reference)" : " (fused kernel)"));
            Expected<EdgemlQ15Run> run = runEdgemlQ15Case(*folder, c, reference);
            ASSERT_TRUE(run) << run.error();
            EXPECT_EQ(run->matchedPatches, c.n);
            EXPECT_EQ(run->matchedValues, run->totalValues);
            EXPECT_EQ(run->totalValues, c.n * 4 * folder->hidden2);
            // Every per-step golden too; the message names the first array that
            // differs, in computation order, to localise a mismatch.
            EXPECT_EQ(run->firstMismatch, "");
            ASSERT_FALSE(c.rowSteps.empty() || c.colSteps.empty() || c.rnn2Steps.empty() || c.rowsum.empty());
        }
    }
    EXPECT_EQ(seen, (std::set<std::string>{"q15_div", "q15_shift", "q7_div", "q7_shift"}));
}

TEST(EdgemlQ15Golden, DivAndShiftBuildsDifferAndEachMatchesOnlyItsOwn)
{
    // Guards against a kernel that ignores the mode: the two builds' goldens
    // differ in most values, so running div scales must not match shift's file.
    RNNPOOL_REQUIRE_SHARED();
    Expected<EdgemlQ15Folder> folder = loadEdgemlQ15Folder(q15Dir());
    ASSERT_TRUE(folder) << folder.error();
    for (const EdgemlQ15Case& c : folder->cases) {
        EdgemlQ15Case swapped = c;
        swapped.scaleMode = c.scaleMode == "div" ? "shift" : "div";
        Expected<EdgemlQ15Run> run = runEdgemlQ15Case(*folder, swapped);
        ASSERT_TRUE(run) << run.error();
        EXPECT_LT(run->matchedValues, run->totalValues / 2) << c.name();
    }
}

TEST(EdgemlQ15Golden, AuthorsOneStepFastGrnnCheck)
{
    RNNPOOL_REQUIRE_SHARED();
    Expected<EdgemlQ15Folder> folder = loadEdgemlQ15Folder(q15Dir());
    ASSERT_TRUE(folder) << folder.error();
    ASSERT_EQ(folder->oneStepInput, (std::vector<int16_t>{1040, 1919, 4254, 4024}));
    EXPECT_EQ(runEdgemlQ15OneStep(*folder, "div"), (std::vector<int16_t>{1423, 7085, -16378, 8209, -12067, 6805, 6475, 6897}));
    EXPECT_EQ(runEdgemlQ15OneStep(*folder, "shift"), (std::vector<int16_t>{1415, 7082, -16378, 8216, -12075, 6805, 6475, 6902}));
    EXPECT_EQ(runEdgemlQ15OneStep(*folder, "div"), folder->oneStepExpected[0]);
    EXPECT_EQ(runEdgemlQ15OneStep(*folder, "shift"), folder->oneStepExpected[1]);
}

// ---- fused kernel against the whole-vector reference, random everything ----

struct RandomBlock {
    std::vector<int16_t> w1, u1, bg1, bh1, w2, u2, bg2, bh2;
    rp_edgeml_rnnpool_config cfg{};
};

int32_t pickScale(std::mt19937& rng, rp_scale_mode mode)
{
    if (mode == RP_SCALE_SHIFT)
        return std::uniform_int_distribution<int32_t>(0, 8)(rng);
    // Powers of two, as EdgeML's models use, and odd divisors the data never has.
    const int32_t choices[] = {1, 1, 2, 4, 8, 16, 3, 5, 7, 100};
    return choices[std::uniform_int_distribution<int>(0, 9)(rng)];
}

void randomScales(std::mt19937& rng, rp_scale_mode mode, int wxWide, rp_edgeml_fastgrnn_scales& s)
{
    int32_t fields[RP_EDGEML_SCALE_FIELDS];
    for (int32_t& f : fields)
        f = pickScale(rng, mode);
    rp_edgeml_scales_from_fields(&s, fields, mode);
    // W.x and U.h sums need a large total reduction to land near int16.
    s.w = mode == RP_SCALE_DIV ? 64 * wxWide : 6;
    s.u = mode == RP_SCALE_DIV ? 128 : 7;
    std::uniform_int_distribution<int32_t> in(8, 13), extra(0, 3);
    s.sigmoidScaleIn = in(rng);
    s.sigmoidScaleOut = s.sigmoidScaleIn + extra(rng) - 1;
    s.tanhScaleIn = in(rng);
    s.tanhScaleOut = s.tanhScaleIn + extra(rng) - 1;
    s.div = std::uniform_int_distribution<int32_t>(1, 3)(rng) * (rng() % 4 == 0 ? -1 : 1);
    s.add = 1 << (s.sigmoidScaleIn - 1);
    s.sigmoidLimit = 1 << s.sigmoidScaleIn;
    s.qOne = 16384;
    s.useTableSigmoid = s.useTableTanH = 0;
}

void fill(std::mt19937& rng, std::vector<int16_t>& v, size_t n, int32_t lo, int32_t hi)
{
    std::uniform_int_distribution<int32_t> d(lo, hi);
    v.resize(n);
    for (int16_t& x : v)
        x = static_cast<int16_t>(d(rng));
}

RandomBlock randomBlock(std::mt19937& rng, rp_scale_mode mode)
{
    RandomBlock b;
    std::uniform_int_distribution<int32_t> dim(1, 9), hid(1, 12);
    const int32_t ch = dim(rng), h1 = hid(rng), h2 = hid(rng);
    fill(rng, b.w1, static_cast<size_t>(h1 * ch), -32768, 32767);
    fill(rng, b.u1, static_cast<size_t>(h1 * h1), -32768, 32767);
    fill(rng, b.bg1, static_cast<size_t>(h1), -32768, 32767);
    fill(rng, b.bh1, static_cast<size_t>(h1), -32768, 32767);
    fill(rng, b.w2, static_cast<size_t>(h2 * h1), -32768, 32767);
    fill(rng, b.u2, static_cast<size_t>(h2 * h2), -32768, 32767);
    fill(rng, b.bg2, static_cast<size_t>(h2), -32768, 32767);
    fill(rng, b.bh2, static_cast<size_t>(h2), -32768, 32767);
    std::uniform_int_distribution<int32_t> zn(0, 32767);
    b.cfg.rnn1 = {b.w1.data(), b.u1.data(), b.bg1.data(), b.bh1.data(), static_cast<int16_t>(zn(rng)),
                  static_cast<int16_t>(zn(rng)), ch, h1};
    b.cfg.rnn2 = {b.w2.data(), b.u2.data(), b.bg2.data(), b.bh2.data(), static_cast<int16_t>(zn(rng)),
                  static_cast<int16_t>(zn(rng)), h1, h2};
    randomScales(rng, mode, 4, b.cfg.rnn1_scales);
    randomScales(rng, mode, 4, b.cfg.rnn2_scales);
    b.cfg.patch_rows = dim(rng);
    b.cfg.patch_cols = dim(rng);
    b.cfg.block = {pickScale(rng, mode), mode == RP_SCALE_DIV ? pickScale(rng, mode) : static_cast<int32_t>(rng() % 3),
                   pickScale(rng, mode), mode == RP_SCALE_DIV ? pickScale(rng, mode) : static_cast<int32_t>(rng() % 3),
                   mode};
    return b;
}

TEST(EdgemlQ15Random, FusedBlockEqualsScalarReferenceBitForBit)
{
    std::mt19937 rng(20261204);
    int cases = 0;
    int64_t wrapped = 0; // outputs at the int16 limits' neighbourhood show the wrap paths ran
    for (int iter = 0; iter < 400; ++iter) {
        const rp_scale_mode mode = iter % 2 ? RP_SCALE_SHIFT : RP_SCALE_DIV;
        RandomBlock b = randomBlock(rng, mode);
        ASSERT_EQ(rp_edgeml_rnnpool_check(&b.cfg), RP_Q15_OK) << "iteration " << iter;
        const int32_t rows = b.cfg.patch_rows, cols = b.cfg.patch_cols, ch = b.cfg.rnn1.input_dims;
        const int32_t h1 = b.cfg.rnn1.hidden_dims, h2 = b.cfg.rnn2.hidden_dims, steps = std::max(rows, cols);
        const int32_t pitch = cols + static_cast<int32_t>(rng() % 3);
        const bool q7 = iter % 4 >= 2;
        std::vector<int16_t> in16;
        fill(rng, in16, static_cast<size_t>(rows * pitch * ch), q7 ? -128 : -32768, q7 ? 127 : 32767);
        std::vector<int8_t> in8(in16.begin(), in16.end());
        std::vector<uint32_t> scratchA((rp_edgeml_rnnpool_scratch_bytes(&b.cfg) + 3) / 4);
        std::vector<uint32_t> scratchB((rp_edgeml_rnnpool_ref_scratch_bytes(&b.cfg) + 3) / 4);
        auto traceOf = [&](std::vector<int16_t>& store) {
            const size_t a = static_cast<size_t>(rows * cols * h1), r = static_cast<size_t>(rows * h1),
                         c = static_cast<size_t>(cols * h1), s = static_cast<size_t>(4 * steps * h2);
            store.assign(2 * a + r + c + s, 0);
            return rp_rnnpool_q15_trace{store.data(), store.data() + a, store.data() + 2 * a, store.data() + 2 * a + r,
                                        store.data() + 2 * a + r + c};
        };
        std::vector<int16_t> outA(static_cast<size_t>(4 * h2)), outB(outA.size()), storeA, storeB;
        rp_rnnpool_q15_trace ta = traceOf(storeA), tb = traceOf(storeB);
        if (q7) {
            ASSERT_EQ(rp_edgeml_rnnpool_q7xq15(&b.cfg, in8.data(), pitch, outA.data(), scratchA.data(), &ta), RP_Q15_OK);
            ASSERT_EQ(rp_edgeml_rnnpool_q7xq15_ref(&b.cfg, in8.data(), pitch, outB.data(), scratchB.data(), &tb), RP_Q15_OK);
        } else {
            ASSERT_EQ(rp_edgeml_rnnpool_q15(&b.cfg, in16.data(), pitch, outA.data(), scratchA.data(), &ta), RP_Q15_OK);
            ASSERT_EQ(rp_edgeml_rnnpool_q15_ref(&b.cfg, in16.data(), pitch, outB.data(), scratchB.data(), &tb), RP_Q15_OK);
        }
        ASSERT_EQ(outA, outB) << "iteration " << iter;
        ASSERT_EQ(storeA, storeB) << "iteration " << iter;
        for (int16_t v : storeA)
            wrapped += std::abs(static_cast<int32_t>(v)) > 16384 ? 1 : 0;
        ++cases;
    }
    EXPECT_EQ(cases, 400);
    EXPECT_GT(wrapped, 1000); // large states occur, so the int16 stores are exercised
}

TEST(EdgemlQ15Arith, ReductionsRoundAsCDivisionAndArithmeticShift)
{
    // One hidden unit, identity-ish weights: W.x = x * 16384 / 2^15 = x/2.
    const int16_t W[1] = {16384}, U[1] = {0}, Bg[1] = {0}, Bh[1] = {0};
    rp_edgeml_fastgrnn_params p{W, U, Bg, Bh, 0, 0, 1, 1};
    for (rp_scale_mode mode : {RP_SCALE_DIV, RP_SCALE_SHIFT}) {
        int32_t f[RP_EDGEML_SCALE_FIELDS];
        std::fill(std::begin(f), std::end(f), mode == RP_SCALE_DIV ? 1 : 0);
        rp_edgeml_fastgrnn_scales s;
        rp_edgeml_scales_from_fields(&s, f, mode);
        s.w = mode == RP_SCALE_DIV ? 32768 : 15;
        s.useTableSigmoid = s.useTableTanH = 0;
        s.sigmoidScaleIn = s.sigmoidScaleOut = s.tanhScaleIn = s.tanhScaleOut = 14;
        s.div = 1;
        s.add = 0;
        s.sigmoidLimit = 0; // z = 0: h = (zeta (1 - z) + nu) c = 0 with zeta = nu = 0 ...
        s.qOne = 0;
        // ... so read W.x through the tanh instead: c = pre, v = nu = 1 via qOne path off.
        p.sigmoid_nu = 1;
        s.sigmoidNu = mode == RP_SCALE_DIV ? 1 : 0;
        ASSERT_EQ(rp_edgeml_fastgrnn_check(&p, &s), RP_Q15_OK);
        std::vector<uint32_t> scratch(16);
        const int16_t x[1] = {-7};
        int16_t h[1] = {0};
        rp_edgeml_fastgrnn_q15_step(&p, &s, x, h, scratch.data());
        // pre = -7 * 16384 reduced by 2^15: -3 (truncation) or -4 (floor); h = 1 * c = pre.
        EXPECT_EQ(h[0], mode == RP_SCALE_DIV ? -3 : -4);
    }
}

} // namespace
} // namespace rnnpool
