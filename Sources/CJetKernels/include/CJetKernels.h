#ifndef JETTAG_CJETKERNELS_H
#define JETTAG_CJETKERNELS_H

// JetTag's own kernels for dense products whose inner dimension k is small (k <= JT_SMALLK_MAX_K): a
// per-constituent network's first layer (7-16 inputs) and a first Conv1D's im2col product (k = 3 x 7), which
// every BLAS runs far below its peak. All matrices are row-major and dense (leading dimension = row length):
//   x [rows, k] (inputs), w [n, k] (weight, PyTorch Linear layout), y and g [rows, n] (outputs, their gradients).
// Each kernel exists compiled for SSE2, AVX2 + FMA and AVX-512F (per-function target attributes, no compiler
// flags needed); `isa` (a JTSmallKISA) chooses one, and the caller must choose only one the CPU supports
// (jt_smallk_available says which were compiled in). SIMD runs over the n output channels (forward, weight
// gradient) or the k inputs (input gradient) with the other operand broadcast. Every sum is taken in a fixed
// order that depends on the shapes only: results are the same bits on every call with the same inputs.

#ifdef __cplusplus
extern "C" {
#endif

#define JT_SMALLK_MAX_K 24

typedef enum { JT_SMALLK_SSE2 = 1, JT_SMALLK_AVX2 = 2, JT_SMALLK_AVX512 = 3 } JTSmallKISA;

/// 1 when the kernels for `isa` are compiled in (x86-64 builds), else 0.
int jt_smallk_available(int isa);

/// y = x w^T + bias (bias [n] or NULL), then y = max(y, 0) when `relu` (NaN kept, as JetNN's ReLU does).
void jt_smallk_forward(int isa, const float *x, const float *w, const float *bias, float *y, long rows, int k, int n,
                       int relu);

/// With gp = g masked by y > 0 when `relu_output` (the forward's ReLU output y) is given, else gp = g:
/// dw [n, k] = gp^T x and db [n] = column sums of gp (db may be NULL), overwritten, or added to when `accumulate`.
/// `dpre` [rows, n] (or NULL) is scratch for gp: with a k wider than one register tile the kernel writes gp there
/// and reads it back rather than masking g again; when `returns_dpre` it always leaves gp there. Sums run over the
/// rows in row order.
void jt_smallk_weight_gradient(int isa, const float *x, const float *g, const float *relu_output, float *dpre,
                               int returns_dpre, float *dw, float *db, long rows, int k, int n, int accumulate);

/// dx [rows, k] = g w (overwritten); the sum over the n channels runs in channel order.
void jt_smallk_input_gradient(int isa, const float *g, const float *w, float *dx, long rows, int k, int n);

// Vector math for the transformer's element-wise work, SIMD over the values with the same polynomial
// approximations on every path: exp within 1e-7 relative (Cephes' expf; 0 below ln FLT_MIN), erf within 4e-7
// absolute (Eigen's rational approximation). `isa` a JTSmallKISA (AVX-512F runs the AVX2 + FMA variant) or 0 for
// portable C; any isa on a non-x86 build runs the portable C. Results are the same bits for the same inputs and
// isa wherever an element sits in the buffer.

/// y = x Phi(x) (GELU with the exact normal CDF Phi(x) = (1 + erf(x / sqrt 2)) / 2); y may be x.
void jt_gelu_forward(int isa, const float *x, float *y, long count);

/// dx = dy (Phi(x) + x phi(x)), phi the standard normal density; dx may be dy.
void jt_gelu_backward(int isa, const float *dy, const float *x, float *dx, long count);

/// x = softmax(x) in place over `count` values (count >= 1).
void jt_softmax(int isa, float *x, long count);

#ifdef __cplusplus
}
#endif

#endif
