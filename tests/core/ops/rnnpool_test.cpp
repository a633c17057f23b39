// RNNPool against EdgeML's operator golden, and the fast whole-map kernel
// against the scalar per-patch trace on random maps.
#include <cmath>
#include <random>
#include <tuple>

#include <gtest/gtest.h>

#include "engine/inspect.h"
#include "io/npy.h"
#include "model/model.h"
#include "ops/elementwise.h"
#include "ops/rnnpool.h"
#include "support/shared_data.h"

namespace rnnpool {
namespace {

Tensor mustRead(const std::filesystem::path& path)
{
    auto t = readNpy(path);
    EXPECT_TRUE(t) << (t ? "" : t.error());
    return t ? std::move(*t) : Tensor();
}

float logit(float p) { return std::log(p / (1.0f - p)); }

// The golden stores W as hidden × input; our cell wants input × hidden.
FastGrnnCell goldenCell(const std::string& prefix)
{
    const auto dir = testing::opDir();
    FastGrnnCell cell;
    const Tensor w = mustRead(dir / (prefix + "_W.npy"));
    const Tensor u = mustRead(dir / (prefix + "_U.npy"));
    cell.hiddenSize = w.dim(0);
    cell.inputSize = w.dim(1);
    cell.W = Tensor({cell.inputSize, cell.hiddenSize});
    for (int64_t i = 0; i < cell.inputSize; ++i)
        for (int64_t j = 0; j < cell.hiddenSize; ++j)
            cell.W.data()[i * cell.hiddenSize + j] = w.data()[j * cell.inputSize + i];
    // pre = W·x + U·h with U (hidden × hidden) as the golden states it: h·Uᵀ in our row-vector form.
    cell.U = Tensor({cell.hiddenSize, cell.hiddenSize});
    for (int64_t i = 0; i < cell.hiddenSize; ++i)
        for (int64_t j = 0; j < cell.hiddenSize; ++j)
            cell.U.data()[i * cell.hiddenSize + j] = u.data()[j * cell.hiddenSize + i];
    cell.biasGate = mustRead(dir / (prefix + "_bias_gate.npy"));
    cell.biasUpdate = mustRead(dir / (prefix + "_bias_update.npy"));
    const Tensor zn = mustRead(dir / (prefix + "_sigmoid_zeta_nu.npy"));
    cell.zeta = Tensor({1, 1}, logit(zn.data()[0]));
    cell.nu = Tensor({1, 1}, logit(zn.data()[1]));
    cell.prepareScalars();
    return cell;
}

TEST(RnnPoolGolden, MatchesEdgeMLOperator)
{
    RNNPOOL_REQUIRE_SHARED();
    const FastGrnnCell rnn1 = goldenCell("rnn1");
    const FastGrnnCell rnn2 = goldenCell("rnn2");
    const Tensor input = mustRead(testing::opDir() / "input_rows_cols_channels.npy");
    const Tensor expected = mustRead(testing::opDir() / "expected_output.npy");
    ASSERT_EQ(input.shape(), (Shape{6, 6, 8}));
    const auto out = rnnPoolPatchReference(input.data(), 6, 6, 8, rnn1, rnn2, rnn2);
    ASSERT_EQ(static_cast<int64_t>(out.size()), expected.numel());
    for (size_t i = 0; i < out.size(); ++i)
        EXPECT_NEAR(out[i], expected.data()[i], 1e-5) << "output " << i;
}

void randomCell(FastGrnnCell& cell, std::mt19937& rng)
{
    std::normal_distribution<float> n(0.0f, 0.3f);
    for (Tensor* t : {&cell.W, &cell.U, &cell.biasGate, &cell.biasUpdate, &cell.zeta, &cell.nu})
        for (int64_t i = 0; i < t->numel(); ++i)
            t->data()[i] = n(rng);
}

TEST(RnnPool, FastKernelMatchesPerPatchTrace)
{
    std::mt19937 rng(3);
    // Hidden sizes with and without a register-resident kernel, odd maps, grids
    // wider than one SIMD packet of patches, and other patch/stride pairs.
    for (const auto& [c, h1, h2, hgt, wid, patch, stride] :
         {std::tuple{4, 16, 16, 23, 31, 8, 4}, std::tuple{3, 8, 8, 16, 12, 8, 4}, std::tuple{2, 5, 7, 8, 8, 8, 4},
          std::tuple{1, 16, 16, 13, 97, 8, 4}, std::tuple{5, 8, 16, 19, 150, 8, 4}, std::tuple{3, 32, 12, 11, 40, 6, 3},
          std::tuple{2, 8, 8, 14, 71, 4, 4}, std::tuple{4, 9, 16, 10, 37, 5, 2}}) {
        RnnPoolParams p;
        p.patch = patch;
        p.stride = stride;
        p.inChannels = c;
        p.hidden1 = h1;
        p.hidden2 = h2;
        p.weights = "rnn";
        RnnPool op(p);
        for (WeightSlot& s : op.weightSlots())
            *s.target = Tensor(s.shape);
        randomCell(op.rnn1(), rng);
        randomCell(op.rnn2Forward(), rng);
        randomCell(op.rnn2Backward(), rng);
        // Every other case has a gate bias beyond kGateBiasLimit in each
        // cell, so both gate formulas of the fast kernel meet the oracle.
        const bool largeBias = c % 2 == 1;
        if (largeBias)
            for (FastGrnnCell* cell : {&op.rnn1(), &op.rnn2Forward(), &op.rnn2Backward()}) {
                cell->biasGate.data()[0] = 12.0f;
                cell->biasUpdate.data()[cell->hiddenSize - 1] = -11.0f;
            }
        // Cases with h2 a multiple of 8 share RNN2's W between directions, as
        // EdgeML's models do (the kernel then projects once for both).
        const bool sharedW = h2 % 8 == 0;
        if (sharedW)
            op.rnn2Backward().W = op.rnn2Forward().W;
        op.finalize();
        EXPECT_EQ(op.rnn2SharesInputWeights(), sharedW);
        EXPECT_EQ(op.rnn1().gateBiasesBounded, !largeBias);
        EXPECT_EQ(op.rnn2Forward().gateBiasesBounded, !largeBias);
        Tensor input({c, hgt, wid});
        std::normal_distribution<float> n(0.0f, 1.0f);
        for (int64_t i = 0; i < input.numel(); ++i)
            input.data()[i] = n(rng);
        const Shape inShape = input.shape();
        Shape outShape;
        ASSERT_TRUE(op.prepare({&inShape, 1}, outShape));
        const int64_t gh = op.gridSize(hgt), gw = op.gridSize(wid);
        EXPECT_EQ(outShape, (Shape{4 * h2, gh + 1, gw + 1}));
        Tensor out(outShape);
        const Tensor* in[] = {&input};
        op.eval(in, out);
        for (int64_t gy = 0; gy < gh; ++gy)
            for (int64_t gx = 0; gx < gw; ++gx) {
                auto trace = op.trace(input, gy, gx);
                ASSERT_TRUE(trace) << trace.error();
                for (int64_t ch = 0; ch < 4 * h2; ++ch)
                    ASSERT_NEAR(out.at(ch, gy, gx), trace->output.data()[ch], 1e-5) << gy << "," << gx << " ch " << ch;
            }
        // Replicate padding: the last row and column repeat their neighbours.
        for (int64_t ch = 0; ch < 4 * h2; ++ch) {
            EXPECT_EQ(out.at(ch, gh, 0), out.at(ch, gh - 1, 0));
            EXPECT_EQ(out.at(ch, 0, gw), out.at(ch, 0, gw - 1));
            EXPECT_EQ(out.at(ch, gh, gw), out.at(ch, gh - 1, gw - 1));
        }
    }
}

TEST(RnnPool, TraceRefusesPatchOutsideGrid)
{
    RnnPoolParams p;
    p.inChannels = 1;
    p.hidden1 = p.hidden2 = 2;
    p.weights = "rnn";
    RnnPool op(p);
    Tensor input({1, 12, 12});
    auto t = op.trace(input, 2, 0); // grid is 2x2
    ASSERT_FALSE(t);
    EXPECT_NE(t.error().find("outside"), std::string::npos);
}

// The vectorised pass (packets of 16 pixels, then a scalar tail) against the
// formula in double precision, for channel counts and sizes around a packet.
TEST(Elementwise, L2NormMatchesDoublePrecisionFormula)
{
    std::mt19937 rng(41);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    for (const auto& [channels, h, w] : {std::tuple{4, 23, 37}, std::tuple{1, 1, 15}, std::tuple{3, 4, 4}, std::tuple{64, 5, 19}}) {
        L2Norm norm(channels, "n");
        for (WeightSlot& s : norm.weightSlots()) {
            *s.target = Tensor({channels});
            for (int64_t c = 0; c < channels; ++c)
                s.target->data()[c] = 1.0f + 0.5f * static_cast<float>(c);
        }
        Tensor x({channels, h, w});
        for (int64_t i = 0; i < x.numel(); ++i)
            x.data()[i] = normal(rng);
        x.data()[0] = 0.0f; // a pixel of zeros in channel 0 (others random)
        Tensor y({channels, h, w});
        const Tensor* in[] = {&x};
        norm.eval(in, y);
        for (int64_t p = 0; p < h * w; ++p) {
            double sum = 0.0;
            for (int64_t c = 0; c < channels; ++c)
                sum += static_cast<double>(x.data()[c * h * w + p]) * x.data()[c * h * w + p];
            for (int64_t c = 0; c < channels; ++c) {
                const double expected = (1.0 + 0.5 * static_cast<double>(c)) * x.data()[c * h * w + p] / (std::sqrt(sum) + 1e-10);
                ASSERT_NEAR(y.data()[c * h * w + p], expected, 1e-6 * (1.0 + std::abs(expected))) << channels << " channels, pixel " << p;
            }
        }
    }
}

TEST(Elementwise, L2NormAndMaxOutMatchScalarFormulas)
{
    L2Norm norm(3, "n");
    for (WeightSlot& s : norm.weightSlots())
        *s.target = Tensor({3}, std::vector<float>{10.0f, 8.0f, 5.0f});
    Tensor x({3, 1, 2}, std::vector<float>{3, 0, 4, 0, 0, 2});
    Tensor y({3, 1, 2});
    const Tensor* in[] = {&x};
    norm.eval(in, y);
    // pixel 0: (3,4,0)/5 ; pixel 1: (0,0,2)/2
    EXPECT_NEAR(y.at(0, 0, 0), 10.0f * 0.6f, 1e-5);
    EXPECT_NEAR(y.at(1, 0, 0), 8.0f * 0.8f, 1e-5);
    EXPECT_NEAR(y.at(2, 0, 1), 5.0f, 1e-5);

    BackgroundMaxOut maxout(3);
    Tensor c({4, 1, 1}, std::vector<float>{0.5f, 2.0f, -1.0f, 0.25f});
    Tensor m({2, 1, 1});
    const Tensor* cin[] = {&c};
    maxout.eval(cin, m);
    EXPECT_EQ(m.data()[0], 2.0f);
    EXPECT_EQ(m.data()[1], 0.25f);
}


TEST(RnnPoolTrace, NetworkHookMatchesTheLayerOutput)
{
    auto model = randomModel("RPool_Face_M4", 3);
    ASSERT_TRUE(model) << model.error();
    Tensor input({1, 96, 128}, 0.0f);
    for (int64_t i = 0; i < input.numel(); ++i)
        input.data()[i] = static_cast<float>((i * 37) % 255) - 120.0f;
    RunOptions options;
    options.keepAllOutputs = true;
    auto run = model->network->run(input, options);
    ASSERT_TRUE(run) << run.error();
    ASSERT_EQ(rnnPoolLayers(*model->network).size(), 1u);
    // Random weights share RNN2's cell between directions, as checkpoints do.
    const auto* rnnPoolOp = dynamic_cast<const RnnPool*>(
        model->network->nodes()[static_cast<size_t>(rnnPoolLayers(*model->network)[0])].op.get());
    ASSERT_NE(rnnPoolOp, nullptr);
    EXPECT_TRUE(rnnPoolOp->rnn2SharesInputWeights());
    auto trace = traceRnnPoolPatch(*model->network, input, *run, "rnnpool", 3, 5);
    ASSERT_TRUE(trace) << trace.error();
    const Tensor& out = run->outputs[static_cast<size_t>(model->network->findLayer("rnnpool"))];
    for (int64_t ch = 0; ch < trace->output.numel(); ++ch)
        EXPECT_NEAR(trace->output.data()[ch], out.at(ch, 3, 5), 1e-5);
    EXPECT_EQ(trace->rowSweeps.shape(), (Shape{8, 8, 16}));
    auto wrong = traceRnnPoolPatch(*model->network, input, *run, "block0", 0, 0);
    ASSERT_FALSE(wrong);
    EXPECT_NE(wrong.error().find("not an RNNPool layer"), std::string::npos);
}

} // namespace
} // namespace rnnpool
