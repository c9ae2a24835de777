import JetCore
import Testing

@Suite struct ParallelTests {
    /// Every index runs exactly once, whether there are fewer, as many or more threads than indices.
    @Test(arguments: [1, 3, 10, 16])
    func everyIndexRunsOnce(threads: Int) {
        let count = 10
        let runs = UnsafeMutableBufferPointer<Int>.allocate(capacity: count)
        defer { runs.deallocate() }
        runs.initialize(repeating: 0)
        parallelFor(count, threads: threads) { index in runs[index] += 1 }
        #expect(Array(runs) == Array(repeating: 1, count: count))
    }
}
