#include "quant/int8_trace.h"

#include <cmath>
#include <vector>

#include "integer/rnnpool_q15.h"
#include "quant/int8_prepared.h"

namespace rnnpool {

namespace {

// v / 2^frac for n int16 values into dst.
void dequantiseStates(const int16_t* v, size_t n, int32_t frac, float* dst)
{
    const float scale = std::ldexp(1.0f, -frac);
    for (size_t i = 0; i < n; ++i)
        dst[i] = static_cast<float>(v[i]) * scale;
}

} // namespace

Expected<RnnPoolTrace> traceRnnPoolPatchInt8(const Int8Network& net, int node, const Tensor& input, int64_t patchRow,
                                             int64_t patchCol)
{
    const Network& graph = *net.model().network;
    if (node < 0 || static_cast<size_t>(node) >= graph.nodes().size())
        return makeError("no node " + std::to_string(node) + " in " + graph.spec().name);
    const Int8Network::Prepared& p = net.prepared(static_cast<size_t>(node));
    if (p.kind != Int8Network::Prepared::Kind::RnnPool || !RnnPoolInt8::isInteger())
        return makeError("layer '" + graph.nodes()[static_cast<size_t>(node)].name + "' is not an integer RNNPool");
    const rp_rnnpool_s8q15_config& cfg = p.rnnpool.config();
    const int64_t k = cfg.patch, c = cfg.channels, h1 = cfg.rnn1.hidden_dims, h2 = cfg.rnn2_forward.hidden_dims;
    if (input.rank() != 3 || input.dim(0) != c)
        return makeError("rnnpool int8 trace: input has shape " + shapeToString(input.shape()) + ", expected " +
                         std::to_string(c) + " channels");
    const int64_t gh = rp_rnnpool_s8q15_grid(&cfg, static_cast<int32_t>(input.dim(1)));
    const int64_t gw = rp_rnnpool_s8q15_grid(&cfg, static_cast<int32_t>(input.dim(2)));
    if (patchRow < 0 || patchCol < 0 || patchRow >= gh || patchCol >= gw)
        return makeError("rnnpool int8 trace: patch (" + std::to_string(patchRow) + "," + std::to_string(patchCol) +
                         ") is outside the " + std::to_string(gh) + "x" + std::to_string(gw) + " patch grid");
    // The producer's quantisation: one scale, or one per channel.
    const int source = graph.nodes()[static_cast<size_t>(node)].inputs.front();
    NodeQuant pictureQuant;
    pictureQuant.output = net.model().input;
    const NodeQuant& sq = source == kNetworkInput ? pictureQuant : net.model().nodes[static_cast<size_t>(source)];
    const auto quantOf = [&](int64_t ch) {
        return sq.channelScale.empty() ? sq.output
                                       : ActivationQuant{sq.channelScale[static_cast<size_t>(ch)], sq.channelZeroPoint[static_cast<size_t>(ch)]};
    };

    RnnPoolTrace t = patchTrace(input, patchRow, patchCol, cfg.stride, k, h1, h2);
    std::vector<int8_t> patch(static_cast<size_t>(c * k * k));
    for (int64_t ch = 0; ch < c; ++ch)
        for (int64_t i = 0; i < k * k; ++i)
            patch[static_cast<size_t>(ch * k * k + i)] = quantOf(ch).quantize(t.input.data()[ch * k * k + i]);
    std::vector<int16_t> rowSteps(static_cast<size_t>(k * k * h1)), colSteps(rowSteps.size());
    std::vector<int16_t> rnn2(static_cast<size_t>(4 * k * h2)), out(static_cast<size_t>(4 * h2));
    rp_rnnpool_q15_trace trace{rowSteps.data(), colSteps.data(), nullptr, nullptr, rnn2.data()};
    std::vector<uint32_t> scratch(rp_rnnpool_s8q15_patch_scratch_bytes(&cfg) / 4 + 2);
    if (rp_rnnpool_s8q15_patch(&cfg, patch.data(), static_cast<int32_t>(k), static_cast<int32_t>(k * k), out.data(),
                               scratch.data(), &trace) != RP_Q15_OK)
        return makeError("rnnpool int8 trace: the Q15 patch kernel refused the patch");
    t.rowSweeps = Tensor({k, k, h1});
    t.colSweeps = Tensor({k, k, h1});
    dequantiseStates(rowSteps.data(), rowSteps.size(), cfg.rnn1.h_frac_bits, t.rowSweeps.data());
    dequantiseStates(colSteps.data(), colSteps.size(), cfg.rnn1.h_frac_bits, t.colSweeps.data());
    Tensor* runs[4] = {&t.rowsForward, &t.rowsBackward, &t.colsForward, &t.colsBackward};
    for (int run = 0; run < 4; ++run) {
        const rp_fastgrnn_q15_cell& cell = run % 2 ? cfg.rnn2_backward : cfg.rnn2_forward;
        *runs[run] = Tensor({k, h2});
        dequantiseStates(rnn2.data() + run * k * h2, static_cast<size_t>(k * h2), cell.h_frac_bits, runs[run]->data());
    }
    t.output = Tensor({4 * h2});
    for (int run = 0; run < 4; ++run)
        dequantiseStates(out.data() + run * h2, static_cast<size_t>(h2),
                         (run % 2 ? cfg.rnn2_backward : cfg.rnn2_forward).h_frac_bits, t.output.data() + run * h2);
    return t;
}

Expected<RnnPoolTrace> traceDifference(const RnnPoolTrace& a, const RnnPoolTrace& b)
{
    if (a.patchRow != b.patchRow || a.patchCol != b.patchCol || a.size != b.size || a.hidden1 != b.hidden1 ||
        a.hidden2 != b.hidden2)
        return makeError("the two traces are not of the same patch and sizes");
    RnnPoolTrace d = a;
    const auto minus = [](Tensor& x, const Tensor& y) {
        for (int64_t i = 0; i < x.numel(); ++i)
            x.data()[i] -= y.data()[i];
    };
    minus(d.rowSweeps, b.rowSweeps);
    minus(d.colSweeps, b.colSweeps);
    minus(d.rowsForward, b.rowsForward);
    minus(d.rowsBackward, b.rowsBackward);
    minus(d.colsForward, b.colsForward);
    minus(d.colsBackward, b.colsBackward);
    minus(d.output, b.output);
    return d;
}

} // namespace rnnpool
