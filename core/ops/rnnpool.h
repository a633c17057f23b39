// RNNPool (Saha et al., NeurIPS 2020): pools each patch of an activation map
// into a 4·h2 vector with two FastGRNNs.
//   RNN1 runs along every row of the patch (left to right) and down every
//   column (top to bottom), summarising each into an h1 vector.
//   RNN2 runs forward and backward over the row summaries and over the column
//   summaries; the four final states, in the order
//   [rows forward, rows backward, columns forward, columns backward],
//   are the patch's output.
// Patches are taken as torch.nn.Unfold takes them (patch × patch, stride), and
// the output map gets EdgeML's replicate padding at the bottom and right.
//
// Checkpoint keys (EdgeML's RNNPool module under "<weights>"):
//   <weights>.cell_rnn.cell.{W,U,bias_gate,bias_update,zeta,nu}       RNN1
//   <weights>.cell_bidirrnn.cell.{...}                                RNN2 forward
//   <weights>.cell_bidirrnn.unrollRNN.RNNCell_reverse.{...}           RNN2 backward,
//       falling back to the forward cell when a file lacks it.
#pragma once

#include "ops/fastgrnn.h"
#include "ops/op.h"

namespace rnnpool {

struct RnnPoolParams {
    int64_t inChannels = 0;
    int64_t patch = 8;
    int64_t stride = 4;
    int64_t hidden1 = 16;
    int64_t hidden2 = 16;
    int64_t padBottomRight = 1; // replicate padding EdgeML applies after folding
    std::string weights;
};

constexpr int64_t kMaxRnnHidden = 256;

// Every hidden state of one patch, for the studio's sweep view and as the
// scalar reference of the operator.
struct RnnPoolTrace {
    int64_t patchRow = 0, patchCol = 0; // patch index in the output grid
    int64_t top = 0, left = 0;          // its top-left pixel in the input map
    int64_t size = 0, hidden1 = 0, hidden2 = 0;
    Tensor input;     // [C, size, size]
    Tensor rowSweeps; // [size rows, size steps, h1]: RNN1 along row r, state after step t
    Tensor colSweeps; // [size cols, size steps, h1]: RNN1 down column c
    Tensor rowsForward, rowsBackward; // [size steps, h2]: RNN2 over the row summaries
    Tensor colsForward, colsBackward; // [size steps, h2]: RNN2 over the column summaries
    Tensor output;    // [4*h2]
};

// Patch (row, col) of `input` (CHW): its geometry and its input copied; the
// states are left for the caller to fill (float or Q15).
RnnPoolTrace patchTrace(const Tensor& input, int64_t patchRow, int64_t patchCol, int64_t stride, int64_t patch,
                        int64_t hidden1, int64_t hidden2);

class RnnPool final : public Op {
public:
    explicit RnnPool(RnnPoolParams params);

    std::string_view kind() const override { return "rnnpool"; }
    std::vector<WeightSlot> weightSlots() override;
    void finalize() override;
    Status prepare(std::span<const Shape> inputs, Shape& output) const override;
    void eval(std::span<const Tensor* const> inputs, Tensor& output) const override;
    int64_t madds(std::span<const Shape> inputs, const Shape& output) const override;

    const RnnPoolParams& params() const { return m_params; }
    const FastGrnnCell& rnn1() const { return m_rnn1; }
    const FastGrnnCell& rnn2Forward() const { return m_rnn2; }
    const FastGrnnCell& rnn2Backward() const { return m_rnn2Reverse; }
    FastGrnnCell& rnn1() { return m_rnn1; }
    FastGrnnCell& rnn2Forward() { return m_rnn2; }
    FastGrnnCell& rnn2Backward() { return m_rnn2Reverse; }
    // RNN2's two directions have the same W (EdgeML shares the cell), so the
    // fast kernel projects each summary once for both (set by finalize()).
    bool rnn2SharesInputWeights() const { return m_rnn2SharesW; }

    // Patch grid of an input map (before the bottom/right padding).
    int64_t gridSize(int64_t inputExtent) const;
    // Every hidden state of patch (row, col) of `input` (CHW), computed with
    // plain scalar loops. Fails on an out-of-range patch.
    Expected<RnnPoolTrace> trace(const Tensor& input, int64_t patchRow, int64_t patchCol) const;

private:
    RnnPoolParams m_params;
    FastGrnnCell m_rnn1, m_rnn2, m_rnn2Reverse;
    bool m_rnn2SharesW = false;
};

// EdgeML's F.pad(..., mode='replicate') after folding: fills every row >= gh
// and column >= gw of `out` from the nearest cell of the gh × gw grid.
void replicatePadBottomRight(Tensor& out, int64_t gh, int64_t gw);

// The operator on one patch given as [rows][cols][channels] (the layout of
// EdgeML's C reference), scalar loops; returns the 4·h2 output.
std::vector<float> rnnPoolPatchReference(const float* patchRowsColsChannels, int64_t rows, int64_t cols,
                                         int64_t channels, const FastGrnnCell& rnn1, const FastGrnnCell& rnn2Forward,
                                         const FastGrnnCell& rnn2Backward);

} // namespace rnnpool
