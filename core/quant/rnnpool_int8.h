// RNNPool inside the int8 engine: an int8 HWC map in, an int8 HWC map out,
// at the scales the quantiser chose. The integer RNNPool itself (Q15 cells,
// integer sigmoid and tanh) lives in core/integer/rnnpool_q15.*; this adapter
// prepares its configuration from the float cells and moves maps between the
// engine's HWC and that kernel's CHW.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ops/rnnpool.h"
#include "quant/quantized_model.h"

struct rp_rnnpool_s8q15_config;

namespace rnnpool {

class RnnPoolInt8 {
public:
    // The output is `out.output`, or per channel when out.channelScale is set
    // (then each patch runs the Q15 patch kernel, whose int16 outputs are
    // requantised here channel by channel).
    static Expected<RnnPoolInt8> create(const std::string& name, const RnnPool& op, const ActivationQuant& in,
                                        const NodeQuant& out);
    // `input` HWC of CHW shape `inShape`; `output` HWC of `outShape`.
    Status run(const int8_t* input, const Shape& inShape, const Shape& outShape, int8_t* output,
               std::vector<uint8_t>& scratch) const;
    // True when the kernel is the integer one.
    static bool isInteger();
    // The kernel configuration (its cell pointers point into this object), for the firmware generator.
    const rp_rnnpool_s8q15_config& config() const;
    // The per-channel output requantisation (empty: one scale, config().out).
    const std::vector<int32_t>& channelMultiplier() const;
    const std::vector<int32_t>& channelShift() const;
    const std::vector<int32_t>& channelZeroPoint() const;

    RnnPoolInt8();
    RnnPoolInt8(RnnPoolInt8&&) noexcept;
    RnnPoolInt8& operator=(RnnPoolInt8&&) noexcept;
    ~RnnPoolInt8();

    struct State;

private:
    std::unique_ptr<State> m_state;
};

} // namespace rnnpool
