/* Int8 element-wise kernels of the face detectors, on HWC maps:
 *   rp_add_s8              a + b with both inputs and the output on their own
 *                          scales (the inverted-residual shortcut)
 *   rp_l2norm_s8           S3FD's L2Norm over the channels of each pixel, times
 *                          a learned per-channel scale, in integers only
 *   rp_background_maxout_s8 S3FD's max-out background: the first `background`
 *                          channels reduced by max into one, the rest copied
 *   rp_halve_s8            the 2x2 mean of a map (the image pyramid's next level)
 * Each has a scalar reference (_ref) where the fast path differs, and a scratch
 * query (all return 0: these kernels need none). No float, no allocation.
 *
 * Add (the scheme of tflite's quantised add, written afresh): both inputs are
 * shifted left by `left_shift` bits for headroom, each requantised onto a
 * common scale 2 * max(s_a, s_b) / 2^left_shift, summed exactly, and the sum
 * requantised to the output; three rp_requantize_s32 roundings in all.
 *
 * L2Norm: x_c = q_c - zp; S = sum_c x_c^2 (exact int32). The input scale cancels:
 *   real out_c = gamma_c * x_c / sqrt(S).
 *   r   = floor(sqrt(S * 2^32))      integer square root (bitwise, exact floor)
 *   inv = round(2^46 / r)            ~ 2^30 / sqrt(S), one 64-bit division a pixel
 *   t_c = x_c * inv                  |t_c| <= 2^30 (+ rounding), ~ x_c/sqrt(S) in Q30
 *   out_c = rp_requantize_s32(t_c, M_c, sh_c) + zp_out   with M_c 2^sh_c = gamma_c / (s_out 2^30)
 * r carries 16 fraction bits, so sqrt(S) is exact to 2^-16 and inv to about
 * 2^-19 relative: well below the half-LSB of the int8 output. S == 0 (every
 * x_c == 0) gives zp_out, as the float op's x / (0 + eps) gives 0. */
#ifndef RNNPOOL_INTEGER_ELEMENTWISE_S8_H
#define RNNPOOL_INTEGER_ELEMENTWISE_S8_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int32_t input1_offset, input2_offset;  /* -zero points */
    int32_t left_shift;                    /* headroom bits, e.g. 20 */
    int32_t input1_multiplier, input1_shift;
    int32_t input2_multiplier, input2_shift;
    int32_t output_multiplier, output_shift;
    int32_t output_offset;
    int32_t activation_min, activation_max;
} rp_add_quant_t;

int32_t rp_add_s8_scratch_size(int32_t count);
void rp_add_s8(const rp_add_quant_t* q, const int8_t* a, const int8_t* b, int32_t count, int8_t* out);

typedef struct {
    int32_t input_offset;        /* -input zero point */
    int32_t output_offset;       /* output zero point */
    const int32_t* multiplier;   /* per channel: gamma_c / (s_out * 2^30) */
    const int32_t* shift;
} rp_l2norm_quant_t;

int32_t rp_l2norm_s8_scratch_size(int32_t channels);
void rp_l2norm_s8(const rp_l2norm_quant_t* q, const int8_t* input, int32_t pixels, int32_t channels, int8_t* output);
void rp_l2norm_s8_ref(const rp_l2norm_quant_t* q, const int8_t* input, int32_t pixels, int32_t channels, int8_t* output);

/* floor(sqrt(v)), exact for every uint64. */
uint32_t rp_isqrt_u64(uint64_t v);

/* input [pixels][channels] -> output [pixels][channels - background + 1]; the
 * output keeps the input's scale and zero point (max is monotonic). */
int32_t rp_background_maxout_s8_scratch_size(int32_t channels);
void rp_background_maxout_s8(const int8_t* input, int32_t pixels, int32_t channels, int32_t background, int8_t* output);

/* One level of the image pyramid: the 2x2 mean of an int8 HWC map, [h][w][c]
 * -> [h/2][w/2][c] (an odd last row or column is dropped), rounded half up:
 * floor((a + b + c + d + 2) / 4). The scale and zero point stay (a mean of
 * values on one grid). `output` may be `input`: each output pixel is written
 * after the four it is made of are read and never ahead of an unread one, so
 * a chip can halve its frame buffer in place. */
void rp_halve_s8(const int8_t* input, int32_t height, int32_t width, int32_t channels, int8_t* output);

#ifdef __cplusplus
}
#endif

#endif
