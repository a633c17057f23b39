// The prepared parameters of one int8 engine node: the kernel's weight layout,
// biases, requantisation multipliers and the kernels' parameter structs. The
// engine fills them once (Int8Network::create); the firmware generator
// (core/mcu) writes the same values as C, so that the chip runs the very calls
// the desktop runs.
#pragma once

#include <cstdint>
#include <vector>

#include "integer/conv_s8.h"
#include "integer/elementwise_s8.h"
#include "quant/int8_network.h"
#include "quant/rnnpool_int8.h"

namespace rnnpool {

struct Int8Network::Prepared {
    enum class Kind { Conv, Depthwise, Pointwise, Add, L2Norm, MaxOut, RnnPool };
    Kind kind = Kind::Conv;
    rp_conv_shape_t shape{};
    std::vector<int8_t> weights; // the kernel's layout
    std::vector<int32_t> bias, multiplier, shift;
    rp_conv_quant_t conv{};
    rp_add_quant_t add{};
    rp_l2norm_quant_t l2{};
    int32_t background = 0;
    RnnPoolInt8 rnnpool;
};

} // namespace rnnpool
