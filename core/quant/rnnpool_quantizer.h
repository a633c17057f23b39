// Float RNNPool -> the integer operator of core/integer/rnnpool_q15.h
// (rp_rnnpool_s8q15_*): int8 map in, Q15 FastGRNN weights, int16 hidden
// states, int16 output per patch, int8 output map.
//
//   RnnPoolCalibration cal;                            // ranges from float runs
//   calibrateRnnPool(op, stemOutput, cal);             // once per picture
//   Expected<RnnPoolQ15> q = RnnPoolQ15::quantize(op, optionsFromCalibration(cal));
//   rp_rnnpool_s8q15_config cfg = q->config();         // points into *q
//   std::vector<uint8_t> scratch(rp_rnnpool_s8q15_map_scratch_bytes(&cfg, w));
//   rp_rnnpool_s8q15_map(&cfg, in8, h, w, out8, scratch.data());
//
// How the formats are chosen (all powers of two except the int8 scales):
// - W, U of each cell: int16, Q f with f = floor(log2(32767 / max|w|)) capped
//   at 20: the most fractional bits that hold the largest weight (per tensor;
//   RNN weights are small, so f is 14..17 in practice).
// - Hidden states: int16, Q f from the largest |h| seen in calibration times a
//   headroom of 1.25, capped at 15 (|h| < 1 gives Q14 or Q15); h saturates.
// - Pre-activations: int32 Q12 (±524288 real range, 2.4e-4 resolution, far
//   below the sigmoid/tanh table's error); biases int32 Q12.
// - W.x and U.h go to Q12 through one fixed-point multiplier each
//   (mult in [2^30, 2^31), round half up): for RNN1, W.x folds the int8
//   input's scale and zero point (sum W (q - zp) * s_in * 2^(12 - f_W)); for
//   RNN2 and every U.h it is the power of two 2^(12 - f_W - f_h).
// - sigmoid(zeta), sigmoid(nu): Q15.
// - The int8 input and output scales/zero points come from the caller (the
//   int8 engine's activation calibration), or optionsFromCalibration() picks
//   them from min/max: scale = (max - min) / 255, zero point so that min maps
//   to -128 (0 is exact).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "integer/rnnpool_q15.h"
#include "ops/rnnpool.h"
#include "util/expected.h"

namespace rnnpool {

// Ranges seen when the float op runs on calibration inputs.
struct RnnPoolCalibration {
    float inputMin = 0.0f, inputMax = 0.0f;
    float outputMin = 0.0f, outputMax = 0.0f;
    float maxAbsHidden1 = 0.0f; // every RNN1 state of every patch
    float maxAbsHidden2 = 0.0f; // every RNN2 state
    int64_t patches = 0;
};

// Adds one input map (CHW, the op's input) to `cal`: every patch's trace.
Status calibrateRnnPool(const RnnPool& op, const Tensor& input, RnnPoolCalibration& cal);

struct RnnPoolQ15Options {
    float inputScale = 0.0f;
    int32_t inputZeroPoint = 0;
    float outputScale = 0.0f;
    int32_t outputZeroPoint = 0;
    float maxAbsHidden1 = 1.0f, maxAbsHidden2 = 1.0f;
};

// int8 scale and zero point of a range (widened to include 0).
void int8ParamsFromRange(float lo, float hi, float& scale, int32_t& zeroPoint);
RnnPoolQ15Options optionsFromCalibration(const RnnPoolCalibration& cal);

// A multiplier with mult * 2^-shift == value (mult in [2^30, 2^31)), or an
// error when value is not positive and finite or needs a shift outside 1..62.
Expected<rp_q15_multiplier> makeQ15Multiplier(double value);

class RnnPoolQ15 {
public:
    static Expected<RnnPoolQ15> quantize(const RnnPool& op, const RnnPoolQ15Options& options);

    // The kernel configuration; its pointers refer to this object's vectors.
    rp_rnnpool_s8q15_config config() const;

    // The real value of one int16 output / hidden value (for tests and views).
    double outputLsb() const { return 1.0 / double(1 << m_rnn2Forward.hFrac); }
    const RnnPoolQ15Options& options() const { return m_options; }
    // "W1 Q15, U1 Q16, h1 Q14, ..." for reports.
    std::string formats() const;

private:
    struct Cell {
        std::vector<int16_t> W, U; // [hidden][input], [hidden][hidden]
        std::vector<int32_t> biasGate, biasUpdate;
        int16_t zeta = 0, nu = 0;
        int32_t input = 0, hidden = 0, wFrac = 0, uFrac = 0, hFrac = 0;
        rp_q15_multiplier wx{}, uh{};
        rp_fastgrnn_q15_cell view() const;
    };
    static Expected<Cell> quantizeCell(const FastGrnnCell& cell, int32_t hFrac, const std::string& name);

    RnnPoolQ15Options m_options;
    RnnPoolParams m_params;
    Cell m_rnn1, m_rnn2Forward, m_rnn2Backward;
    rp_q15_multiplier m_out{};
};

} // namespace rnnpool
