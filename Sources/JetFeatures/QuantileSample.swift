import JetCore

/// A bounded sample of a stream of values, for its percentiles: every value while no more than `capacity` have
/// been added (the percentiles are then exact), a uniform reservoir sample of them after that (Vitter's
/// algorithm R, seeded, so a refit gives the same answer).
public struct QuantileSample: Sendable {
    /// Values kept at most; about 8 MB of Float32 per million.
    public let capacity: Int
    /// Values added so far.
    public private(set) var count = 0
    private var values: [Float] = []
    private var generator: SeededGenerator

    public init(capacity: Int = 1 << 21, seed: UInt64 = 0) {
        precondition(capacity > 0, "QuantileSample: capacity must be positive")
        self.capacity = capacity
        generator = SeededGenerator(seed: seed)
    }

    /// Adds a batch of values.
    public mutating func add(_ batch: UnsafeBufferPointer<Float>) {
        for value in batch {
            count += 1
            if values.count < capacity {
                values.append(value)
            } else {
                let slot = Int(generator.next() % UInt64(count))
                if slot < capacity { values[slot] = value }
            }
        }
    }

    /// The kept values in ascending order: every value added while no more than `capacity` were.
    public func sortedValues() -> [Float] { values.sorted() }

    /// The `q`-th percentiles (0...100) with numpy's default linear interpolation between the closest ranks;
    /// nil when nothing was added.
    public func percentiles(_ q: [Double]) -> [Double]? {
        guard !values.isEmpty else { return nil }
        let sorted = sortedValues()
        return q.map { percent in
            let position = percent / 100 * Double(sorted.count - 1)
            let below = Int(position.rounded(.down))
            let above = min(below + 1, sorted.count - 1)
            let fraction = position - Double(below)
            return Double(sorted[below]) + fraction * (Double(sorted[above]) - Double(sorted[below]))
        }
    }
}
