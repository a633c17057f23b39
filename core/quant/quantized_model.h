// Post-training quantisation: a float model becomes an int8 model.
//   - Convolutions (BatchNorm folded first, exactly as the float engine folds
//     it): int8 weights, symmetric, one scale per output channel (max |w| / 127,
//     values in [-127, 127]); int32 biases at input scale x weight scale, after
//     bias correction: b += sum (w - w_int8) * mean(input channel), which
//     cancels the weights' rounding on the inputs' calibrated means (RNNPool's
//     outputs sit far from 0 with small spread, and block0's expand multiplies
//     them by large folded weights: without it that layer alone drops to 21 dB).
//     Weights are rounded to the nearest level, except in a convolution with
//     at most kMaxRoundedFanIn inputs per output (the grey stem), whose weights
//     go down or up as its calibrated input patches say (roundToCovariance).
//   - Activations: int8 with a scale and zero point per tensor, from ranges
//     calibrated on pictures (see calibration.h); the range always holds 0.
//   - L2Norm keeps its learned scale (gamma) as float in the model; the int8
//     engine turns it into per-channel multipliers when it prepares.
//   - RNNPool keeps its FastGRNN weights in float; the Q15 quantiser of
//     core/integer's RNNPool makes the 16-bit cells when the engine prepares.
//   - The background max-out keeps its input's scale and zero point.
//
//   Expected<ActivationRanges> r = calibrate(model, calibrationOptions);
//   Expected<QuantizedModel> q = quantizeModel(model, *r);
//   Int8Network net = *Int8Network::create(*q);          // int8_network.h
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/model.h"
#include "quant/quant_math.h"

namespace rnnpool {

struct NodeQuant {
    ActivationQuant output;
    std::vector<int8_t> weight;      // conv: OIHW, as the checkpoint orders it
    std::vector<float> weightScale;  // conv: one per output channel
    std::vector<int32_t> bias;       // conv: at input scale * weightScale[o]
    std::vector<float> gamma;        // l2norm: learned per-channel scale
    // rnnpool: one scale and zero point per channel instead of `output`
    // (chosen when every reader is a 1x1 convolution, which folds them into
    // its weights and bias; empty otherwise).
    std::vector<float> channelScale;
    std::vector<int32_t> channelZeroPoint;
};

struct QuantizedModel {
    std::shared_ptr<Network> network; // the graph; its RNNPool ops hold their float cells
    ActivationQuant input;
    std::vector<NodeQuant> nodes;     // one per network node
    std::string source;               // where the float model or the int8 file came from
    std::string calibration;          // how the activation ranges were found
    std::string floatSource;          // an int8 file's rnnpool.source: its float model's file name (or "random weights ...")
    std::optional<int> pyramidLevels; // the float model's declared image pyramid (kPyramidLevelsKey), kept
    const ArchSpec& spec() const { return network->spec(); }
};

// Calibrated real ranges per tensor: the network input and every node.
struct ActivationRanges {
    float inputLo = 0.0f, inputHi = 0.0f;
    std::vector<float> lo, hi;        // per node
    // Mean of every channel over the calibration pictures: the input's and
    // each node's; quantizeModel corrects each convolution's bias by the mean
    // error its int8 weights make on them (empty: no correction).
    std::vector<float> inputChannelMean;
    std::vector<std::vector<float>> channelMean;
    std::vector<std::vector<float>> channelLo, channelHi; // per node, per channel: min and max
    // Per node, for a plain convolution of at most kMaxRoundedFanIn inputs per
    // output (the stem): the covariance of its input patches (fan-in squared,
    // row-major), which quantizeModel uses to round its weights; empty otherwise.
    std::vector<std::vector<double>> patchCovariance;
    int pictures = 0;
    std::string method;               // e.g. "percentile 99.99 over 22 pictures"
};

// The map a reader of node `src` sees: its output quantisation, or scale 1 and
// zero point 0 when `src` is quantised per channel (the reader's weights and
// bias carry the channels' scales and zero points).
ActivationQuant readerInputQuant(const QuantizedModel& model, int src);

// Weights of a convolution with at most this many inputs per output are rounded
// up or down, whichever of the 2^fan-in choices the calibration's input patches
// make the least squared error (quantizeModel), not to the nearest level.
constexpr int64_t kMaxRoundedFanIn = 12;

// Whether every node of the network has an int8 kernel; the error names the first that has not.
Status checkInt8Support(const Network& network);

// Quantises a model (random weights too: tests use them). Fails on layers
// without an int8 kernel and on ranges that do not fit the network.
Expected<QuantizedModel> quantizeModel(const Model& model, const ActivationRanges& ranges);

} // namespace rnnpool
