// The integer RNNPool kernels (core/integer) beside their scalar references,
// in the same run, one thread:
// - EdgeML's block: the fused cell against the whole-vector reference, one
//   8x8x4 patch, h1 = h2 = 8 (the goldens' model, shift mode);
// - our int8-map operator on RNNPool-Face-M4's stem output for a 320x240
//   frame (160x120x4, 29x39 patches, h1 = h2 = 16): the map kernel against
//   the per-patch reference, and the float op for scale.
//   build/tests/benchmarks/q15_benchmarks --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <random>

#include <benchmark/benchmark.h>

#include "integer/fastgrnn_q15_ref.h"
#include "integer/rnnpool_q15.h"
#include "model/default_model.h"
#include "quant/rnnpool_quantizer.h"

namespace rnnpool {
namespace {

// A fixed random EdgeML-style configuration with the goldens' scale pattern.
struct EdgemlSetup {
    std::vector<int16_t> w1, u1, bg1, bh1, w2, u2, bg2, bh2, patch;
    rp_edgeml_rnnpool_config cfg{};
    EdgemlSetup()
    {
        std::mt19937 rng(5);
        auto fill = [&](std::vector<int16_t>& v, size_t n) {
            std::uniform_int_distribution<int> d(-8000, 8000);
            v.resize(n);
            for (int16_t& x : v)
                x = static_cast<int16_t>(d(rng));
        };
        fill(w1, 32), fill(u1, 64), fill(bg1, 8), fill(bh1, 8), fill(w2, 64), fill(u2, 64), fill(bg2, 8), fill(bh2, 8);
        fill(patch, 256);
        const int32_t rnn1[RP_EDGEML_SCALE_FIELDS] = {0, 0, 0, 0, 0, 7, 6, 2, 7, 6, 3, 0, 2, 0, 0, 0, 3, 0, 0, 11, 14, 0, 4, 0, 0,
                                                      11, 11, 7, 7, 0, 0, 0, 7, 8, 8, 0, 0, 5, 6, 0, 0, 0, 0, 2, 1024, 2048, 16384, 0, 0};
        cfg.rnn1 = {w1.data(), u1.data(), bg1.data(), bh1.data(), 32522, 30111, 4, 8};
        cfg.rnn2 = {w2.data(), u2.data(), bg2.data(), bh2.data(), 32520, 16387, 8, 8};
        rp_edgeml_scales_from_fields(&cfg.rnn1_scales, rnn1, RP_SCALE_SHIFT);
        rp_edgeml_scales_from_fields(&cfg.rnn2_scales, rnn1, RP_SCALE_SHIFT);
        cfg.patch_rows = cfg.patch_cols = 8;
        cfg.block = {0, 0, 0, 0, RP_SCALE_SHIFT};
    }
};

void BM_EdgemlBlockQ15(benchmark::State& state)
{
    EdgemlSetup s;
    const bool reference = state.range(0) == 1;
    std::vector<uint32_t> scratch(4096);
    int16_t out[32];
    for (auto _ : state) {
        if (reference)
            rp_edgeml_rnnpool_q15_ref(&s.cfg, s.patch.data(), 8, out, scratch.data(), nullptr);
        else
            rp_edgeml_rnnpool_q15(&s.cfg, s.patch.data(), 8, out, scratch.data(), nullptr);
        benchmark::DoNotOptimize(out);
    }
    state.SetLabel(reference ? "scalar reference" : "fused");
}
BENCHMARK(BM_EdgemlBlockQ15)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// The default model's RNNPool, quantised on the stem output of a synthetic frame.
struct MapSetup {
    std::optional<RnnPoolQ15> q;
    const RnnPool* op = nullptr;
    Tensor stem;
    std::vector<int8_t> in8;
    std::string error;
    MapSetup()
    {
        auto model = loadDefaultModel();
        if (!model) {
            error = model.error();
            return;
        }
        m_model = std::move(*model);
        const int layer = m_model.network->findLayer("rnnpool");
        op = dynamic_cast<const RnnPool*>(m_model.network->nodes()[static_cast<size_t>(layer)].op.get());
        std::mt19937 rng(3);
        std::uniform_real_distribution<float> u(0.0f, 4.0f);
        stem = Tensor({op->params().inChannels, 120, 160});
        for (int64_t i = 0; i < stem.numel(); ++i)
            stem.data()[i] = u(rng);
        RnnPoolCalibration cal;
        if (Status st = calibrateRnnPool(*op, stem, cal); !st) {
            error = st.error();
            return;
        }
        auto quantised = RnnPoolQ15::quantize(*op, optionsFromCalibration(cal));
        if (!quantised) {
            error = quantised.error();
            return;
        }
        q = std::move(*quantised);
        in8.resize(static_cast<size_t>(stem.numel()));
        for (size_t i = 0; i < in8.size(); ++i)
            in8[i] = static_cast<int8_t>(std::clamp<long>(std::lround(stem.data()[i] / q->options().inputScale) +
                                                              q->options().inputZeroPoint, -128, 127));
    }

private:
    Model m_model;
};

MapSetup& mapSetup()
{
    static MapSetup s;
    return s;
}

void BM_RnnPoolS8Q15FaceM4(benchmark::State& state)
{
    MapSetup& s = mapSetup();
    if (!s.q) {
        state.SkipWithError(s.error.c_str());
        return;
    }
    const rp_rnnpool_s8q15_config cfg = s.q->config();
    const int32_t h = 120, w = 160, gh = rp_rnnpool_s8q15_grid(&cfg, h), gw = rp_rnnpool_s8q15_grid(&cfg, w);
    std::vector<int8_t> out(static_cast<size_t>(4 * cfg.rnn2_forward.hidden_dims * (gh + 1) * (gw + 1)));
    std::vector<uint32_t> scratch(rp_rnnpool_s8q15_map_scratch_bytes(&cfg, w) / 4 + 1);
    std::vector<int16_t> patch(static_cast<size_t>(4 * cfg.rnn2_forward.hidden_dims));
    const bool reference = state.range(0) == 1;
    for (auto _ : state) {
        if (reference) {
            for (int32_t y = 0; y < gh; ++y)
                for (int32_t x = 0; x < gw; ++x)
                    rp_rnnpool_s8q15_patch(&cfg, s.in8.data() + y * 4 * w + x * 4, w, h * w, patch.data(), scratch.data(), nullptr);
        } else {
            rp_rnnpool_s8q15_map(&cfg, s.in8.data(), h, w, out.data(), scratch.data());
        }
        benchmark::DoNotOptimize(out.data());
        benchmark::DoNotOptimize(patch.data());
    }
    state.SetLabel(reference ? "per-patch reference" : "map kernel");
}
BENCHMARK(BM_RnnPoolS8Q15FaceM4)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

void BM_RnnPoolFloatFaceM4(benchmark::State& state)
{
    MapSetup& s = mapSetup();
    if (!s.op) {
        state.SkipWithError(s.error.c_str());
        return;
    }
    const Shape inShape = s.stem.shape();
    Shape outShape;
    if (!s.op->prepare({&inShape, 1}, outShape)) {
        state.SkipWithError("prepare failed");
        return;
    }
    Tensor out(outShape);
    const Tensor* in[] = {&s.stem};
    for (auto _ : state) {
        s.op->eval(in, out);
        benchmark::DoNotOptimize(out.data());
    }
    state.SetLabel("float32 op, for scale");
}
BENCHMARK(BM_RnnPoolFloatFaceM4)->Unit(benchmark::kMillisecond);

} // namespace
} // namespace rnnpool

BENCHMARK_MAIN();
