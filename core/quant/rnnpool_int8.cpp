#include "quant/rnnpool_int8.h"

namespace rnnpool {

// TEMPORARY until the Q15 RNNPool (core/integer/rnnpool_q15.*) is merged:
// the map is dequantised, pooled by the float op and requantised. This is the
// only float step inside the network; isInteger() says so to every caller.
struct RnnPoolInt8::State {
    const RnnPool* op = nullptr;
    ActivationQuant in, out;
};

RnnPoolInt8::RnnPoolInt8() = default;
RnnPoolInt8::RnnPoolInt8(RnnPoolInt8&&) noexcept = default;
RnnPoolInt8& RnnPoolInt8::operator=(RnnPoolInt8&&) noexcept = default;
RnnPoolInt8::~RnnPoolInt8() = default;

bool RnnPoolInt8::isInteger() { return false; }

Expected<RnnPoolInt8> RnnPoolInt8::create(const std::string&, const RnnPool& op, const ActivationQuant& in,
                                          const ActivationQuant& out)
{
    RnnPoolInt8 r;
    r.m_state = std::make_unique<State>();
    r.m_state->op = &op;
    r.m_state->in = in;
    r.m_state->out = out;
    return r;
}

Status RnnPoolInt8::run(const int8_t* input, const Shape& inShape, const Shape& outShape, int8_t* output,
                        std::vector<uint8_t>&) const
{
    const State& s = *m_state;
    Tensor x(inShape);
    for (int64_t y = 0; y < inShape[1]; ++y)
        for (int64_t xx = 0; xx < inShape[2]; ++xx)
            for (int64_t c = 0; c < inShape[0]; ++c)
                x.at(c, y, xx) = s.in.dequantize(input[(y * inShape[2] + xx) * inShape[0] + c]);
    Tensor out(outShape);
    const Tensor* in[] = {&x};
    s.op->eval(in, out);
    for (int64_t y = 0; y < outShape[1]; ++y)
        for (int64_t xx = 0; xx < outShape[2]; ++xx)
            for (int64_t c = 0; c < outShape[0]; ++c)
                output[(y * outShape[2] + xx) * outShape[0] + c] = s.out.quantize(out.at(c, y, xx));
    return Status::ok();
}

} // namespace rnnpool
