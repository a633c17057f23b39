#include "elementwise_s8.h"

#include "requantize.h"

int32_t rp_add_s8_scratch_size(int32_t count)
{
    (void)count;
    return 0;
}

void rp_add_s8(const rp_add_quant_t* q, const int8_t* a, const int8_t* b, int32_t count, int8_t* out)
{
    for (int32_t i = 0; i < count; ++i) {
        const int32_t x = (a[i] + q->input1_offset) * (1 << q->left_shift);
        const int32_t y = (b[i] + q->input2_offset) * (1 << q->left_shift);
        const int32_t sum = rp_requantize_s32(x, q->input1_multiplier, q->input1_shift)
                          + rp_requantize_s32(y, q->input2_multiplier, q->input2_shift);
        out[i] = rp_output_s8(sum, q->output_multiplier, q->output_shift, q->output_offset, q->activation_min,
                              q->activation_max);
    }
}

uint32_t rp_isqrt_u64(uint64_t v)
{
    /* Digit by digit, two bits of v per result bit. */
    uint64_t result = 0;
    uint64_t bit = (uint64_t)1 << 62;
    while (bit > v)
        bit >>= 2;
    while (bit != 0) {
        if (v >= result + bit) {
            v -= result + bit;
            result = (result >> 1) + bit;
        } else {
            result >>= 1;
        }
        bit >>= 2;
    }
    return (uint32_t)result;
}

int32_t rp_l2norm_s8_scratch_size(int32_t channels)
{
    (void)channels;
    return 0;
}

/* ~2^30 / sqrt(S), see the header; S > 0. */
static inline int64_t rp_inverse_norm_q30(int32_t sum_squares)
{
    const uint64_t r = rp_isqrt_u64((uint64_t)sum_squares << 32);
    return (int64_t)((((uint64_t)1 << 46) + r / 2) / r);
}

void rp_l2norm_s8_ref(const rp_l2norm_quant_t* q, const int8_t* input, int32_t pixels, int32_t channels, int8_t* output)
{
    for (int32_t p = 0; p < pixels; ++p) {
        const int8_t* x = input + p * channels;
        int8_t* y = output + p * channels;
        int32_t sum = 0;
        for (int32_t c = 0; c < channels; ++c)
            sum += (x[c] + q->input_offset) * (x[c] + q->input_offset);
        for (int32_t c = 0; c < channels; ++c) {
            int32_t t = 0;
            if (sum > 0)
                t = (int32_t)((int64_t)(x[c] + q->input_offset) * rp_inverse_norm_q30(sum));
            y[c] = rp_output_s8(t, q->multiplier[c], q->shift[c], q->output_offset, -128, 127);
        }
    }
}

void rp_l2norm_s8(const rp_l2norm_quant_t* q, const int8_t* input, int32_t pixels, int32_t channels, int8_t* output)
{
    /* One square root and one division a pixel, not a channel. */
    for (int32_t p = 0; p < pixels; ++p) {
        const int8_t* x = input + p * channels;
        int8_t* y = output + p * channels;
        int32_t sum = 0;
        for (int32_t c = 0; c < channels; ++c) {
            const int32_t v = x[c] + q->input_offset;
            sum += v * v;
        }
        const int64_t inverse = sum > 0 ? rp_inverse_norm_q30(sum) : 0;
        for (int32_t c = 0; c < channels; ++c) {
            const int32_t t = (int32_t)((int64_t)(x[c] + q->input_offset) * inverse);
            y[c] = rp_output_s8(t, q->multiplier[c], q->shift[c], q->output_offset, -128, 127);
        }
    }
}

int32_t rp_background_maxout_s8_scratch_size(int32_t channels)
{
    (void)channels;
    return 0;
}

void rp_background_maxout_s8(const int8_t* input, int32_t pixels, int32_t channels, int32_t background, int8_t* output)
{
    const int32_t outChannels = channels - background + 1;
    for (int32_t p = 0; p < pixels; ++p) {
        const int8_t* x = input + p * channels;
        int8_t* y = output + p * outChannels;
        int8_t m = x[0];
        for (int32_t c = 1; c < background; ++c)
            m = x[c] > m ? x[c] : m;
        y[0] = m;
        for (int32_t c = background; c < channels; ++c)
            y[c - background + 1] = x[c];
    }
}

void rp_halve_s8(const int8_t* input, int32_t height, int32_t width, int32_t channels, int8_t* output)
{
    const int32_t outH = height / 2, outW = width / 2;
    for (int32_t y = 0; y < outH; ++y)
        for (int32_t x = 0; x < outW; ++x) {
            const int8_t* top = input + ((2 * y) * width + 2 * x) * channels;
            const int8_t* bottom = top + width * channels;
            int8_t* out = output + (y * outW + x) * channels;
            for (int32_t c = 0; c < channels; ++c) {
                const int32_t sum = top[c] + top[channels + c] + bottom[c] + bottom[channels + c];
                /* floor((sum + 2) / 4) with a non-negative dividend: sum + 2 >= -510 */
                out[c] = (int8_t)((sum + 2 + 512) / 4 - 128);
            }
        }
}
