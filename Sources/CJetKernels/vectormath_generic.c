// The vector-math kernels in portable C, one float per "vector": the path of a CPU without SSE2 or AVX2 + FMA
// kernels (and of non-x86 builds), with the same formulas.
#include "CJetKernels.h"
#include <math.h>
#include <stdint.h>
#include <string.h>

#define JT(name) name##_generic
#define VEC float
#define VW 1
#define V_SET1(s) (s)
#define V_LOAD(p) (*(p))
#define V_STORE(p, v) (*(p) = (v))
#define V_ADD(a, b) ((a) + (b))
#define V_SUB(a, b) ((a) - (b))
#define V_MUL(a, b) ((a) * (b))
#define V_DIV(a, b) ((a) / (b))
#define V_MIN(a, b) fminf(a, b)
#define V_MAX(a, b) fmaxf(a, b)
#define V_FMA(a, b, c) ((a) * (b) + (c))
#define V_LT_ZERO(v, x, bound) ((x) < (bound) ? 0.0f : (v))
#define V_ROUNDF(v) rintf(v)
static inline float jt_exp2i_generic(float v) {
    int32_t bits = ((int32_t)rintf(v) + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return scale;
}
#define V_EXP2I(v) jt_exp2i_generic(v)
#define V_HSUM(v) (v)
#define V_HMAX(v) (v)
#include "vectormath_template.h"
