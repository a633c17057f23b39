#include "ops/rnnpool_batched.h"

#include <algorithm>
#include <vector>

#include "ops/fastgrnn_lanes.h"
#include "ops/sequence_packer.h"

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

// dst[m] = src[m·S] for m < n. With S known at compile time the compiler
// vectorises the strided reads (with permutes); a run-time stride stays scalar.
template <int64_t S>
void gatherEvery(const float* __restrict src, int64_t n, float* __restrict dst)
{
    for (int64_t m = 0; m < n; ++m)
        dst[m] = src[m * S];
}

void gatherEvery(const float* src, int64_t stride, int64_t n, float* dst)
{
    switch (stride) {
    case 2: gatherEvery<2>(src, n, dst); break;
    case 4: gatherEvery<4>(src, n, dst); break;
    default:
        for (int64_t m = 0; m < n; ++m)
            dst[m] = src[m * stride];
    }
}

// Per-thread scratch kept between calls: no allocation per frame once warm.
float* scratch(int slot, int64_t n)
{
    thread_local std::vector<float> buffers[5];
    auto& b = buffers[slot];
    if (static_cast<int64_t>(b.size()) < n)
        b.assign(static_cast<size_t>(n), 0.0f);
    return b.data();
}

// One grid row at a time, top to bottom, with rings of the last k image rows:
// everything a grid row reads stays in L2, whatever the picture size.
struct Streamer {
    const RnnPool& op;
    const Tensor& input;
    Tensor& out;
    int64_t c, ih, iw, gh, gw, k, s, h1, h2;
    PhaseLayout layout;
    // Ring of RNN1's x·W: image row y at slot y % k, projected[j][slot][φ][m].
    int64_t projectedPlane;
    // Ring of the row sweeps' final states: rowFinal[j][slot][gx].
    int64_t gwPitch, rowPlane;
    // The column sweeps of the current grid row: colFinal[j][φ][m].
    int64_t colWidth, colPitch, colPlane;
    float *split, *projected, *rowFinal, *colFinal;
    // RNN2's x·W of one packet of patches' k summaries, shared by both directions.
    float* summaries;
    // Ring offsets of image rows y0 .. y0 + k - 1 for the current grid row.
    std::vector<int64_t> projectedRow, finalRow;
    // Step t of a sweep along a phase-split row sits at phase t % s, index
    // t / s: its offset in a projected row and in the column sweeps' finals
    // (a table, not two divisions per step and feature).
    std::vector<int64_t> rowStep, colStep;
    // The last few sequences of each run (a grid 40 wide leaves 8 of 48
    // lanes), packed into whole packets: RNN1's row and column sweeps, and
    // RNN2's four sweeps of a patch.
    lanes::SequencePacker rowTails, colTails, patchTails;

    Streamer(const RnnPool& o, const Tensor& in, Tensor& output)
        : op(o), input(in), out(output)
        , rowTails(o.params().patch, o.params().hidden1, 1, o.params().hidden1)
        , colTails(o.params().patch, o.params().hidden1, 1, o.params().hidden1)
        , patchTails(o.params().patch, o.params().hidden1, 2, 4 * o.params().hidden2)
    {
        const RnnPoolParams& p = op.params();
        c = in.dim(0), ih = in.dim(1), iw = in.dim(2);
        gh = op.gridSize(ih), gw = op.gridSize(iw);
        k = p.patch, s = p.stride, h1 = p.hidden1, h2 = p.hidden2;
        layout = {k, s, (iw + s - 1) / s};
        projectedPlane = layout.plane();
        gwPitch = roundUp(gw, kLanes), rowPlane = k * gwPitch;
        const int64_t colsTouched = (gw - 1) * s + k;
        colWidth = (colsTouched + s - 1) / s, colPitch = roundUp(layout.width, kLanes), colPlane = s * colPitch;
        // Lanes past the valid ones read up to a packet and a patch beyond.
        split = scratch(0, c * layout.rowPitch());
        projected = scratch(1, h1 * projectedPlane + 2 * kLanes + k);
        rowFinal = scratch(2, h1 * rowPlane + kLanes);
        colFinal = scratch(3, h1 * colPlane + kLanes);
        summaries = scratch(4, k * h2 * kLanes);
        projectedRow.resize(static_cast<size_t>(k));
        finalRow.resize(static_cast<size_t>(k));
        for (int64_t t = 0; t < k; ++t) {
            rowStep.push_back((t % s) * layout.width + t / s);
            colStep.push_back((t % s) * colPitch + t / s);
        }
    }

    int64_t slot(int64_t y) const { return y % k; }

    // RNN1 over the k steps in(t, j) of the sequences starting at `final`
    // (final states at final[j · pitch]): swept now when they fill a packet,
    // else packed with other runs' last few.
    template <typename Input>
    void rnn1(lanes::SequencePacker& tails, Input in, int64_t valid, float* final, int64_t pitch)
    {
        if (valid == kLanes)
            return lanes::sweepAny<false>(op.rnn1(), k, in, final, pitch);
        tails.pack(valid, final, pitch, [&] { flushRnn1(tails); }, in);
    }

    void flushRnn1(lanes::SequencePacker& tails)
    {
        if (tails.empty())
            return;
        auto staged = [&](int64_t t, int64_t j) { return tails.input(0, t, j); };
        lanes::sweepAny<false>(op.rnn1(), k, staged, tails.finals(), kLanes);
        tails.scatter();
    }

    // x·W of the split row for few input channels: per packet of pixels the
    // c inputs are loaded once and every hidden unit's sum is stored once
    // (the same products, summed in the same channel order as the general
    // loop). The row's last packet is partial: the next ring slot follows.
    static constexpr int64_t kFewChannels = 8;
    void projectFewChannels(const float* w, float* row) const
    {
        const int64_t pitch = layout.rowPitch();
        for (int64_t i = 0; i < pitch; i += kLanes) {
            const int64_t n = std::min(kLanes, pitch - i);
            simd::Packet x[kFewChannels];
            for (int64_t ch = 0; ch < c; ++ch)
                x[ch] = n == kLanes ? simd::load(split + ch * pitch + i) : simd::loadPartial(split + ch * pitch + i, n);
            for (int64_t j = 0; j < h1; ++j) {
                simd::Packet acc = simd::mul(simd::splat(w[j]), x[0]);
                for (int64_t ch = 1; ch < c; ++ch)
                    acc = simd::fma(simd::splat(w[ch * h1 + j]), x[ch], acc);
                if (n == kLanes)
                    simd::store(row + j * projectedPlane + i, acc);
                else
                    simd::storePartial(row + j * projectedPlane + i, acc, n);
            }
        }
    }

    // x·W of image row y into its ring slot, and RNN1 along that row, one
    // sweep per grid column (shared by the patches above and below).
    void addRow(int64_t y)
    {
        const float* w = op.rnn1().laneW.data(); // as the sweeps expect it
        for (int64_t ch = 0; ch < c; ++ch)
            for (int64_t phase = 0; phase < s; ++phase)
                gatherEvery(input.data() + (ch * ih + y) * iw + phase, s, (iw - phase + s - 1) / s,
                            split + ch * layout.rowPitch() + phase * layout.width);
        float* row = projected + slot(y) * layout.rowPitch();
        const int64_t* step = rowStep.data();
        if (c <= kFewChannels)
            projectFewChannels(w, row);
        else
            for (int64_t j = 0; j < h1; ++j) {
                float* dst = row + j * projectedPlane;
                for (int64_t i = 0; i < layout.rowPitch(); ++i)
                    dst[i] = w[j] * split[i];
                for (int64_t ch = 1; ch < c; ++ch)
                    for (int64_t i = 0; i < layout.rowPitch(); ++i)
                        dst[i] += w[ch * h1 + j] * split[ch * layout.rowPitch() + i];
            }
        for (int64_t gx = 0; gx < gw; gx += kLanes) {
            const float* base = row + gx;
            auto in = [&](int64_t t, int64_t j) { return base + j * projectedPlane + step[t]; };
            rnn1(rowTails, in, std::min(kLanes, gw - gx), rowFinal + slot(y) * gwPitch + gx, rowPlane);
        }
    }

    // RNN2 forward and backward over the k summaries in(t, i) of a packet of
    // patches, x·W once for both; final states at finals[j] and finals[h2 + j].
    template <typename Input>
    void bidirectional(Input in, float* finals)
    {
        lanes::projectStepsAny(op.rnn2Forward(), k, in, summaries);
        auto forward = [&](int64_t t, int64_t j) { return summaries + (t * h2 + j) * kLanes; };
        auto backward = [&](int64_t t, int64_t j) { return forward(k - 1 - t, j); };
        lanes::sweepAny<false>(op.rnn2Forward(), k, forward, finals, kLanes);
        lanes::sweepAny<false>(op.rnn2Backward(), k, backward, finals + h2 * kLanes, kLanes);
    }

    // RNN2 forward and backward over the rows' and the columns' summaries
    // of a packet of patches; finals[j] for the 4·h2 outputs in order.
    template <typename RowIn, typename ColIn>
    void summarise(RowIn rowIn, ColIn colIn, float* finals)
    {
        if (op.rnn2SharesInputWeights()) {
            bidirectional(rowIn, finals);
            bidirectional(colIn, finals + 2 * h2 * kLanes);
            return;
        }
        auto rowBack = [&](int64_t t, int64_t i) { return rowIn(k - 1 - t, i); };
        auto colBack = [&](int64_t t, int64_t i) { return colIn(k - 1 - t, i); };
        lanes::sweepAny<true>(op.rnn2Forward(), k, rowIn, finals, kLanes);
        lanes::sweepAny<true>(op.rnn2Backward(), k, rowBack, finals + h2 * kLanes, kLanes);
        lanes::sweepAny<true>(op.rnn2Forward(), k, colIn, finals + 2 * h2 * kLanes, kLanes);
        lanes::sweepAny<true>(op.rnn2Backward(), k, colBack, finals + 3 * h2 * kLanes, kLanes);
    }

    void flushPatches()
    {
        if (patchTails.empty())
            return;
        auto rowIn = [&](int64_t t, int64_t i) { return patchTails.input(0, t, i); };
        auto colIn = [&](int64_t t, int64_t i) { return patchTails.input(1, t, i); };
        summarise(rowIn, colIn, patchTails.finals());
        patchTails.scatter();
    }

    // Grid row gy, once the ring holds image rows gy·s .. gy·s + k - 1: RNN1
    // down every column the grid touches (shared by the patches left and
    // right; columns of one phase side by side), then RNN2 forward and
    // backward over each patch's summaries, lanes over grid columns, straight
    // into the output planes.
    void gridRow(int64_t gy)
    {
        flushRnn1(rowTails); // the row sweeps this grid row reads
        const int64_t y0 = gy * s;
        for (int64_t t = 0; t < k; ++t) {
            projectedRow[static_cast<size_t>(t)] = slot(y0 + t) * layout.rowPitch();
            finalRow[static_cast<size_t>(t)] = slot(y0 + t) * gwPitch;
        }
        const int64_t* rowOffset = projectedRow.data();
        const int64_t* finalOffset = finalRow.data();
        const int64_t* colSteps = colStep.data();
        for (int64_t phase = 0; phase < s; ++phase)
            for (int64_t m = 0; m < colWidth; m += kLanes) {
                const float* base = projected + phase * layout.width + m;
                auto in = [&](int64_t t, int64_t j) { return base + j * projectedPlane + rowOffset[t]; };
                rnn1(colTails, in, std::min(kLanes, colWidth - m), colFinal + phase * colPitch + m, colPlane);
            }
        flushRnn1(colTails);
        const int64_t oh = out.dim(1), ow = out.dim(2);
        float finals[4 * lanes::kMaxHidden * kLanes];
        for (int64_t gx = 0; gx < gw; gx += kLanes) {
            auto rowIn = [&](int64_t t, int64_t i) { return rowFinal + i * rowPlane + finalOffset[t] + gx; };
            auto colIn = [&](int64_t t, int64_t i) { return colFinal + gx + i * colPlane + colSteps[t]; };
            const int64_t valid = std::min(kLanes, gw - gx);
            float* dst = out.data() + gy * ow + gx;
            if (valid < kLanes) {
                patchTails.pack(valid, dst, oh * ow, [&] { flushPatches(); }, rowIn, colIn);
                continue;
            }
            summarise(rowIn, colIn, finals);
            for (int64_t j = 0; j < 4 * h2; ++j) {
                // One packet store per output channel (no library call per 16 floats).
                simd::store(dst + j * oh * ow, simd::load(finals + j * kLanes));
            }
        }
    }
};
} // namespace

void rnnPoolBatched(const RnnPool& op, const Tensor& input, Tensor& out)
{
    const int64_t gh = op.gridSize(input.dim(1));
    const int64_t k = op.params().patch, s = op.params().stride;
    // Threads take contiguous runs of grid rows; each fills its own rings
    // from the run's first row, so the k - s rows shared with the run above
    // are computed twice, identically.
#pragma omp parallel
    {
        Streamer streamer(op, input, out);
        int64_t nextRow = -1;
#pragma omp for schedule(static)
        for (int64_t gy = 0; gy < gh; ++gy) {
            if (nextRow < 0)
                nextRow = gy * s;
            for (; nextRow < gy * s + k; ++nextRow)
                streamer.addRow(nextRow);
            streamer.gridRow(gy);
        }
        streamer.flushPatches();
    }
}

int64_t rnnPoolExecutedMadds(const RnnPool& op, const Shape& input)
{
    const RnnPoolParams& p = op.params();
    const int64_t ih = input[1], iw = input[2], gh = op.gridSize(ih), gw = op.gridSize(iw);
    const int64_t k = p.patch, s = p.stride, h1 = p.hidden1, h2 = p.hidden2;
    const int64_t rowsTouched = (gh - 1) * s + k;
    const int64_t rowSweeps = rowsTouched * gw, colSweeps = gh * ((gw - 1) * s + k);
    const int64_t rnn2Projections = op.rnn2SharesInputWeights() ? 2 : 4; // per patch: rows and columns, or each direction
    return rowsTouched * iw * p.inChannels * h1               // x·W once per pixel of the rows the grid touches
           + (rowSweeps + colSweeps) * k * h1 * h1            // h·U of the shared RNN1 sweeps
           + gh * gw * k * (rnn2Projections * h1 + 4 * h2) * h2; // RNN2: x·W, then h·U in four directions
}

} // namespace rnnpool
