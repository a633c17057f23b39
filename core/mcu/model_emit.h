// The int8 engine's prepared parameters written as C for the generated
// firmware (mcu/model_firmware.h): const arrays, which go to flash, and the
// kernels' parameter structs as initialisers. Each helper that writes arrays
// adds their bytes to `bytes` (the flash the weights take).
//
//   data += convArrays(p, "n3_", plan.weightBytes);
//   code += "static const rp_conv_quant_t q = " + convQuantLiteral(p, "n3_") + ";\n";
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "quant/int8_network.h"
#include "quant/int8_prepared.h"
#include "quant/int8_units.h"

namespace rnnpool {

std::string cNumber(int64_t v);
// "n<node>_": the prefix of a node's arrays and statics.
std::string nodePrefix(int node);
std::string convShapeLiteral(const rp_conv_shape_t& s);
// <pre>weights, <pre>bias (when the node has biases), <pre>multiplier, <pre>shift.
std::string convArrays(const Int8Network::Prepared& p, const std::string& pre, uint64_t& bytes);
// {input_offset, output_offset, min, max, <pre>multiplier, <pre>shift}
std::string convQuantLiteral(const Int8Network::Prepared& p, const std::string& pre);
std::string addQuantLiteral(const rp_add_quant_t& a);
// The three FastGRNN cells' arrays (<pre>r1*, <pre>r2f*, <pre>r2b*) into `data`; returns the
// rp_rnnpool_s8q15_config initialiser that points at them.
std::string rnnpoolConfig(const rp_rnnpool_s8q15_config& c, const std::string& pre, std::string& data, uint64_t& bytes);
// The per-channel output scales of an RNNPool (<pre>ch_*) into `data`; returns the
// rp_rnnpool_s8_channel_quant initialiser, or "" when RNNPool has one scale.
std::string rnnpoolChannelQuant(const RnnPoolInt8& pool, const std::string& pre, std::string& data, uint64_t& bytes);

// A convolution of a streamed unit: its arrays into `data`, its shape and quantisation as statics
// into `code` (the step's block); returns the rp_conv_s8_layer initialiser that points at them.
std::string convLayerLiteral(const Int8Network& net, int node, std::string& data, std::string& code, uint64_t& bytes);

// A streamed unit's statics into `code` (the step's block), their arrays into `data`:
// an inverted residual's `block` (rp_ir_s8_block), or an RNNPool's `config` and, when it has
// per-channel output scales, `channels`; returns the stream's conv chain initialiser and
// its channel-quant pointer ("&channels" or "0").
void irBlockStatic(const Int8Network& net, const Int8UnitParts& parts, std::string& data, std::string& code, uint64_t& bytes);
struct RnnPoolStreamLiterals {
    std::string convs, channels;
};
RnnPoolStreamLiterals rnnPoolStreamStatics(const Int8Network& net, const Int8UnitParts& parts, std::string& data,
                                           std::string& code, uint64_t& bytes);

// The call of one whole-map layer (any kind but RNNPool) as a block body, its arrays into `data`. `in`
// are C pointer expressions of the layer's inputs, in0 the first one's shape (CHW); `scratchBytes`
// grows to what the kernel needs of the caller's `scratch`. windowRows: a convolution's in0 is a window
// of kernel_h whole rows, padding rows included, so the kernel pads no rows itself (one output row).
std::string layerCall(const Int8Network::Prepared& p, const std::string& pre, const std::vector<std::string>& in,
                      const Shape& in0, const std::string& out, int64_t outBytes, std::string& data, uint64_t& weightBytes,
                      uint64_t& scratchBytes, bool windowRows = false);

// rnnpool_model.h, the generated network's API (the same for every schedule):
// rp_model_run(arena, scratch, hook, rows) asks rows(y, dst) for the picture's
// rows in order, once each, calls hook(node, output, bytes) after each step
// (hook(-1, ...) once the whole picture is in, when it is held whole) and
// returns 0, or 1 + the node whose kernel refused.
struct ModelHeaderFacts {
    std::string network, schedule;
    Shape inputChw;
    int64_t layers = 0, inputOffset = 0, ringRows = 0, arenaBytes = 0, scratchBytes = 0;
    std::string extra; // declarations appended at the end (an image pyramid's levels)
};
std::string modelHeader(const ModelHeaderFacts& f);
// The start of rp_model_run when the picture is held whole: every row, then hook(-1, ...).
std::string wholePictureFeed(const Shape& inputChw, int64_t inputOffset);

} // namespace rnnpool
