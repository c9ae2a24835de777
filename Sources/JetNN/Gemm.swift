import CBLAS

/// C[M, N] = alpha * op(A) * op(B) + beta * C, all row-major, through `cblas_sgemm`.
///
/// op(A) is [M, K] (A stored [M, K], or [K, M] when `transposeA`), op(B) is [K, N] (B stored [K, N], or [N, K]
/// when `transposeB`); leading dimensions are the stored row lengths. Empty products (m or n = 0) do nothing, so
/// empty buffers (nil base addresses) are allowed there.
@inline(__always)
func gemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Float = 1, a: UnsafePointer<Float>?, b: UnsafePointer<Float>?,
    beta: Float, c: UnsafeMutablePointer<Float>?
) {
    guard m > 0, n > 0, let c else { return }
    guard k > 0 else {
        // The product is empty: C = beta * C, with beta = 0 overwriting (as BLAS does for k > 0).
        let values = UnsafeMutableBufferPointer(start: c, count: m * n)
        if beta == 0 {
            values.update(repeating: 0)
        } else if beta != 1 {
            for i in values.indices { values[i] *= beta }
        }
        return
    }
    // OpenBLAS scales C by beta in a slow pass of its own whenever beta != 1; a memset is several times faster.
    if beta == 0 { c.update(repeating: 0, count: m * n) }
    cblas_sgemm(
        CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
        Int32(m), Int32(n), Int32(k), alpha,
        a, Int32(transposeA ? m : k), b, Int32(transposeB ? k : n),
        beta == 0 ? 1 : beta, c, Int32(n))
}

/// ``gemm(transposeA:transposeB:m:n:k:alpha:a:b:beta:c:)`` on sub-matrices: `lda`, `ldb`, `ldc` are the stored row
/// lengths of A, B and C (a head's columns of a wider row-major matrix). k must be > 0.
@inline(__always)
func gemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float,
    c: UnsafeMutablePointer<Float>, ldc: Int
) {
    guard m > 0, n > 0, k > 0 else { return }
    cblas_sgemm(
        CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
        Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}
