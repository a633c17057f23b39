#include "ops/rnnpool_batched.h"

#include <algorithm>

#include <Eigen/Core>

namespace rnnpool {

namespace {
using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstMap = Eigen::Map<const RowMatrix>;

// Sequences advance in blocks small enough to stay in cache.
constexpr int64_t kBlock = 256;

// Biases repeated for a full block of sequences, so the gates run as flat,
// contiguous array expressions whatever the hidden size (h = 8 would waste
// most of a 16-wide vector in row-wise broadcasts).
struct TiledBiases {
    Eigen::ArrayXf gate, update;
    TiledBiases(const FastGrnnCell& cell, int64_t rows)
        : gate(Eigen::Map<const Eigen::ArrayXf>(cell.biasGate.data(), cell.hiddenSize).replicate(rows, 1))
        , update(Eigen::Map<const Eigen::ArrayXf>(cell.biasUpdate.data(), cell.hiddenSize).replicate(rows, 1))
    {
    }
};

// Advances every sequence (one per row of `state`) by one FastGRNN step whose
// input projections are already in `pre`.
void stepAll(const FastGrnnCell& cell, const TiledBiases& bias, RowMatrix& pre, RowMatrix& state, Eigen::ArrayXf& z,
             Eigen::ArrayXf& c)
{
    // pre += state·U as broadcast-multiply-adds along rows: for h <= 64 this
    // beats a general GEMM call and vectorises fully.
    const int64_t n = state.rows(), h = cell.hiddenSize;
    const float* u = cell.U.data();
    for (int64_t i = 0; i < n; ++i) {
        float* out = pre.data() + i * h;
        const float* s = state.data() + i * h;
        for (int64_t k = 0; k < h; ++k) {
            const float sk = s[k];
            const float* uk = u + k * h;
            for (int64_t j = 0; j < h; ++j)
                out[j] += sk * uk[j];
        }
    }
    const int64_t len = n * h;
    const auto flatPre = Eigen::Map<const Eigen::ArrayXf>(pre.data(), len);
    auto flatState = Eigen::Map<Eigen::ArrayXf>(state.data(), len);
    z = (flatPre + bias.gate.head(len)).logistic();
    c = (flatPre + bias.update.head(len)).tanh();
    flatState = z * flatState + (cell.sigmoidZeta * (1.0f - z) + cell.sigmoidNu) * c;
}

// Runs RNN1 over `count` sequences of `steps` pixels; sequence i, step t reads
// the projected pixel at firstPixel(i) + t * pixelStride. Returns final states.
template <typename FirstPixel>
RowMatrix sweepPixels(const FastGrnnCell& cell, const RowMatrix& projected, int64_t count, int64_t steps,
                      int64_t pixelStride, FirstPixel firstPixel)
{
    const int64_t h = cell.hiddenSize;
    RowMatrix result(count, h);
    const TiledBiases bias(cell, kBlock);
    // Blocks are independent, so threads give identical results.
#pragma omp parallel for schedule(static)
    for (int64_t begin = 0; begin < count; begin += kBlock) {
        RowMatrix state, pre;
        Eigen::ArrayXf z, c;
        const int64_t n = std::min(kBlock, count - begin);
        state.setZero(n, h);
        pre.resize(n, h);
        for (int64_t t = 0; t < steps; ++t) {
            for (int64_t i = 0; i < n; ++i)
                std::copy_n(projected.data() + (firstPixel(begin + i) + t * pixelStride) * h, h, pre.data() + i * h);
            stepAll(cell, bias, pre, state, z, c);
        }
        result.middleRows(begin, n) = state;
    }
    return result;
}

// RNN2 over the k summaries of every patch, forward or backward. summaryRow(p, t)
// gives the row of `summaries` holding patch p's t-th summary.
template <typename SummaryRow>
RowMatrix sweepSummaries(const FastGrnnCell& cell, const RowMatrix& summaries, int64_t patches, int64_t steps,
                         bool backward, SummaryRow summaryRow)
{
    const int64_t hIn = cell.inputSize, h = cell.hiddenSize;
    const ConstMap w(cell.W.data(), hIn, h);
    RowMatrix result(patches, h);
    const TiledBiases bias(cell, kBlock);
#pragma omp parallel for schedule(static)
    for (int64_t begin = 0; begin < patches; begin += kBlock) {
        RowMatrix state, in, pre;
        Eigen::ArrayXf z, c;
        const int64_t n = std::min(kBlock, patches - begin);
        state.setZero(n, h);
        in.resize(n, hIn);
        for (int64_t t = 0; t < steps; ++t) {
            const int64_t index = backward ? steps - 1 - t : t;
            for (int64_t p = 0; p < n; ++p)
                std::copy_n(summaries.data() + summaryRow(begin + p, index) * hIn, hIn, in.data() + p * hIn);
            pre.noalias() = in * w;
            stepAll(cell, bias, pre, state, z, c);
        }
        result.middleRows(begin, n) = state;
    }
    return result;
}
} // namespace

void rnnPoolBatched(const RnnPool& op, const Tensor& input, Tensor& out)
{
    const RnnPoolParams& p = op.params();
    const int64_t c = input.dim(0), ih = input.dim(1), iw = input.dim(2);
    const int64_t gh = op.gridSize(ih), gw = op.gridSize(iw);
    const int64_t k = p.patch, s = p.stride, h2 = p.hidden2;
    const FastGrnnCell& rnn1 = op.rnn1();

    // x·W of RNN1 for every pixel: [pixels × h1].
    const ConstMap x(input.data(), c, ih * iw);
    const RowMatrix projected = x.transpose() * ConstMap(rnn1.W.data(), c, rnn1.hiddenSize);

    // Row sweeps are shared by vertically overlapping patches: one per image
    // row the grid touches and per grid column.
    const int64_t rowsTouched = (gh - 1) * s + k;
    const RowMatrix rowFinal = sweepPixels(rnn1, projected, rowsTouched * gw, k, 1,
                                           [&](int64_t i) { return (i / gw) * iw + (i % gw) * s; });
    // Column sweeps likewise: one per image column the grid touches and per grid row.
    const int64_t colsTouched = (gw - 1) * s + k;
    const RowMatrix colFinal = sweepPixels(rnn1, projected, gh * colsTouched, k, iw,
                                           [&](int64_t i) { return (i / colsTouched) * s * iw + (i % colsTouched); });

    const int64_t patches = gh * gw;
    // Patch (gy, gx)'s r-th row summary is the sweep of image row gy*s + r at grid column gx.
    auto rowSummary = [&](int64_t patch, int64_t r) { return ((patch / gw) * s + r) * gw + patch % gw; };
    auto colSummary = [&](int64_t patch, int64_t col) { return (patch / gw) * colsTouched + (patch % gw) * s + col; };
    const RowMatrix results[4] = {
        sweepSummaries(op.rnn2Forward(), rowFinal, patches, k, false, rowSummary),
        sweepSummaries(op.rnn2Backward(), rowFinal, patches, k, true, rowSummary),
        sweepSummaries(op.rnn2Forward(), colFinal, patches, k, false, colSummary),
        sweepSummaries(op.rnn2Backward(), colFinal, patches, k, true, colSummary),
    };
    const int64_t oh = out.dim(1), ow = out.dim(2);
    for (int part = 0; part < 4; ++part)
        for (int64_t j = 0; j < h2; ++j) {
            float* plane = out.data() + (part * h2 + j) * oh * ow;
            for (int64_t patch = 0; patch < patches; ++patch)
                plane[(patch / gw) * ow + patch % gw] = results[part](patch, j);
        }
}

} // namespace rnnpool
