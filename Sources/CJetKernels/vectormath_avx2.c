// The vector-math kernels for AVX2 with FMA: 8 floats per vector.
#if defined(__x86_64__)
#include "CJetKernels.h"
#include <immintrin.h>

#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)

#define JT(name) name##_avx2
#define VEC __m256
#define VW 8
#define V_SET1(s) _mm256_set1_ps(s)
#define V_LOAD(p) _mm256_loadu_ps(p)
#define V_STORE(p, v) _mm256_storeu_ps(p, v)
#define V_ADD(a, b) _mm256_add_ps(a, b)
#define V_SUB(a, b) _mm256_sub_ps(a, b)
#define V_MUL(a, b) _mm256_mul_ps(a, b)
#define V_DIV(a, b) _mm256_div_ps(a, b)
#define V_MIN(a, b) _mm256_min_ps(a, b)
#define V_MAX(a, b) _mm256_max_ps(a, b)
#define V_FMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define V_LT_ZERO(v, x, bound) _mm256_andnot_ps(_mm256_cmp_ps(x, bound, _CMP_LT_OQ), v)
#define V_ROUNDF(v) _mm256_cvtepi32_ps(_mm256_cvtps_epi32(v))
#define V_EXP2I(v) \
    _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(v), _mm256_set1_epi32(127)), 23))
static inline float jt_hsum_avx2(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(s, _mm_shuffle_ps(s, s, 1)));
}
static inline float jt_hmax_avx2(__m256 v) {
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_max_ss(s, _mm_shuffle_ps(s, s, 1)));
}
#define V_HSUM(v) jt_hsum_avx2(v)
#define V_HMAX(v) jt_hmax_avx2(v)
#include "vectormath_template.h"

#pragma clang attribute pop
#endif
