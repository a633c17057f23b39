/* FastGRNN in 16-bit fixed point, portable C11 (no allocation, no float).
 *
 * Two families live here:
 *
 * 1. rp_edgeml_*: bit-exact with EdgeML's c_reference integer FastGRNN
 *    (q15_fastgrnn with int16 input, q7xq15_q15_fastgrnn with int8 input), as
 *    the RNNPool authors deploy it: hard sigmoid and tanh, int16 wrap on every
 *    store, no rounding, every rescale a C division (RP_SCALE_DIV, truncates
 *    toward zero) or an arithmetic right shift (RP_SCALE_SHIFT, rounds toward
 *    -inf), exactly as described in ../shared/reference/edgeml-q15/README.md.
 *    The 49 scale fields keep EdgeML's names and order so that a scale array
 *    in that order loads with rp_edgeml_scales_from_fields().
 *
 * 2. rp_fastgrnn_q15_*: the cell of our own float-trained models (real
 *    sigmoid and tanh). Weights int16, hidden state int16 in a per-cell Q
 *    format q, pre-activations int32 in Q12, sigmoid/tanh by a table with
 *    linear interpolation (max abs error 7e-5 / 1.5e-4 against the float
 *    sigmoid / tanh; see rp_sigmoid_q15 below). One step:
 *      pre = M_wx(W.x) + M_uh(U.h)        (fixed-point multipliers -> Q12)
 *      z = sigmoid(pre + Bg), c = tanh(pre + Bh)              (Q15)
 *      h' = sat16( rnd(z h / 2^15) + rnd(g c / 2^(30-q)) ),
 *           g = rnd(zeta (2^15 - z) / 2^15) + nu               (Q15)
 *    rnd = round half up; pre-activation sums saturate to int32.
 *
 * Usage (EdgeML cell, one step of RNN1 from h = 0):
 *
 *   rp_edgeml_fastgrnn_params p = {W, U, Bg, Bh, zeta, nu, 4, 8};
 *   rp_edgeml_fastgrnn_scales s;
 *   rp_edgeml_scales_from_fields(&s, fields49, RP_SCALE_SHIFT);
 *   int16_t h[8] = {0};
 *   uint8_t scratch[64]; // >= rp_edgeml_fastgrnn_scratch_bytes(8)
 *   rp_edgeml_fastgrnn_q15_step(&p, &s, x, h, scratch);
 *
 * All scratch is the caller's: every function that needs some has a
 * *_scratch_bytes() query, and scratch must be 4-byte aligned.
 */
#ifndef RNNPOOL_INTEGER_FASTGRNN_Q15_H
#define RNNPOOL_INTEGER_FASTGRNN_Q15_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes of the integer RNNPool functions. */
#define RP_Q15_OK 0
#define RP_Q15_EARG (-1)        /* a null pointer or a size <= 0 */
#define RP_Q15_EUNSUPPORTED (-2) /* a feature the kernels do not implement (EdgeML's tables, a zero divisor) */

/* ------------------------------------------------------------------------ */
/* 1. EdgeML-compatible cell                                                 */
/* ------------------------------------------------------------------------ */

typedef enum rp_scale_mode {
    RP_SCALE_DIV = 0,  /* scale fields are divisors; x / s (C division) */
    RP_SCALE_SHIFT = 1 /* scale fields are shift counts; x >> s (arithmetic) */
} rp_scale_mode;

#define RP_EDGEML_SCALE_FIELDS 49

/* EdgeML's Q15_FastGRNN_Scales, field for field, plus the mode. The
 * normalisation fields (input .. normFeaturesHDStdDev) are carried but unused
 * (the block runs the cell with normalize = 0); useTableSigmoid/useTableTanH
 * must be 0. sigmoidScaleIn/Out and tanhScaleIn/Out are exponents and div is
 * a true division in both modes. */
typedef struct rp_edgeml_fastgrnn_scales {
    rp_scale_mode mode;
    int32_t input, mean, meanSub, stdDev, normFeaturesHDStdDev;
    int32_t w, normFeaturesMVW, mVWOut;
    int32_t u, hiddenStateMVU, mVUOut;
    int32_t mV1AddMV2, mV2AddMV1, mV1AddMV2Out, mV1AddMV2Demote;
    int32_t pC1AddBg, bg, pC1AddBgOut, pC1AddBgDemote;
    int32_t sigmoidScaleIn, sigmoidScaleOut;
    int32_t pC1AddBh, bh, pC1AddBhOut, pC1AddBhDemote;
    int32_t tanhScaleIn, tanhScaleOut;
    int32_t gateHDHiddenState, hiddenStateHDGate;
    int32_t qOneScale, qOneSubGate, qOneSubGateOut;
    int32_t sigmoidZeta, sigmoidZetaMulQOneSubGate;
    int32_t sigmoidNu, sigmoidNuAddQOneSubGate, sigmoidNuAddQOneSubGateOut;
    int32_t sigmoidNuAddQOneSubGateHDUpdate, updateHDSigmoidNuAddQOneSubGate;
    int32_t pC3AddPC1, pC1AddPC3, hiddenStateOut, hiddenStateDemote;
    int32_t div, add, sigmoidLimit, qOne;
    int32_t useTableSigmoid, useTableTanH;
} rp_edgeml_fastgrnn_scales;

/* Weights as EdgeML stores them: W is [hidden][input] (Wx[i] = sum_j
 * W[i*input + j] x[j]), U is [hidden][hidden]. The pointers are borrowed. */
typedef struct rp_edgeml_fastgrnn_params {
    const int16_t* W;
    const int16_t* U;
    const int16_t* Bg; /* [hidden], into the sigmoid */
    const int16_t* Bh; /* [hidden], into the tanh */
    int16_t sigmoid_zeta;
    int16_t sigmoid_nu;
    int32_t input_dims;
    int32_t hidden_dims;
} rp_edgeml_fastgrnn_params;

/* Fills `s` from 49 values in EdgeML's declaration order (the order of
 * manifest.json's scale_field_order and of scales_<mode>_rnn*.npy). */
void rp_edgeml_scales_from_fields(rp_edgeml_fastgrnn_scales* s, const int32_t fields[RP_EDGEML_SCALE_FIELDS],
                                  rp_scale_mode mode);

/* RP_Q15_OK, or why the parameters cannot run: null weights, sizes <= 0, a
 * zero divisor in RP_SCALE_DIV, a shift outside [0, 62], table activations. */
int rp_edgeml_fastgrnn_check(const rp_edgeml_fastgrnn_params* p, const rp_edgeml_fastgrnn_scales* s);

size_t rp_edgeml_fastgrnn_scratch_bytes(int32_t hidden_dims);

/* One step: h <- FastGRNN(x, h). x has input_dims values, h hidden_dims.
 * Assumes rp_edgeml_fastgrnn_check() passed. */
void rp_edgeml_fastgrnn_q15_step(const rp_edgeml_fastgrnn_params* p, const rp_edgeml_fastgrnn_scales* s,
                                 const int16_t* x, int16_t* h, void* scratch);
/* The same with int8 input (EdgeML's q7xq15_q15_fastgrnn: int32 W.x sum). */
void rp_edgeml_fastgrnn_q7xq15_step(const rp_edgeml_fastgrnn_params* p, const rp_edgeml_fastgrnn_scales* s,
                                    const int8_t* x, int16_t* h, void* scratch);

/* ------------------------------------------------------------------------ */
/* 2. Our cell, for float-trained weights (real sigmoid and tanh)           */
/* ------------------------------------------------------------------------ */

#define RP_Q15_PRE_FRAC_BITS 12 /* pre-activations: int32, real = v / 2^12 */

/* A fixed-point multiplier: y = round(x * mult / 2^shift), half up, for
 * int64 x. mult in [2^30, 2^31) once normalised; shift in [1, 62]. */
typedef struct rp_q15_multiplier {
    int32_t mult;
    int32_t shift;
} rp_q15_multiplier;

/* W is [hidden][input], U [hidden][hidden], int16, any power-of-two format;
 * the multipliers take W.x and U.h sums straight to Q12. Biases are int32 in
 * Q12; zeta and nu are sigmoid(zeta), sigmoid(nu) in Q15 (int16, < 1).
 * h_frac_bits is the hidden state's Q format (real = h / 2^h_frac_bits), at
 * most 15. */
typedef struct rp_fastgrnn_q15_cell {
    const int16_t* W;
    const int16_t* U;
    const int32_t* bias_gate;
    const int32_t* bias_update;
    int16_t zeta_q15;
    int16_t nu_q15;
    int32_t input_dims;
    int32_t hidden_dims;
    int32_t h_frac_bits;
    rp_q15_multiplier wx;   /* sum_j W[i,j] * x_j (x as the caller gives it) -> Q12 */
    rp_q15_multiplier uh;   /* sum_j U[i,j] * h_j -> Q12 */
} rp_fastgrnn_q15_cell;

int rp_fastgrnn_q15_check(const rp_fastgrnn_q15_cell* c);
size_t rp_fastgrnn_q15_scratch_bytes(int32_t hidden_dims);

/* round(x * m.mult / 2^m.shift), half up, saturated to int32. */
int32_t rp_q15_apply_multiplier(int64_t x, rp_q15_multiplier m);

/* sigmoid and tanh of a Q12 argument, as Q15 in int32: sigmoid in
 * [0, 32768], tanh in [-32768, 32768]. Table of sigmoid on [0, 8] at steps
 * of 1/16, linear interpolation, symmetry for x < 0, tanh(x) = 2 sigmoid(2x) - 1.
 * Max abs error against the float functions over every Q12 argument in
 * [-20, 20] (rnnpool_quantizer_test): sigmoid <= 7e-5, tanh <= 1.5e-4. */
int32_t rp_sigmoid_q15(int32_t x_q12);
int32_t rp_tanh_q15(int32_t x_q12);

/* One step given W.x already in Q12 (wx_q12, hidden_dims values; the RNNPool
 * kernels compute it once per pixel): h <- FastGRNN(h). */
void rp_fastgrnn_q15_step_pre(const rp_fastgrnn_q15_cell* c, const int32_t* wx_q12, int16_t* h, void* scratch);

/* W.x in Q12 for int16 input (x as stored) and for int8 input with a zero
 * point (sum_j W[i,j] (x_j - zero_point)); x_stride is the distance between
 * consecutive inputs (1 for a vector, the plane size for a CHW pixel). */
void rp_fastgrnn_q15_wx_q15(const rp_fastgrnn_q15_cell* c, const int16_t* x, int32_t* wx_q12);
void rp_fastgrnn_q15_wx_s8(const rp_fastgrnn_q15_cell* c, const int8_t* x, int32_t x_stride, int32_t zero_point,
                           int32_t* wx_q12);

/* The same step and W.x with the weights transposed (Ut[j*hidden + i] =
 * U[i*hidden + j], Wt[j*hidden + i] = W[i*input + j]): every unit's sum
 * accumulates at once, which vector units do well. Same bits as
 * rp_fastgrnn_q15_step_pre / rp_fastgrnn_q15_wx_s8 (rnnpool_quantizer_test).
 * The map kernel transposes the weights into its scratch. The step's scratch
 * holds int64 sums: 8-byte aligned (the map kernel aligns its own). */
size_t rp_fastgrnn_q15_t_scratch_bytes(int32_t hidden_dims);
void rp_fastgrnn_q15_step_pre_t(const rp_fastgrnn_q15_cell* c, const int16_t* Ut, const int32_t* wx_q12, int16_t* h,
                                void* scratch);
void rp_fastgrnn_q15_wx_s8_t(const rp_fastgrnn_q15_cell* c, const int16_t* Wt, const int8_t* x, int32_t x_stride,
                             int32_t zero_point, int32_t* wx_q12);

/* The same step and W.x with the weights as stored (row-major): U.h row by
 * row in pairs, which a core with the DSP extension does in one SMLALD per
 * two products; the map kernel takes these there instead of the transposed
 * ones. Same bits as rp_fastgrnn_q15_step_pre / rp_fastgrnn_q15_wx_s8
 * (rnnpool_quantizer_test). Scratch: rp_fastgrnn_q15_scratch_bytes(). */
void rp_fastgrnn_q15_step_pre_rows(const rp_fastgrnn_q15_cell* c, const int32_t* wx_q12, int16_t* h, void* scratch);
void rp_fastgrnn_q15_wx_q15_rows(const rp_fastgrnn_q15_cell* c, const int16_t* x, int32_t* wx_q12);
void rp_fastgrnn_q15_wx_s8_rows(const rp_fastgrnn_q15_cell* c, const int8_t* x, int32_t x_stride, int32_t zero_point,
                                int32_t* wx_q12);

/* The row-major step with saturating sums, for a cell whose biases lie
 * within +-(2^31 - 2^16) (rows_sat_usable says so; check once per cell):
 * W.x + U.h + bias summed with saturation (QADD on the DSP extension) gives
 * the same clamped pre-activations as the reference's int64 sums there,
 * U.h is requantised in 32 bits when its sum fits int32, and sigmoid reads
 * the full table (sigmoid_q15_table.c). Same bits as rp_fastgrnn_q15_step_pre
 * (rnnpool_quantizer_test); scratch: rp_fastgrnn_q15_t_scratch_bytes(). */
int rp_fastgrnn_q15_rows_sat_usable(const rp_fastgrnn_q15_cell* c);
void rp_fastgrnn_q15_step_rows_sat(const rp_fastgrnn_q15_cell* c, const int32_t* wx_q12, int16_t* h, void* scratch);
/* The same step from the zero state (h all 0, as every sequence starts):
 * U.h is 0, so only the update runs. */
void rp_fastgrnn_q15_step_rows_sat_from_zero(const rp_fastgrnn_q15_cell* c, const int32_t* wx_q12, int16_t* h);

/* The step for 16 hidden units in x86 AVX2 lanes (fastgrnn_q15_pairs16.c),
 * with U as pairs: Up[(p*16 + i)*2 + e] = U[i*16 + 2p + e] (512 bytes).
 * usable() says whether the vector step gives the reference's bits for this
 * cell when W.x is computed from inputs of magnitude at most x_max (255 for
 * int8 with a zero point, 32768 for int16): AVX2 compiled in, 16 units, a
 * power-of-two U.h multiplier, and every pre-activation bounded below 2^30.
 * Without AVX2 the step is rp_fastgrnn_q15_step_pre itself. */
#if defined(__AVX2__)
extern const int32_t rp_sigmoid_pairs_q15[193]; /* the sigmoid table packed for the vector cells */
#endif
/* sigmoid_q15 over x in [-65536, 65536) without mirroring: entry (x >> 8) + 256
 * = {A, D}, sigmoid_q15(x) = (A + D (x & 255)) >> 8 (sigmoid_q15_table.c,
 * written by tools/mcu/sigmoid_table.py). */
extern const int32_t rp_sigmoid_full_q15[512][2];
int rp_fastgrnn_q15_pairs16_usable(const rp_fastgrnn_q15_cell* c, int32_t x_max);
void rp_fastgrnn_q15_pairs16_layout(const int16_t* U, int16_t* Up);
void rp_fastgrnn_q15_step_pre_pairs16(const rp_fastgrnn_q15_cell* c, const int16_t* Up, const int32_t* wx_q12,
                                      int16_t* h);
/* The same step from the zero state (U.h is 0): the update alone. */
void rp_fastgrnn_q15_step_pre_pairs16_from_zero(const rp_fastgrnn_q15_cell* c, const int32_t* wx_q12, int16_t* h);
/* W.x for such a cell in AVX2 lanes: from int16 input when input_dims is 16
 * and the cell is usable with x_max 32768 (W row-major, as the cell holds
 * it), and from int8 input with W transposed (Wt[j*16 + i] = W[i*input + j])
 * when it is usable with x_max 255. Without AVX2 they are
 * rp_fastgrnn_q15_wx_q15 and rp_fastgrnn_q15_wx_s8_t. */
void rp_fastgrnn_q15_wx_q15_16(const rp_fastgrnn_q15_cell* c, const int16_t* x, int32_t* wx_q12);
void rp_fastgrnn_q15_wx_s8_16(const rp_fastgrnn_q15_cell* c, const int16_t* Wt, const int8_t* x, int32_t x_stride,
                              int32_t zero_point, int32_t* wx_q12);

#ifdef __cplusplus
}
#endif

#endif
