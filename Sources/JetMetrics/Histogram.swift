/// A one-dimensional histogram of signed weights, with the sum of squared weights per bin for errors.
///
/// Bins are [low, high) except the last, which is [low, high] (numpy.histogram's convention). Values below
/// the first edge go to `underflow`, above the last edge to `overflow`, NaN values are only counted.
/// Fill in batches: the histogram is a value, `fill` accumulates.
///
/// JSON keys: `edges`, `sum_weights`, `sum_weights_squared` (one entry per bin), `underflow`, `overflow`
/// (``WeightSums``), `entries` (values in a bin, unweighted), `nan_count`.
public struct Histogram: Codable, Equatable, Sendable {
    /// Bin edges, strictly increasing; `edges.count - 1` bins.
    public let edges: [Double]
    /// Sum of signed weights per bin.
    public private(set) var sumWeights: [Double]
    /// Sum of squared weights per bin; the bin error is its square root.
    public private(set) var sumWeightsSquared: [Double]
    /// Values below the first edge (including -inf).
    public private(set) var underflow = WeightSums()
    /// Values above the last edge (including +inf).
    public private(set) var overflow = WeightSums()
    /// Number of values that fell in a bin (unweighted).
    public private(set) var entries = 0
    /// Number of NaN values seen (not in any bin).
    public private(set) var nanCount = 0

    /// An empty histogram with the given bin edges (at least two, finite, strictly increasing).
    public init(edges: [Double]) throws(JetMetricsError) {
        guard edges.count >= 2 else {
            throw .invalidArgument(name: "histogram edges", value: "\(edges)", expected: "at least two edges")
        }
        for i in edges.indices where !edges[i].isFinite || (i > 0 && edges[i] <= edges[i - 1]) {
            throw .invalidArgument(
                name: "histogram edges[\(i)]", value: "\(edges[i])", expected: "finite and above the previous edge")
        }
        self.edges = edges
        sumWeights = [Double](repeating: 0, count: edges.count - 1)
        sumWeightsSquared = sumWeights
    }

    /// An empty histogram with `binCount` equal bins from `lowerEdge` to `upperEdge`, edges as numpy.linspace.
    public init(binCount: Int, lowerEdge: Double, upperEdge: Double) throws(JetMetricsError) {
        guard binCount >= 1 else {
            throw .invalidArgument(name: "binCount", value: "\(binCount)", expected: "at least 1")
        }
        let width = (upperEdge - lowerEdge) / Double(binCount)
        var edges = (0..<binCount).map { lowerEdge + Double($0) * width }
        edges.append(upperEdge)
        try self.init(edges: edges)
    }

    /// Number of bins.
    public var binCount: Int { sumWeights.count }

    /// Bin errors sqrt(sum w^2).
    public var errors: [Double] { sumWeightsSquared.map { $0.squareRoot() } }

    /// Bin centres.
    public var centers: [Double] { (0..<binCount).map { (edges[$0] + edges[$0 + 1]) / 2 } }

    /// Weight sums over the bins (under- and overflow excluded).
    public var inRange: WeightSums {
        WeightSums(count: entries, sumWeights: sumWeights.reduce(0, +), sumWeightsSquared: sumWeightsSquared.reduce(0, +))
    }

    /// Adds one value with a signed weight.
    public mutating func fill(_ value: Double, weight: Double = 1) {
        accumulate(count: 1, value: { _ in value }, weight: { _ in weight })
    }

    /// Adds `values` with signed `weights` (`nil` means unit weights).
    ///
    /// - Parameters:
    ///   - values: N values.
    ///   - weights: N finite weights or `nil`.
    public mutating func fill(_ values: [Float], weights: [Float]? = nil) throws(JetMetricsError) {
        try checkWeights(weights, expected: values.count)
        values.withUnsafeBufferPointer { v in
            if let weights {
                weights.withUnsafeBufferPointer { w in
                    accumulate(count: v.count, value: { Double(v[$0]) }, weight: { Double(w[$0]) })
                }
            } else {
                accumulate(count: v.count, value: { Double(v[$0]) }, weight: { _ in 1 })
            }
        }
    }

    /// Adds `count` (value, weight) pairs. Bins are found from the width when the edges are equally spaced,
    /// by binary search otherwise. Inlined so that the closures are too.
    @inline(__always)
    private mutating func accumulate(count: Int, value: (Int) -> Double, weight: (Int) -> Double) {
        let lowest = edges[0]
        let highest = edges[edges.count - 1]
        let width = (highest - lowest) / Double(binCount)
        let isUniform = edges.indices.allSatisfy {
            Swift.abs(edges[$0] - (lowest + Double($0) * width)) <= 1e-9 * width
        }
        let binsPerUnit = isUniform ? 1 / width : nil
        edges.withUnsafeBufferPointer { e in
            sumWeights.withUnsafeMutableBufferPointer { sw in
                sumWeightsSquared.withUnsafeMutableBufferPointer { sw2 in
                    for i in 0..<count {
                        let x = value(i)
                        let w = weight(i)
                        if x.isNaN {
                            nanCount += 1
                        } else if x < lowest {
                            underflow.add(w)
                        } else if x > highest {
                            overflow.add(w)
                        } else {
                            var bin = 0
                            if let binsPerUnit {
                                // Guess from the uniform width, then correct against the edges themselves.
                                bin = min(Int((x - lowest) * binsPerUnit), e.count - 2)
                                while bin > 0, x < e[bin] { bin -= 1 }
                                while bin < e.count - 2, x >= e[bin + 1] { bin += 1 }
                            } else {
                                var high = e.count - 1
                                while high - bin > 1 {
                                    let mid = (bin + high) / 2
                                    if x >= e[mid] { bin = mid } else { high = mid }
                                }
                            }
                            sw[bin] += w
                            sw2[bin] += w * w
                            entries += 1
                        }
                    }
                }
            }
        }
    }

    /// Adds the contents of `other`, which must have the same edges (for merging batches or shards).
    public mutating func add(_ other: Histogram) throws(JetMetricsError) {
        try checkSameBinning(other)
        for b in 0..<binCount {
            sumWeights[b] += other.sumWeights[b]
            sumWeightsSquared[b] += other.sumWeightsSquared[b]
        }
        underflow.add(other.underflow)
        overflow.add(other.overflow)
        entries += other.entries
        nanCount += other.nanCount
    }

    /// The shape: bins divided by the in-range weight sum W (so they sum to 1), sum w^2 by W^2;
    /// under- and overflow are scaled alike. The errors ignore the correlation with W.
    public func normalized() throws(JetMetricsError) -> Histogram {
        let total = inRange.sumWeights
        guard total > 0 else {
            throw .nonPositiveWeightSum(name: "histogram", sumOfWeights: total, count: binCount)
        }
        var shape = self
        shape.sumWeights = sumWeights.map { $0 / total }
        shape.sumWeightsSquared = sumWeightsSquared.map { $0 / (total * total) }
        for flow in [\Histogram.underflow, \Histogram.overflow] {
            shape[keyPath: flow].sumWeights /= total
            shape[keyPath: flow].sumWeightsSquared /= total * total
        }
        return shape
    }

    /// One warning listing the bins whose weight sum is negative (empty if there are none).
    public var warnings: [MetricWarning] {
        let negative = sumWeights.indices.filter { sumWeights[$0] < 0 }
        guard !negative.isEmpty else { return [] }
        let listed = negative.prefix(10).map { "[\(edges[$0]), \(edges[$0 + 1])): \(sumWeights[$0])" }
        return [MetricWarning(
            code: MetricWarning.negativeBinWeight,
            message: "\(negative.count) of \(binCount) bins have a negative weight sum: "
                + listed.joined(separator: "; ") + (negative.count > 10 ? "; ..." : ""))]
    }

    /// Throws unless `other` has exactly the same edges.
    func checkSameBinning(_ other: Histogram) throws(JetMetricsError) {
        guard edges == other.edges else {
            throw .binningMismatch(leftEdges: edges.count, rightEdges: other.edges.count)
        }
    }

    enum CodingKeys: String, CodingKey {
        case edges
        case sumWeights = "sum_weights"
        case sumWeightsSquared = "sum_weights_squared"
        case underflow, overflow, entries
        case nanCount = "nan_count"
    }
}
