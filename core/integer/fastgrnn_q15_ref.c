/* The EdgeML-compatible cell as whole-vector primitives (see the header).
 * Written from the arithmetic description in
 * ../shared/reference/edgeml-q15/README.md, not from EdgeML's code. */
#include "integer/fastgrnn_q15_ref.h"

#include "integer/q15_arith.h"

#define RP_REF_VECTORS 12 /* int16 vectors of hidden_dims in the scratch */

size_t rp_edgeml_fastgrnn_ref_scratch_bytes(int32_t hidden_dims)
{
    return hidden_dims > 0 ? (size_t)RP_REF_VECTORS * (size_t)hidden_dims * sizeof(int16_t) : 0u;
}

/* out = reduce(sum_j M[i,j] v[j], scale), int64 sum. */
static void mulvec_q15(const int16_t* M, const int16_t* v, int32_t rows, int32_t cols, int64_t scale,
                       rp_scale_mode m, int16_t* out)
{
    for (int32_t i = 0; i < rows; ++i) {
        int64_t acc = 0;
        for (int32_t j = 0; j < cols; ++j)
            acc += (int64_t)((int32_t)M[i * cols + j] * (int32_t)v[j]);
        out[i] = rp_wrap16(rp_reduce(acc, scale, m));
    }
}

/* The same with int8 v and an int32 sum (wrapping as two's complement). */
static void mulvec_q15_q7(const int16_t* M, const int8_t* v, int32_t rows, int32_t cols, int64_t scale,
                          rp_scale_mode m, int16_t* out)
{
    for (int32_t i = 0; i < rows; ++i) {
        int64_t acc = 0;
        for (int32_t j = 0; j < cols; ++j) {
            acc += (int32_t)M[i * cols + j] * (int32_t)v[j];
            acc = acc > INT32_MAX ? acc - 4294967296LL : (acc < INT32_MIN ? acc + 4294967296LL : acc);
        }
        out[i] = rp_wrap16(rp_reduce(acc, scale, m));
    }
}

/* out = reduce(reduce(a, s1*sr) + reduce(b, s2*sr), d) */
static void v_add(const int16_t* a, const int16_t* b, int32_t n, int32_t s1, int32_t s2, int32_t sr, int32_t d,
                  rp_scale_mode m, int16_t* out)
{
    const int64_t ra = rp_combine(s1, sr, m), rb = rp_combine(s2, sr, m);
    for (int32_t i = 0; i < n; ++i)
        out[i] = rp_wrap16(rp_reduce(rp_reduce(a[i], ra, m) + rp_reduce(b[i], rb, m), d, m));
}

static void v_hadamard(const int16_t* a, const int16_t* b, int32_t n, int32_t s1, int32_t s2, rp_scale_mode m,
                       int16_t* out)
{
    const int64_t r = rp_combine(s1, s2, m);
    for (int32_t i = 0; i < n; ++i)
        out[i] = rp_wrap16(rp_reduce((int32_t)a[i] * (int32_t)b[i], r, m));
}

static void v_sigmoid(const int16_t* x, int32_t n, const rp_edgeml_fastgrnn_scales* s, int16_t* out)
{
    for (int32_t i = 0; i < n; ++i) {
        const int16_t t = rp_wrap16(x[i] / s->div + s->add);
        const int64_t clamped = t <= 0 ? 0 : (t >= s->sigmoidLimit ? s->sigmoidLimit : t);
        const int32_t k = s->sigmoidScaleOut - s->sigmoidScaleIn;
        out[i] = rp_wrap16(k >= 0 ? rp_shl64(clamped, k) : rp_asr64(clamped, -k));
    }
}

static void v_tanh(const int16_t* x, int32_t n, const rp_edgeml_fastgrnn_scales* s, int16_t* out)
{
    const int64_t limit = (int64_t)1 << s->tanhScaleIn;
    const int32_t k = s->tanhScaleOut - s->tanhScaleIn;
    for (int32_t i = 0; i < n; ++i) {
        const int64_t v = x[i] < -limit ? -limit : (x[i] > limit ? limit : x[i]);
        out[i] = rp_wrap16(k >= 0 ? rp_shl64(v, k) : rp_asr64(v, -k));
    }
}

static void step_after_wx(const rp_edgeml_fastgrnn_params* p, const rp_edgeml_fastgrnn_scales* s, int16_t* h,
                          int16_t* buf)
{
    const int32_t n = p->hidden_dims;
    const rp_scale_mode m = s->mode;
    int16_t *wx = buf, *uh = buf + n, *pre = buf + 2 * n, *zin = buf + 3 * n, *z = buf + 4 * n;
    int16_t *cin = buf + 5 * n, *c = buf + 6 * n, *zh = buf + 7 * n, *v = buf + 8 * n, *vc = buf + 9 * n;
    mulvec_q15(p->U, h, n, n, rp_combine(rp_combine(s->u, s->hiddenStateMVU, m), s->mVUOut, m), m, uh);
    v_add(wx, uh, n, s->mV1AddMV2, s->mV2AddMV1, s->mV1AddMV2Out, s->mV1AddMV2Demote, m, pre);
    v_add(pre, p->Bg, n, s->pC1AddBg, s->bg, s->pC1AddBgOut, s->pC1AddBgDemote, m, zin);
    v_sigmoid(zin, n, s, z);
    v_add(pre, p->Bh, n, s->pC1AddBh, s->bh, s->pC1AddBhOut, s->pC1AddBhDemote, m, cin);
    v_tanh(cin, n, s, c);
    v_hadamard(z, h, n, s->gateHDHiddenState, s->hiddenStateHDGate, m, zh);
    /* scalar_sub: (qOne reduced) - (z reduced), the reduced scalar kept in int32 */
    for (int32_t i = 0; i < n; ++i)
        v[i] = rp_wrap16(rp_reduce(s->qOne, rp_combine(s->qOneScale, s->qOneSubGateOut, m), m) -
                         rp_reduce(z[i], rp_combine(s->qOneSubGate, s->qOneSubGateOut, m), m));
    /* scalar_mul */
    for (int32_t i = 0; i < n; ++i)
        v[i] = rp_wrap16(rp_reduce((int32_t)p->sigmoid_zeta * v[i],
                                   rp_combine(s->sigmoidZeta, s->sigmoidZetaMulQOneSubGate, m), m));
    /* scalar_add */
    for (int32_t i = 0; i < n; ++i)
        v[i] = rp_wrap16(rp_reduce(p->sigmoid_nu, rp_combine(s->sigmoidNu, s->sigmoidNuAddQOneSubGateOut, m), m) +
                         rp_reduce(v[i], rp_combine(s->sigmoidNuAddQOneSubGate, s->sigmoidNuAddQOneSubGateOut, m), m));
    v_hadamard(v, c, n, s->sigmoidNuAddQOneSubGateHDUpdate, s->updateHDSigmoidNuAddQOneSubGate, m, vc);
    v_add(zh, vc, n, s->pC3AddPC1, s->pC1AddPC3, s->hiddenStateOut, s->hiddenStateDemote, m, h);
}

void rp_edgeml_fastgrnn_q15_step_ref(const rp_edgeml_fastgrnn_params* p, const rp_edgeml_fastgrnn_scales* s,
                                     const int16_t* x, int16_t* h, void* scratch)
{
    int16_t* buf = (int16_t*)scratch;
    const rp_scale_mode m = s->mode;
    mulvec_q15(p->W, x, p->hidden_dims, p->input_dims, rp_combine(rp_combine(s->w, s->normFeaturesMVW, m), s->mVWOut, m),
               m, buf);
    step_after_wx(p, s, h, buf);
}

void rp_edgeml_fastgrnn_q7xq15_step_ref(const rp_edgeml_fastgrnn_params* p, const rp_edgeml_fastgrnn_scales* s,
                                        const int8_t* x, int16_t* h, void* scratch)
{
    int16_t* buf = (int16_t*)scratch;
    const rp_scale_mode m = s->mode;
    mulvec_q15_q7(p->W, x, p->hidden_dims, p->input_dims,
                  rp_combine(rp_combine(s->w, s->normFeaturesMVW, m), s->mVWOut, m), m, buf);
    step_after_wx(p, s, h, buf);
}
