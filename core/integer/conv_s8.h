/* Int8 convolutions for the face detectors, on HWC maps (element (y, x, c) at
 * (y * width + x) * channels + c), batch 1.
 *
 *   weights: int8, symmetric, one scale per output channel (zero point 0)
 *   bias:    int32 at scale input_scale * weight_scale[o] (may be NULL)
 *   input:   int8, one scale and zero point per tensor (input_offset = -zp)
 *   output:  int8, rp_requantize_s32 per output channel, + zero point, clamped
 *            to [activation_min, activation_max] (which fuses ReLU / ReLU6)
 *   padding: zeros in real terms, i.e. the input's zero point
 *
 * Three kernels, each with a plain scalar reference (_ref) that the fast one
 * must match bit for bit (tests/core/integer/conv_s8_test.cpp), and a scratch
 * query; the caller owns all memory (scratch may be NULL when its size is 0):
 *   rp_conv_s8            any KxK, stride, padding (the stride-2 stem, the heads);
 *                         the window of each pixel is gathered once (scratch)
 *                         weights [out][kh][kw][in]
 *   rp_depthwise_conv_s8  one filter per channel; weights [kh][kw][channels]
 *   rp_pointwise_conv_s8  1x1, stride 1; weights [out][in]
 *
 *   rp_conv_shape_t s = {...};
 *   int32_t scratch_bytes = rp_conv_s8_scratch_size(&s);
 *   rp_conv_s8(&s, &q, input, weights, bias, scratch, output);
 */
#ifndef RNNPOOL_INTEGER_CONV_S8_H
#define RNNPOOL_INTEGER_CONV_S8_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int32_t in_channels, in_height, in_width;
    int32_t out_channels; /* equals in_channels for depthwise */
    int32_t kernel_h, kernel_w;
    int32_t stride_h, stride_w;
    int32_t pad_h, pad_w; /* top/left; bottom/right as the output size needs */
} rp_conv_shape_t;

typedef struct {
    int32_t input_offset;              /* -input zero point, added to every input value */
    int32_t output_offset;             /* output zero point */
    int32_t activation_min, activation_max;
    const int32_t* multiplier;         /* per output channel, Q31 */
    const int32_t* shift;              /* per output channel */
} rp_conv_quant_t;

/* (in + 2 * pad - kernel) / stride + 1, as PyTorch computes it. */
int32_t rp_conv_out_height(const rp_conv_shape_t* s);
int32_t rp_conv_out_width(const rp_conv_shape_t* s);

int32_t rp_conv_s8_scratch_size(const rp_conv_shape_t* s);
void rp_conv_s8(const rp_conv_shape_t* s, const rp_conv_quant_t* q, const int8_t* input, const int8_t* weights,
                const int32_t* bias, void* scratch, int8_t* output);
void rp_conv_s8_ref(const rp_conv_shape_t* s, const rp_conv_quant_t* q, const int8_t* input, const int8_t* weights,
                    const int32_t* bias, int8_t* output);

int32_t rp_depthwise_conv_s8_scratch_size(const rp_conv_shape_t* s);
void rp_depthwise_conv_s8(const rp_conv_shape_t* s, const rp_conv_quant_t* q, const int8_t* input, const int8_t* weights,
                          const int32_t* bias, void* scratch, int8_t* output);
void rp_depthwise_conv_s8_ref(const rp_conv_shape_t* s, const rp_conv_quant_t* q, const int8_t* input,
                              const int8_t* weights, const int32_t* bias, int8_t* output);

/* Kernel, stride 1, no padding; `s` as for the others with kernel 1. */
int32_t rp_pointwise_conv_s8_scratch_size(const rp_conv_shape_t* s);
void rp_pointwise_conv_s8(const rp_conv_shape_t* s, const rp_conv_quant_t* q, const int8_t* input, const int8_t* weights,
                          const int32_t* bias, void* scratch, int8_t* output);

/* The 1x1 convolution's x86 AVX2 path (conv_s8_avx2.c), which
 * rp_pointwise_conv_s8 takes where it applies: full_bias[o] = bias[o] +
 * input_offset * sum(weights of o). Returns 1 when it ran (cin a multiple of
 * 16, cout of 8 and at most 1024, every scale below 1/4, AVX2 compiled in),
 * 0 when the caller must run the portable path. Same bits as the reference. */
int rp_pointwise_conv_s8_avx2(const rp_conv_shape_t* s, const rp_conv_quant_t* q, const int8_t* input,
                              const int8_t* weights, const int32_t* full_bias, int8_t* output);
/* A KxK convolution of one input channel (a grey stem) on x86 with AVX2,
 * which rp_conv_s8 takes where it applies (at most 8 output channels, kernel
 * at most 7x7, horizontal stride 1 or 2, every scale below 1/4, AVX2); 0
 * otherwise. Same bits as the reference. */
int rp_conv_s8_c1_avx2(const rp_conv_shape_t* s, const rp_conv_quant_t* q, const int8_t* input, const int8_t* weights,
                       const int32_t* bias, int8_t* output);

/* The depthwise convolution's x86 AVX2 path, which rp_depthwise_conv_s8
 * takes where it applies (channels a multiple of 8, at most 1024, every
 * scale below 1/4, AVX2 compiled in); 0 otherwise. Same bits as the reference. */
int rp_depthwise_conv_s8_avx2(const rp_conv_shape_t* s, const rp_conv_quant_t* q, const int8_t* input,
                              const int8_t* weights, const int32_t* bias, int8_t* output);
void rp_pointwise_conv_s8_ref(const rp_conv_shape_t* s, const rp_conv_quant_t* q, const int8_t* input,
                              const int8_t* weights, const int32_t* bias, int8_t* output);

#ifdef __cplusplus
}
#endif

#endif
