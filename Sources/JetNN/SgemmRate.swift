import CBLAS

/// The measured single-precision matrix-product rate of this process's BLAS on one thread.
public struct SgemmRate: Equatable, Sendable {
    /// The matrices are `size` x `size`.
    public var size: Int
    /// Products timed (after one untimed warm-up).
    public var products: Int
    public var seconds: Double
    /// 2 size^3 products / seconds, in 10^9 floating-point operations per second.
    public var gflops: Double { 2 * Double(size * size * size) * Double(products) / seconds / 1e9 }

    /// Times square `size` x `size` products C = A B on one thread until `seconds` have passed (at least one).
    ///
    /// OpenBLAS is held at one thread, as JetNN always runs it (``ComputeThreads``).
    public static func measure(size: Int = 1024, seconds: Double = 2) -> SgemmRate {
        precondition(size > 0 && seconds >= 0, "SgemmRate: size must be positive and seconds >= 0")
        openblas_set_num_threads(1)
        let a = [Float](repeating: 0.5, count: size * size), b = [Float](repeating: 0.25, count: size * size)
        var c = [Float](repeating: 0, count: size * size)
        func product() {
            gemm(transposeA: false, transposeB: false, m: size, n: size, k: size, a: a, b: b, beta: 0, c: &c)
        }
        product()
        let clock = ContinuousClock(), start = clock.now
        var products = 0, elapsed = 0.0
        repeat {
            product()
            products += 1
            let duration = clock.now - start
            elapsed = Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
        } while elapsed < seconds
        return SgemmRate(size: size, products: products, seconds: elapsed)
    }
}
