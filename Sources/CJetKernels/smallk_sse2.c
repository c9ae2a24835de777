// The small-k kernels for SSE2, which every x86-64 CPU has: 4 floats per vector, no FMA (a multiply and an add).
#if defined(__x86_64__)
#include "CJetKernels.h"
#include <immintrin.h>
#include <string.h>

#pragma clang attribute push(__attribute__((target("sse2"))), apply_to = function)

#define JT(name) name##_sse2
#define VEC __m128
#define VW 4
static inline __m128 jt_load_part_sse2(const float *p, int count) {
    float lanes[4] = {0, 0, 0, 0};
    memcpy(lanes, p, sizeof(float) * count);
    return _mm_loadu_ps(lanes);
}
static inline void jt_store_part_sse2(float *p, __m128 v, int count) {
    float lanes[4];
    _mm_storeu_ps(lanes, v);
    memcpy(p, lanes, sizeof(float) * count);
}
#define V_ZERO() _mm_setzero_ps()
#define V_SET1(s) _mm_set1_ps(s)
#define V_LOAD(p) _mm_loadu_ps(p)
#define V_STORE(p, v) _mm_storeu_ps(p, v)
#define V_LOADN(p, n) jt_load_part_sse2(p, n)
#define V_STOREN(p, v, n) jt_store_part_sse2(p, v, n)
#define V_FMA(a, b, c) _mm_add_ps(_mm_mul_ps(a, b), c)
#define V_ADD(a, b) _mm_add_ps(a, b)
#define V_RELU(v) _mm_max_ps(_mm_setzero_ps(), v)
#define V_KEEPPOS(g, y) _mm_and_ps(g, _mm_cmpgt_ps(y, _mm_setzero_ps()))
// 16 vector registers: tiles of 3 x 3 (forward), 4 x 2 (weight gradient), 2 x 6 (input gradient) accumulators.
#define FWD_RB 3
#define FWD_CB 3
#define WG_KB 4
#define WG_CB 2
#define IG_RB 2
#include "smallk_template.h"

#pragma clang attribute pop
#endif
