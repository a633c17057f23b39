#include "ops/rnnpool_batched.h"

#include <algorithm>
#include <vector>

#include "ops/fastgrnn_lanes.h"

namespace rnnpool {

namespace {
using lanes::kLanes;

int64_t roundUp(int64_t v, int64_t m) { return (v + m - 1) / m * m; }

// Phase-split planar layout of a map: column x = m·s + φ is stored at
// [φ][m], so both the columns a row sweep visits at one step (x = gx·s + t for
// every grid column gx) and the columns of one phase are consecutive floats.
struct PhaseLayout {
    int64_t rows = 0, stride = 0, width = 0; // width = ⌈cols / stride⌉ per phase
    int64_t rowPitch() const { return stride * width; }
    int64_t plane() const { return rows * rowPitch(); }
};

// Per-thread scratch kept between calls: no allocation per frame once warm.
std::vector<float>& scratch(int slot)
{
    thread_local std::vector<float> buffers[4];
    return buffers[slot];
}

float* sized(int slot, int64_t n)
{
    auto& b = scratch(slot);
    if (static_cast<int64_t>(b.size()) < n)
        b.assign(static_cast<size_t>(n), 0.0f);
    return b.data();
}
} // namespace

void rnnPoolBatched(const RnnPool& op, const Tensor& input, Tensor& out)
{
    const RnnPoolParams& p = op.params();
    const int64_t c = input.dim(0), ih = input.dim(1), iw = input.dim(2);
    const int64_t gh = op.gridSize(ih), gw = op.gridSize(iw);
    const int64_t k = p.patch, s = p.stride, h1 = p.hidden1, h2 = p.hidden2;
    const FastGrnnCell& rnn1 = op.rnn1();
    const PhaseLayout layout{ih, s, (iw + s - 1) / s};
    const int64_t rowsTouched = (gh - 1) * s + k, colsTouched = (gw - 1) * s + k;

    // x·W of RNN1 once per pixel, written in the phase-split layout: image row
    // by image row, so the row's input channels stay in L1 while every hidden
    // unit's plane gets its row. projected[j] is hidden unit j's plane.
    float* split = sized(0, c * layout.rowPitch());
    float* projected = sized(1, h1 * layout.plane() + 2 * kLanes + k);
    const float* w = rnn1.W.data();
    for (int64_t y = 0; y < ih; ++y) {
        for (int64_t ch = 0; ch < c; ++ch)
            for (int64_t phase = 0; phase < s; ++phase)
                for (int64_t m = 0, x = phase; x < iw; ++m, x += s)
                    split[ch * layout.rowPitch() + phase * layout.width + m] = input.data()[(ch * ih + y) * iw + x];
        for (int64_t j = 0; j < h1; ++j) {
            float* dst = projected + j * layout.plane() + y * layout.rowPitch();
            for (int64_t i = 0; i < layout.rowPitch(); ++i)
                dst[i] = w[j] * split[i];
            for (int64_t ch = 1; ch < c; ++ch)
                for (int64_t i = 0; i < layout.rowPitch(); ++i)
                    dst[i] += w[ch * h1 + j] * split[ch * layout.rowPitch() + i];
        }
    }

    // RNN1 along rows: one sweep per image row the grid touches and per grid
    // column, shared by the patches above and below. rowFinal[j][y][gx].
    const int64_t gwPitch = roundUp(gw, kLanes), rowPlane = rowsTouched * gwPitch;
    float* rowFinal = sized(2, h1 * rowPlane + kLanes);
#pragma omp parallel for schedule(static)
    for (int64_t y = 0; y < rowsTouched; ++y)
        for (int64_t gx = 0; gx < gw; gx += kLanes) {
            const float* base = projected + y * layout.rowPitch() + gx;
            auto in = [&](int64_t t, int64_t j) { return base + j * layout.plane() + (t % s) * layout.width + t / s; };
            lanes::sweepAny<false>(rnn1, k, in, rowFinal + y * gwPitch + gx, rowPlane);
        }

    // RNN1 down columns: one per image column the grid touches and per grid
    // row, shared by the patches left and right; columns of one phase side by
    // side. colFinal[j][gy][φ][m] for column m·s + φ.
    const int64_t colWidth = (colsTouched + s - 1) / s, colPitch = roundUp(layout.width, kLanes);
    const int64_t colPlane = gh * s * colPitch;
    float* colFinal = sized(3, h1 * colPlane + kLanes);
#pragma omp parallel for schedule(static)
    for (int64_t gy = 0; gy < gh; ++gy)
        for (int64_t phase = 0; phase < s; ++phase)
            for (int64_t m = 0; m < colWidth; m += kLanes) {
                const float* base = projected + gy * s * layout.rowPitch() + phase * layout.width + m;
                auto in = [&](int64_t t, int64_t j) { return base + j * layout.plane() + t * layout.rowPitch(); };
                lanes::sweepAny<false>(rnn1, k, in, colFinal + (gy * s + phase) * colPitch + m, colPlane);
            }

    // RNN2 forward and backward over each patch's row and column summaries,
    // lanes over the grid columns of one grid row, straight into the output planes.
    const int64_t oh = out.dim(1), ow = out.dim(2);
#pragma omp parallel for schedule(static)
    for (int64_t gy = 0; gy < gh; ++gy) {
        float finals[4 * lanes::kMaxHidden * kLanes];
        for (int64_t gx = 0; gx < gw; gx += kLanes) {
            const float* rows = rowFinal + gy * s * gwPitch + gx;
            const float* cols = colFinal + gy * s * colPitch + gx;
            auto rowIn = [&](int64_t t, int64_t i) { return rows + i * rowPlane + t * gwPitch; };
            auto rowBack = [&](int64_t t, int64_t i) { return rowIn(k - 1 - t, i); };
            auto colIn = [&](int64_t t, int64_t i) { return cols + i * colPlane + (t % s) * colPitch + t / s; };
            auto colBack = [&](int64_t t, int64_t i) { return colIn(k - 1 - t, i); };
            lanes::sweepAny<true>(op.rnn2Forward(), k, rowIn, finals, kLanes);
            lanes::sweepAny<true>(op.rnn2Backward(), k, rowBack, finals + h2 * kLanes, kLanes);
            lanes::sweepAny<true>(op.rnn2Forward(), k, colIn, finals + 2 * h2 * kLanes, kLanes);
            lanes::sweepAny<true>(op.rnn2Backward(), k, colBack, finals + 3 * h2 * kLanes, kLanes);
            const int64_t valid = std::min(kLanes, gw - gx);
            for (int64_t j = 0; j < 4 * h2; ++j)
                std::copy_n(finals + j * kLanes, valid, out.data() + (j * oh + gy) * ow + gx);
        }
    }
}

int64_t rnnPoolExecutedMadds(const RnnPool& op, const Shape& input)
{
    const RnnPoolParams& p = op.params();
    const int64_t ih = input[1], iw = input[2], gh = op.gridSize(ih), gw = op.gridSize(iw);
    const int64_t k = p.patch, s = p.stride, h1 = p.hidden1, h2 = p.hidden2;
    const int64_t rowSweeps = ((gh - 1) * s + k) * gw, colSweeps = gh * ((gw - 1) * s + k);
    return ih * iw * p.inChannels * h1                        // x·W once per pixel
           + (rowSweeps + colSweeps) * k * h1 * h1            // h·U of the shared RNN1 sweeps
           + gh * gw * 4 * k * (h1 + h2) * h2;                // RNN2, four directions per patch
}

} // namespace rnnpool
