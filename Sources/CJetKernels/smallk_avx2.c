// The small-k kernels for AVX2 with FMA: 8 floats per vector, maskload/maskstore for the remainders.
#if defined(__x86_64__)
#include "CJetKernels.h"
#include <immintrin.h>
#include <string.h>

#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)

#define JT(name) name##_avx2
#define VEC __m256
#define VW 8
static inline __m256i jt_lanes_avx2(int count) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(count), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
#define V_ZERO() _mm256_setzero_ps()
#define V_SET1(s) _mm256_set1_ps(s)
#define V_LOAD(p) _mm256_loadu_ps(p)
#define V_STORE(p, v) _mm256_storeu_ps(p, v)
#define V_LOADN(p, n) _mm256_maskload_ps(p, jt_lanes_avx2(n))
#define V_STOREN(p, v, n) _mm256_maskstore_ps(p, jt_lanes_avx2(n), v)
#define V_FMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define V_ADD(a, b) _mm256_add_ps(a, b)
#define V_RELU(v) _mm256_max_ps(_mm256_setzero_ps(), v)
#define V_KEEPPOS(g, y) _mm256_and_ps(g, _mm256_cmp_ps(y, _mm256_setzero_ps(), _CMP_GT_OQ))
// 16 vector registers: tiles of 4 x 3 (forward), 4 x 2 (weight gradient), 3 x 3 (input gradient) accumulators.
#define FWD_RB 4
#define FWD_CB 3
#define WG_KB 4
#define WG_CB 2
#define IG_RB 3
#include "smallk_template.h"

#pragma clang attribute pop
#endif
