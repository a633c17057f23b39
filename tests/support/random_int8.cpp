#include "support/random_int8.h"

#include <algorithm>
#include <cmath>

#include "quant/rnnpool_quantizer.h"

namespace rnnpool {

Case randomCase(std::mt19937& rng, rp_conv_shape_t s, bool depthwise, bool withBias)
{
    Case c;
    c.shape = s;
    std::uniform_int_distribution<int> byte(-128, 127);
    std::uniform_int_distribution<int32_t> q31(1 << 30, INT32_MAX);
    std::uniform_int_distribution<int32_t> shift(-14, -6);
    std::uniform_int_distribution<int32_t> bias(-20000, 20000);
    const int32_t weightCount = depthwise ? s.kernel_h * s.kernel_w * s.in_channels
                                          : s.out_channels * s.kernel_h * s.kernel_w * s.in_channels;
    c.input.resize(static_cast<size_t>(s.in_height * s.in_width * s.in_channels));
    for (auto& v : c.input)
        v = static_cast<int8_t>(byte(rng));
    c.weights.resize(static_cast<size_t>(weightCount));
    for (auto& v : c.weights)
        v = static_cast<int8_t>(byte(rng));
    for (int32_t o = 0; o < s.out_channels; ++o) {
        c.multiplier.push_back(q31(rng));
        c.shift.push_back(shift(rng));
        if (withBias)
            c.bias.push_back(bias(rng));
    }
    c.quant.input_offset = -byte(rng);
    c.quant.output_offset = byte(rng);
    const int lo = byte(rng), hi = byte(rng);
    c.quant.activation_min = std::min(lo, hi);
    c.quant.activation_max = std::max(lo, hi);
    if (rng() % 2) {
        c.quant.activation_min = -128;
        c.quant.activation_max = 127;
    }
    c.quant.multiplier = c.multiplier.data();
    c.quant.shift = c.shift.data();
    return c;
}

rp_fastgrnn_q15_cell randomCell(std::mt19937& rng, RandomOp& r, int k, int32_t in, int32_t hidden)
{
    std::uniform_int_distribution<int32_t> w(-20000, 20000), b(-30000, 30000), frac(8, 15);
    for (int32_t n = 0; n < hidden * in; ++n)
        r.w[k].push_back(static_cast<int16_t>(w(rng)));
    for (int32_t n = 0; n < hidden * hidden; ++n)
        r.u[k].push_back(static_cast<int16_t>(w(rng)));
    for (int32_t n = 0; n < hidden; ++n) {
        r.bg[k].push_back(b(rng));
        r.bh[k].push_back(b(rng));
    }
    const int32_t hFrac = frac(rng);
    auto wx = makeQ15Multiplier(std::ldexp(1.0, -std::uniform_int_distribution<int>(5, 20)(rng)) * 1.37);
    auto uh = makeQ15Multiplier(std::ldexp(1.0, 12 - 15 - hFrac));
    return {r.w[k].data(), r.u[k].data(), r.bg[k].data(), r.bh[k].data(), static_cast<int16_t>(rng() % 32768),
            static_cast<int16_t>(rng() % 32768), in, hidden, hFrac, *wx, *uh};
}

} // namespace rnnpool
