// The small-k kernels for AVX-512F: 16 floats per vector, lane masks for the remainders.
#if defined(__x86_64__)
#include "CJetKernels.h"
#include <immintrin.h>
#include <string.h>

#pragma clang attribute push(__attribute__((target("avx512f"))), apply_to = function)

#define JT(name) name##_avx512
#define VEC __m512
#define VW 16
static inline __mmask16 jt_lanes_avx512(int count) { return (__mmask16)((1u << count) - 1); }
#define V_ZERO() _mm512_setzero_ps()
#define V_SET1(s) _mm512_set1_ps(s)
#define V_LOAD(p) _mm512_loadu_ps(p)
#define V_STORE(p, v) _mm512_storeu_ps(p, v)
#define V_LOADN(p, n) _mm512_maskz_loadu_ps(jt_lanes_avx512(n), p)
#define V_STOREN(p, v, n) _mm512_mask_storeu_ps(p, jt_lanes_avx512(n), v)
#define V_FMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define V_ADD(a, b) _mm512_add_ps(a, b)
#define V_RELU(v) _mm512_max_ps(_mm512_setzero_ps(), v)
#define V_KEEPPOS(g, y) _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(y, _mm512_setzero_ps(), _CMP_GT_OQ), g)
// 32 vector registers: tiles of 6 x 4 (forward), 7 x 3 (weight gradient), 8 x 2 (input gradient) accumulators.
#define FWD_RB 6
#define FWD_CB 4
#define WG_KB 7
#define WG_CB 3
#define IG_RB 8
#include "smallk_template.h"

#pragma clang attribute pop
#endif
