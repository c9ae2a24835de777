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
        // BLAS leaves C untouched when k == 0 only if beta == 1; make the empty product explicit.
        if beta != 1 { UnsafeMutableBufferPointer(start: c, count: m * n).update(repeating: 0) }
        return
    }
    cblas_sgemm(
        CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
        Int32(m), Int32(n), Int32(k), alpha,
        a, Int32(transposeA ? m : k), b, Int32(transposeB ? k : n),
        beta, c, Int32(n))
}
