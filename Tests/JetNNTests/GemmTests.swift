@testable import JetNN
import JetTestSupport
import Testing

@Suite struct GemmTests {
    /// Every transpose combination on non-square shapes against a naive row-major triple loop, with beta = 1
    /// accumulation: catches swapped leading dimensions or transposes in the cblas_sgemm wrapper.
    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func matchesNaiveProduct(transposeA: Bool, transposeB: Bool) {
        let (m, n, k) = (5, 3, 7)
        let a = randomValues(m * k, seed: 101)
        let b = randomValues(k * n, seed: 102)
        let start = randomValues(m * n, seed: 103)
        var expected = start
        for i in 0..<m {
            for j in 0..<n {
                var sum: Float = 0
                for l in 0..<k {
                    // A stored [m, k] or [k, m]; B stored [k, n] or [n, k].
                    sum += (transposeA ? a[l * m + i] : a[i * k + l]) * (transposeB ? b[j * k + l] : b[l * n + j])
                }
                expected[i * n + j] += 0.5 * sum
            }
        }
        var c = start
        c.withUnsafeMutableBufferPointer { c in
            gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 0.5, a: a, b: b, beta: 1, c: c.baseAddress)
        }
        expectClose(c, expected, tolerance: .float32, "gemm transposeA \(transposeA) transposeB \(transposeB)")
    }

    @Test func emptyInnerDimensionScalesByBeta() {
        var c: [Float] = [1, 2]
        c.withUnsafeMutableBufferPointer { gemm(transposeA: false, transposeB: false, m: 1, n: 2, k: 0, a: nil, b: nil, beta: 0, c: $0.baseAddress) }
        #expect(c == [0, 0])
        c = [1, 2]
        c.withUnsafeMutableBufferPointer { gemm(transposeA: false, transposeB: false, m: 1, n: 2, k: 0, a: nil, b: nil, beta: 1, c: $0.baseAddress) }
        #expect(c == [1, 2])
        c.withUnsafeMutableBufferPointer { gemm(transposeA: false, transposeB: false, m: 1, n: 2, k: 0, a: nil, b: nil, beta: 0.5, c: $0.baseAddress) }
        #expect(c == [0.5, 1])
    }
}
