/// Count, mean and sum of squared deviations of a stream of values, merged batch by batch
/// (Chan et al.'s parallel form of Welford's algorithm, in Double).
public struct RunningMoments: Codable, Sendable, Equatable {
    public private(set) var count: Int = 0
    public private(set) var mean: Double = 0
    /// Sum of squared deviations from the mean.
    public private(set) var m2: Double = 0

    public init() {}

    /// Population variance (numpy's `var` with `ddof=0`); 0 for fewer than one value.
    public var variance: Double { count > 0 ? m2 / Double(count) : 0 }

    /// Population standard deviation (numpy's `std`).
    public var standardDeviation: Double { variance.squareRoot() }

    /// Adds a batch of values (two passes over the batch, then one merge).
    public mutating func add(_ values: UnsafeBufferPointer<Float>) {
        guard !values.isEmpty else { return }
        var sum: Double = 0
        for value in values { sum += Double(value) }
        let batchMean = sum / Double(values.count)
        var batchM2: Double = 0
        for value in values {
            let deviation = Double(value) - batchMean
            batchM2 += deviation * deviation
        }
        merge(count: values.count, mean: batchMean, m2: batchM2)
    }

    /// Merges the moments of another stream.
    public mutating func merge(_ other: RunningMoments) {
        merge(count: other.count, mean: other.mean, m2: other.m2)
    }

    private mutating func merge(count otherCount: Int, mean otherMean: Double, m2 otherM2: Double) {
        guard otherCount > 0 else { return }
        let total = count + otherCount
        let delta = otherMean - mean
        mean += delta * Double(otherCount) / Double(total)
        m2 += otherM2 + delta * delta * Double(count) * Double(otherCount) / Double(total)
        count = total
    }
}
