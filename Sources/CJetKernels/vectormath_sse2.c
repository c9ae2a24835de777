// The vector-math kernels for SSE2: 4 floats per vector, multiply and add for the fused multiply-add.
#if defined(__x86_64__)
#include "CJetKernels.h"
#include <emmintrin.h>

#pragma clang attribute push(__attribute__((target("sse2"))), apply_to = function)

#define JT(name) name##_sse2
#define VEC __m128
#define VW 4
#define V_SET1(s) _mm_set1_ps(s)
#define V_LOAD(p) _mm_loadu_ps(p)
#define V_STORE(p, v) _mm_storeu_ps(p, v)
#define V_ADD(a, b) _mm_add_ps(a, b)
#define V_SUB(a, b) _mm_sub_ps(a, b)
#define V_MUL(a, b) _mm_mul_ps(a, b)
#define V_DIV(a, b) _mm_div_ps(a, b)
#define V_MIN(a, b) _mm_min_ps(a, b)
#define V_MAX(a, b) _mm_max_ps(a, b)
#define V_FMA(a, b, c) _mm_add_ps(_mm_mul_ps(a, b), c)
#define V_LT_ZERO(v, x, bound) _mm_andnot_ps(_mm_cmplt_ps(x, bound), v)
#define V_ROUNDF(v) _mm_cvtepi32_ps(_mm_cvtps_epi32(v))
#define V_EXP2I(v) _mm_castsi128_ps(_mm_slli_epi32(_mm_add_epi32(_mm_cvtps_epi32(v), _mm_set1_epi32(127)), 23))
static inline float jt_hsum_sse2(__m128 s) {
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(s, _mm_shuffle_ps(s, s, 1)));
}
static inline float jt_hmax_sse2(__m128 s) {
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_max_ss(s, _mm_shuffle_ps(s, s, 1)));
}
#define V_HSUM(v) jt_hsum_sse2(v)
#define V_HMAX(v) jt_hmax_sse2(v)
#include "vectormath_template.h"

#pragma clang attribute pop
#endif
