// Dispatch of the small-k kernels to the variant `isa` names (see CJetKernels.h).
#include "CJetKernels.h"

#if defined(__x86_64__)
#define JT_VARIANTS(name, ...) \
    void name##_sse2(__VA_ARGS__); \
    void name##_avx2(__VA_ARGS__); \
    void name##_avx512(__VA_ARGS__);
JT_VARIANTS(jt_smallk_forward, const float *, const float *, const float *, float *, long, int, int, int)
JT_VARIANTS(jt_smallk_weight_gradient, const float *, const float *, const float *, float *, int, float *, float *,
            long, int, int, int)
JT_VARIANTS(jt_smallk_input_gradient, const float *, const float *, float *, long, int, int)

int jt_smallk_available(int isa) { return isa >= JT_SMALLK_SSE2 && isa <= JT_SMALLK_AVX512; }

#define JT_DISPATCH(name, ...) \
    switch (isa) { \
    case JT_SMALLK_AVX512: name##_avx512(__VA_ARGS__); break; \
    case JT_SMALLK_AVX2: name##_avx2(__VA_ARGS__); break; \
    default: name##_sse2(__VA_ARGS__); \
    }
#else
int jt_smallk_available(int isa) { return 0; }
// Never called: JetNN uses BLAS where no variant is available.
#define JT_DISPATCH(name, ...) (void)isa
#endif

void jt_smallk_forward(int isa, const float *x, const float *w, const float *bias, float *y, long rows, int k, int n,
                       int relu) {
    JT_DISPATCH(jt_smallk_forward, x, w, bias, y, rows, k, n, relu)
}

void jt_smallk_weight_gradient(int isa, const float *x, const float *g, const float *relu_output, float *dpre,
                               int returns_dpre, float *dw, float *db, long rows, int k, int n, int accumulate) {
    JT_DISPATCH(jt_smallk_weight_gradient, x, g, relu_output, dpre, returns_dpre, dw, db, rows, k, n, accumulate)
}

void jt_smallk_input_gradient(int isa, const float *g, const float *w, float *dx, long rows, int k, int n) {
    JT_DISPATCH(jt_smallk_input_gradient, g, w, dx, rows, k, n)
}
