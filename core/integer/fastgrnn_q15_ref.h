/* Plain scalar references of the EdgeML-compatible FastGRNN and RNNPool
 * block: the cell as a sequence of whole-vector primitives, each storing an
 * int16 vector, in the order of ../shared/reference/edgeml-q15/README.md
 * ("One FastGRNN step"). The kernels in fastgrnn_q15.c / rnnpool_q15.c must
 * give the same bits (rnnpool_q15_test, randomised). Slow on purpose.
 *
 *   uint8_t scratch[...]; // rp_edgeml_fastgrnn_ref_scratch_bytes(hidden)
 *   rp_edgeml_fastgrnn_q15_step_ref(&params, &scales, x, h, scratch);
 */
#ifndef RNNPOOL_INTEGER_FASTGRNN_Q15_REF_H
#define RNNPOOL_INTEGER_FASTGRNN_Q15_REF_H

#include "integer/fastgrnn_q15.h"
#include "integer/rnnpool_q15.h"

#ifdef __cplusplus
extern "C" {
#endif

size_t rp_edgeml_fastgrnn_ref_scratch_bytes(int32_t hidden_dims);
void rp_edgeml_fastgrnn_q15_step_ref(const rp_edgeml_fastgrnn_params* p, const rp_edgeml_fastgrnn_scales* s,
                                     const int16_t* x, int16_t* h, void* scratch);
void rp_edgeml_fastgrnn_q7xq15_step_ref(const rp_edgeml_fastgrnn_params* p, const rp_edgeml_fastgrnn_scales* s,
                                        const int8_t* x, int16_t* h, void* scratch);

/* The block built on the reference cells. */
size_t rp_edgeml_rnnpool_ref_scratch_bytes(const rp_edgeml_rnnpool_config* cfg);
int rp_edgeml_rnnpool_q15_ref(const rp_edgeml_rnnpool_config* cfg, const int16_t* patch, int32_t row_pitch,
                              int16_t* out, void* scratch, rp_rnnpool_q15_trace* trace);
int rp_edgeml_rnnpool_q7xq15_ref(const rp_edgeml_rnnpool_config* cfg, const int8_t* patch, int32_t row_pitch,
                                 int16_t* out, void* scratch, rp_rnnpool_q15_trace* trace);

#ifdef __cplusplus
}
#endif

#endif
