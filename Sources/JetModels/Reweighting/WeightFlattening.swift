import JetFeatures

/// `reweighting.flattenIn`: every training weight divided by the mean |w| of both samples' jets in its bin of the
/// observable, 20 bins at quantiles of the training jets. Built the same way in memory and streamed: edges from
/// the sorted training values, then the bin sums over the training and validation jets in their order.
struct WeightFlattening: Sendable {
    static let binCount = 20
    let edges: [Float]
    private(set) var sums = [Double](repeating: 0, count: binCount)
    private(set) var counts = [Double](repeating: 0, count: binCount)

    /// Edges at the quantiles j / 20 of the `sorted` training values: sorted[j n / 20].
    init(sorted: [Float]) {
        edges = (1..<Self.binCount).map { sorted[$0 * sorted.count / Self.binCount] }
    }

    func bin(_ value: Float) -> Int { edges.firstIndex { value < $0 } ?? edges.count }

    /// Adds a jet to its bin's |w| sum and count.
    mutating func add(value: Float, weight: Float) {
        let b = bin(value)
        sums[b] += Double(Swift.abs(weight))
        counts[b] += 1
    }

    /// The jet's weight divided by its bin's mean |w| (unchanged in a bin without weight).
    func flattened(_ weight: Float, value: Float) -> Float {
        let b = bin(value)
        guard sums[b] > 0 else { return weight }
        return Float(Double(weight) * counts[b] / sums[b])
    }
}
