#include "ops/rnnpool.h"

#include "ops/rnnpool_batched.h"

#include <algorithm>
#include <cstring>

namespace rnnpool {

namespace {
// RNN2 over `steps` summaries, forward or backward; states[t] is the state
// after step t (in processing order). Returns the final state.
void sweepSummaries(const FastGrnnCell& cell, const float* summaries, int64_t steps, bool backward, float* states)
{
    const int64_t h = cell.hiddenSize;
    std::vector<float> state(static_cast<size_t>(h), 0.0f), wx(static_cast<size_t>(h));
    for (int64_t t = 0; t < steps; ++t) {
        const int64_t i = backward ? steps - 1 - t : t;
        cell.inputProjection(summaries + i * cell.inputSize, wx.data());
        cell.step(wx.data(), state.data());
        std::memcpy(states + t * h, state.data(), sizeof(float) * static_cast<size_t>(h));
    }
}
} // namespace

RnnPool::RnnPool(RnnPoolParams params)
    : m_params(std::move(params))
{
    m_rnn1.inputSize = m_params.inChannels;
    m_rnn1.hiddenSize = m_params.hidden1;
    m_rnn2.inputSize = m_rnn2Reverse.inputSize = m_params.hidden1;
    m_rnn2.hiddenSize = m_rnn2Reverse.hiddenSize = m_params.hidden2;
}

std::vector<WeightSlot> RnnPool::weightSlots()
{
    // EdgeML registers each cell under several module names; a state dict holds
    // the same tensors under each of them.
    const std::string rnn1 = m_params.weights + ".cell_rnn";
    const std::string rnn2 = m_params.weights + ".cell_bidirrnn";
    auto slots = m_rnn1.weightSlotsAt(rnn1 + ".cell", {}, {rnn1 + ".unrollRNN.RNNCell"});
    auto forward = m_rnn2.weightSlotsAt(rnn2 + ".cell", {}, {rnn2 + ".unrollRNN.RNNCell"});
    auto backward = m_rnn2Reverse.weightSlotsAt(rnn2 + ".unrollRNN.RNNCell_reverse", rnn2 + ".cell", {}, true);
    slots.insert(slots.end(), forward.begin(), forward.end());
    slots.insert(slots.end(), backward.begin(), backward.end());
    return slots;
}

void RnnPool::finalize()
{
    m_rnn1.prepareScalars();
    m_rnn2.prepareScalars();
    m_rnn2Reverse.prepareScalars();
    const Tensor& a = m_rnn2.W;
    const Tensor& b = m_rnn2Reverse.W;
    // One projection serves both directions only if both cells scale their
    // lane weights alike (FastGrnnCell::laneW).
    m_rnn2SharesW = a.shape() == b.shape() && std::equal(a.data(), a.data() + a.numel(), b.data()) &&
                    m_rnn2.gateBiasesBounded == m_rnn2Reverse.gateBiasesBounded;
}

int64_t RnnPool::gridSize(int64_t inputExtent) const
{
    if (inputExtent < m_params.patch)
        return 0;
    return (inputExtent - m_params.patch) / m_params.stride + 1;
}

Status RnnPool::prepare(std::span<const Shape> inputs, Shape& output) const
{
    const Shape& in = inputs[0];
    if (in.size() != 3 || in[0] != m_params.inChannels)
        return makeError("rnnpool expects " + std::to_string(m_params.inChannels) + " input channels, got shape " + shapeToString(in));
    const int64_t gh = gridSize(in[1]), gw = gridSize(in[2]);
    if (gh <= 0 || gw <= 0)
        return makeError("rnnpool needs a map of at least " + std::to_string(m_params.patch) + "x" +
                         std::to_string(m_params.patch) + ", got " + std::to_string(in[2]) + "x" + std::to_string(in[1]));
    output = {4 * m_params.hidden2, gh + m_params.padBottomRight, gw + m_params.padBottomRight};
    return Status::ok();
}

int64_t RnnPool::madds(std::span<const Shape> inputs, const Shape&) const
{
    // Paper convention: every patch runs RNN1 over 2·k sequences of k steps and
    // RNN2 over 4 sequences of k steps, each step costing (input + hidden)·hidden.
    const auto& p = m_params;
    const int64_t patches = gridSize(inputs[0][1]) * gridSize(inputs[0][2]);
    const int64_t rnn1 = 2 * p.patch * p.patch * (p.inChannels + p.hidden1) * p.hidden1;
    const int64_t rnn2 = 4 * p.patch * (p.hidden1 + p.hidden2) * p.hidden2;
    return patches * (rnn1 + rnn2);
}

void RnnPool::eval(std::span<const Tensor* const> inputs, Tensor& out) const
{
    rnnPoolBatched(*this, *inputs[0], out);
    replicatePadBottomRight(out, gridSize(inputs[0]->dim(1)), gridSize(inputs[0]->dim(2)));
}

void replicatePadBottomRight(Tensor& out, int64_t gh, int64_t gw)
{
    const int64_t oh = out.dim(1), ow = out.dim(2);
    for (int64_t ch = 0; ch < out.dim(0); ++ch) {
        float* plane = out.data() + ch * oh * ow;
        for (int64_t y = 0; y < gh; ++y)
            std::fill(plane + y * ow + gw, plane + (y + 1) * ow, plane[y * ow + gw - 1]);
        for (int64_t y = gh; y < oh; ++y)
            std::copy_n(plane + (gh - 1) * ow, ow, plane + y * ow);
    }
}

RnnPoolTrace patchTrace(const Tensor& input, int64_t patchRow, int64_t patchCol, int64_t stride, int64_t patch,
                        int64_t hidden1, int64_t hidden2)
{
    RnnPoolTrace t;
    t.patchRow = patchRow;
    t.patchCol = patchCol;
    t.top = patchRow * stride;
    t.left = patchCol * stride;
    t.size = patch;
    t.hidden1 = hidden1;
    t.hidden2 = hidden2;
    const int64_t c = input.dim(0);
    t.input = Tensor({c, patch, patch});
    for (int64_t ch = 0; ch < c; ++ch)
        for (int64_t y = 0; y < patch; ++y)
            for (int64_t x = 0; x < patch; ++x)
                t.input.at(ch, y, x) = input.at(ch, t.top + y, t.left + x);
    return t;
}

Expected<RnnPoolTrace> RnnPool::trace(const Tensor& input, int64_t patchRow, int64_t patchCol) const
{
    const auto& p = m_params;
    if (input.rank() != 3 || input.dim(0) != p.inChannels)
        return makeError("rnnpool trace: input has shape " + shapeToString(input.shape()) + ", expected " +
                         std::to_string(p.inChannels) + " channels");
    const int64_t gh = gridSize(input.dim(1)), gw = gridSize(input.dim(2));
    if (patchRow < 0 || patchCol < 0 || patchRow >= gh || patchCol >= gw)
        return makeError("rnnpool trace: patch (" + std::to_string(patchRow) + "," + std::to_string(patchCol) +
                         ") is outside the " + std::to_string(gh) + "x" + std::to_string(gw) + " patch grid");
    const int64_t k = p.patch, c = p.inChannels, h1 = p.hidden1, h2 = p.hidden2;
    RnnPoolTrace t = patchTrace(input, patchRow, patchCol, p.stride, k, h1, h2);

    t.rowSweeps = Tensor({k, k, h1});
    t.colSweeps = Tensor({k, k, h1});
    std::vector<float> h(static_cast<size_t>(h1)), x(static_cast<size_t>(c)), wx(static_cast<size_t>(h1));
    for (int pass = 0; pass < 2; ++pass) {
        Tensor& sweeps = pass == 0 ? t.rowSweeps : t.colSweeps;
        for (int64_t line = 0; line < k; ++line) {
            std::fill(h.begin(), h.end(), 0.0f);
            for (int64_t step = 0; step < k; ++step) {
                const int64_t y = pass == 0 ? line : step, xx = pass == 0 ? step : line;
                for (int64_t ch = 0; ch < c; ++ch)
                    x[ch] = t.input.at(ch, y, xx);
                m_rnn1.inputProjection(x.data(), wx.data());
                m_rnn1.step(wx.data(), h.data());
                std::copy(h.begin(), h.end(), sweeps.data() + (line * k + step) * h1);
            }
        }
    }
    // The summaries are the last state of each sweep.
    std::vector<float> rows(static_cast<size_t>(k * h1)), cols(static_cast<size_t>(k * h1));
    for (int64_t line = 0; line < k; ++line) {
        std::copy_n(t.rowSweeps.data() + (line * k + k - 1) * h1, h1, rows.data() + line * h1);
        std::copy_n(t.colSweeps.data() + (line * k + k - 1) * h1, h1, cols.data() + line * h1);
    }
    t.rowsForward = Tensor({k, h2});
    t.rowsBackward = Tensor({k, h2});
    t.colsForward = Tensor({k, h2});
    t.colsBackward = Tensor({k, h2});
    sweepSummaries(m_rnn2, rows.data(), k, false, t.rowsForward.data());
    sweepSummaries(m_rnn2Reverse, rows.data(), k, true, t.rowsBackward.data());
    sweepSummaries(m_rnn2, cols.data(), k, false, t.colsForward.data());
    sweepSummaries(m_rnn2Reverse, cols.data(), k, true, t.colsBackward.data());
    t.output = Tensor({4 * h2});
    const Tensor* finals[4] = {&t.rowsForward, &t.rowsBackward, &t.colsForward, &t.colsBackward};
    for (int i = 0; i < 4; ++i)
        std::copy_n(finals[i]->data() + (k - 1) * h2, h2, t.output.data() + i * h2);
    return t;
}

std::vector<float> rnnPoolPatchReference(const float* patch, int64_t rows, int64_t cols, int64_t channels,
                                         const FastGrnnCell& rnn1, const FastGrnnCell& rnn2Forward,
                                         const FastGrnnCell& rnn2Backward)
{
    const int64_t h1 = rnn1.hiddenSize, h2 = rnn2Forward.hiddenSize;
    std::vector<float> rowSummary(static_cast<size_t>(rows * h1), 0.0f), colSummary(static_cast<size_t>(cols * h1), 0.0f);
    std::vector<float> wx(static_cast<size_t>(h1));
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c) {
            rnn1.inputProjection(patch + (r * cols + c) * channels, wx.data());
            rnn1.step(wx.data(), rowSummary.data() + r * h1);
        }
    for (int64_t c = 0; c < cols; ++c)
        for (int64_t r = 0; r < rows; ++r) {
            rnn1.inputProjection(patch + (r * cols + c) * channels, wx.data());
            rnn1.step(wx.data(), colSummary.data() + c * h1);
        }
    std::vector<float> out(static_cast<size_t>(4 * h2));
    std::vector<float> states(static_cast<size_t>(std::max(rows, cols) * h2));
    sweepSummaries(rnn2Forward, rowSummary.data(), rows, false, states.data());
    std::copy_n(states.data() + (rows - 1) * h2, h2, out.data());
    sweepSummaries(rnn2Backward, rowSummary.data(), rows, true, states.data());
    std::copy_n(states.data() + (rows - 1) * h2, h2, out.data() + h2);
    sweepSummaries(rnn2Forward, colSummary.data(), cols, false, states.data());
    std::copy_n(states.data() + (cols - 1) * h2, h2, out.data() + 2 * h2);
    sweepSummaries(rnn2Backward, colSummary.data(), cols, true, states.data());
    std::copy_n(states.data() + (cols - 1) * h2, h2, out.data() + 3 * h2);
    return out;
}

} // namespace rnnpool
