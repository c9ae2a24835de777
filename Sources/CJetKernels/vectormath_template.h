// The vector-math kernels' bodies (GELU forward and backward, softmax), written once over vector macros and
// included by vectormath_sse2.c and vectormath_avx2.c inside a `#pragma clang attribute` that compiles every
// function for its instruction set.
//
// The including file defines:
//   JT(name)                         the name with the instruction set's suffix
//   VEC, VW                          the vector type and its width in floats
//   V_SET1(s), V_LOAD(p), V_STORE(p, v)                    (unaligned loads and stores)
//   V_ADD, V_SUB, V_MUL, V_DIV, V_MIN, V_MAX, V_FMA(a, b, c) = a * b + c
//   V_LT_ZERO(v, x, bound)           v with the lanes where x < bound set to 0
//   V_EXP2I(v)                       2^round(v) for round(v) in [-126, 127] (round to nearest, ties to even), and
//                                    V_ROUNDF(v), that integer as a float
//   V_HSUM(v), V_HMAX(v)             the lanes' sum and maximum, in a fixed order
// A remainder of fewer than VW values goes through the same vector code in a padded copy, so every element gets
// the same formula wherever it sits.

#include <math.h>
#include <string.h>

#define JT_INLINE static inline __attribute__((always_inline))

/// exp(x): Cephes' expf (range reduction by ln 2 in two parts, degree-6 polynomial), within 1e-7 relative of
/// exp; 0 below ln(FLT_MIN) (no denormals), and exp(88) above 88 (JetNN's arguments are <= 0).
JT_INLINE VEC JT(exp)(VEC x) {
    VEC xc = V_MIN(V_MAX(x, V_SET1(-87.33654f)), V_SET1(88.0f));
    VEC scaled = V_MUL(xc, V_SET1(1.44269504088896341f));
    VEC n = V_ROUNDF(scaled);
    VEC r = V_FMA(n, V_SET1(-0.693359375f), xc);
    r = V_FMA(n, V_SET1(2.12194440e-4f), r);
    VEC p = V_SET1(1.9875691500e-4f);
    p = V_FMA(p, r, V_SET1(1.3981999507e-3f));
    p = V_FMA(p, r, V_SET1(8.3334519073e-3f));
    p = V_FMA(p, r, V_SET1(4.1665795894e-2f));
    p = V_FMA(p, r, V_SET1(1.6666665459e-1f));
    p = V_FMA(p, r, V_SET1(5.0000001201e-1f));
    p = V_FMA(p, V_MUL(r, r), r);
    p = V_ADD(p, V_SET1(1.0f));
    return V_LT_ZERO(V_MUL(p, V_EXP2I(scaled)), x, V_SET1(-87.33654f));
}

/// erf(x): Eigen's rational approximation (odd degree 13 over even degree 8, x clamped to [-4, 4]), within
/// 4e-7 of erf.
JT_INLINE VEC JT(erf)(VEC x) {
    x = V_MIN(V_MAX(x, V_SET1(-4.0f)), V_SET1(4.0f));
    VEC x2 = V_MUL(x, x);
    VEC p = V_FMA(x2, V_SET1(-2.72614225801306e-10f), V_SET1(2.77068142495902e-08f));
    p = V_FMA(x2, p, V_SET1(-2.10102402082508e-06f));
    p = V_FMA(x2, p, V_SET1(-5.69250639462346e-05f));
    p = V_FMA(x2, p, V_SET1(-7.34990630326855e-04f));
    p = V_FMA(x2, p, V_SET1(-2.95459980854025e-03f));
    p = V_FMA(x2, p, V_SET1(-1.60960333262415e-02f));
    p = V_MUL(x, p);
    VEC q = V_FMA(x2, V_SET1(-1.45660718464996e-05f), V_SET1(-2.13374055278905e-04f));
    q = V_FMA(x2, q, V_SET1(-1.68282697438203e-03f));
    q = V_FMA(x2, q, V_SET1(-7.37332916720468e-03f));
    q = V_FMA(x2, q, V_SET1(-1.42647390514189e-02f));
    return V_DIV(p, q);
}

/// Phi(x) = (1 + erf(x / sqrt 2)) / 2.
JT_INLINE VEC JT(normal_cdf)(VEC x) {
    return V_MUL(V_SET1(0.5f), V_ADD(V_SET1(1.0f), JT(erf)(V_MUL(x, V_SET1(0.70710678118654752f)))));
}

JT_INLINE VEC JT(gelu)(VEC x) { return V_MUL(x, JT(normal_cdf)(x)); }

/// d/dx x Phi(x) = Phi(x) + x phi(x).
JT_INLINE VEC JT(gelu_derivative)(VEC x) {
    VEC density = V_MUL(V_SET1(0.39894228040143268f), JT(exp)(V_MUL(V_SET1(-0.5f), V_MUL(x, x))));
    return V_FMA(x, density, JT(normal_cdf)(x));
}

void JT(jt_gelu_forward)(const float *x, float *y, long count) {
    long i = 0;
    for (; i + VW <= count; i += VW) V_STORE(y + i, JT(gelu)(V_LOAD(x + i)));
    if (i < count) {
        float tail[VW] = {0};
        memcpy(tail, x + i, (size_t)(count - i) * sizeof(float));
        V_STORE(tail, JT(gelu)(V_LOAD(tail)));
        memcpy(y + i, tail, (size_t)(count - i) * sizeof(float));
    }
}

void JT(jt_gelu_backward)(const float *dy, const float *x, float *dx, long count) {
    long i = 0;
    for (; i + VW <= count; i += VW) V_STORE(dx + i, V_MUL(V_LOAD(dy + i), JT(gelu_derivative)(V_LOAD(x + i))));
    if (i < count) {
        float tail[VW] = {0}, gradient[VW] = {0};
        memcpy(tail, x + i, (size_t)(count - i) * sizeof(float));
        memcpy(gradient, dy + i, (size_t)(count - i) * sizeof(float));
        V_STORE(tail, V_MUL(V_LOAD(gradient), JT(gelu_derivative)(V_LOAD(tail))));
        memcpy(dx + i, tail, (size_t)(count - i) * sizeof(float));
    }
}

void JT(jt_softmax)(float *x, long count) {
    if (count <= 0) return;
    float tail[VW];
    long full = count - count % VW, rest = count - full;
    for (int l = 0; l < VW; l++) tail[l] = -INFINITY;
    memcpy(tail, x + full, (size_t)rest * sizeof(float));
    VEC maximum = V_LOAD(tail);
    for (long i = 0; i < full; i += VW) maximum = V_MAX(maximum, V_LOAD(x + i));
    VEC shift = V_SET1(V_HMAX(maximum));
    VEC total = V_SET1(0.0f);
    for (long i = 0; i < full; i += VW) {
        VEC e = JT(exp)(V_SUB(V_LOAD(x + i), shift));
        V_STORE(x + i, e);
        total = V_ADD(total, e);
    }
    VEC e = JT(exp)(V_SUB(V_LOAD(tail), shift));
    total = V_ADD(total, e);
    VEC inverse = V_SET1(1.0f / V_HSUM(total));
    for (long i = 0; i < full; i += VW) V_STORE(x + i, V_MUL(V_LOAD(x + i), inverse));
    V_STORE(tail, V_MUL(e, inverse));
    memcpy(x + full, tail, (size_t)rest * sizeof(float));
}
