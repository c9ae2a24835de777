// Dispatch of the vector-math kernels to the variant `isa` names (see CJetKernels.h).
#include "CJetKernels.h"

#define JT_VM_VARIANT(suffix) \
    void jt_gelu_forward_##suffix(const float *, float *, long); \
    void jt_gelu_backward_##suffix(const float *, const float *, float *, long); \
    void jt_softmax_##suffix(float *, long);
JT_VM_VARIANT(generic)
#if defined(__x86_64__)
JT_VM_VARIANT(sse2)
JT_VM_VARIANT(avx2)
#define JT_VM_DISPATCH(name, ...) \
    if (isa >= JT_SMALLK_AVX2) name##_avx2(__VA_ARGS__); \
    else if (isa == JT_SMALLK_SSE2) name##_sse2(__VA_ARGS__); \
    else name##_generic(__VA_ARGS__);
#else
#define JT_VM_DISPATCH(name, ...) \
    (void)isa; \
    name##_generic(__VA_ARGS__);
#endif

void jt_gelu_forward(int isa, const float *x, float *y, long count) { JT_VM_DISPATCH(jt_gelu_forward, x, y, count) }

void jt_gelu_backward(int isa, const float *dy, const float *x, float *dx, long count) {
    JT_VM_DISPATCH(jt_gelu_backward, dy, x, dx, count)
}

void jt_softmax(int isa, float *x, long count) { JT_VM_DISPATCH(jt_softmax, x, count) }
