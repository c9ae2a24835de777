/// Count, sum of signed weights and sum of squared weights of a set of jets.
///
/// JSON keys: `count`, `sum_weights`, `sum_weights_squared`, `effective_sample_size`
/// (the last one is derived and written for convenience; it is ignored when decoding).
public struct WeightSums: Codable, Equatable, Sendable {
    /// Number of jets (unweighted).
    public var count: Int
    /// Sum of the signed weights, sum w.
    public var sumWeights: Double
    /// Sum of the squared weights, sum w^2 (the variance of `sumWeights`).
    public var sumWeightsSquared: Double

    public init(count: Int = 0, sumWeights: Double = 0, sumWeightsSquared: Double = 0) {
        self.count = count
        self.sumWeights = sumWeights
        self.sumWeightsSquared = sumWeightsSquared
    }

    /// Sums over `weights`.
    public init(weights: [Float]) {
        self.init()
        for w in weights { add(Double(w)) }
    }

    /// Sums over `count` unit weights.
    public init(unitWeights count: Int) {
        self.init(count: count, sumWeights: Double(count), sumWeightsSquared: Double(count))
    }

    /// Kish's effective sample size (sum w)^2 / sum w^2; 0 when there are no weights.
    ///
    /// Equals `count` for unit weights and shrinks as weights become unequal or negative.
    public var effectiveSampleSize: Double {
        sumWeightsSquared > 0 ? sumWeights * sumWeights / sumWeightsSquared : 0
    }

    /// Adds one jet with weight `weight`.
    @inline(__always)
    public mutating func add(_ weight: Double) {
        count += 1
        sumWeights += weight
        sumWeightsSquared += weight * weight
    }

    /// Adds all jets of `other`.
    public mutating func add(_ other: WeightSums) {
        count += other.count
        sumWeights += other.sumWeights
        sumWeightsSquared += other.sumWeightsSquared
    }

    enum CodingKeys: String, CodingKey {
        case count
        case sumWeights = "sum_weights"
        case sumWeightsSquared = "sum_weights_squared"
        case effectiveSampleSize = "effective_sample_size"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        count = try container.decode(Int.self, forKey: .count)
        sumWeights = try container.decode(Double.self, forKey: .sumWeights)
        sumWeightsSquared = try container.decode(Double.self, forKey: .sumWeightsSquared)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(count, forKey: .count)
        try container.encode(sumWeights, forKey: .sumWeights)
        try container.encode(sumWeightsSquared, forKey: .sumWeightsSquared)
        try container.encode(effectiveSampleSize, forKey: .effectiveSampleSize)
    }
}

/// Kish's effective sample size (sum w)^2 / sum w^2 of signed weights.
public func effectiveSampleSize(weights: [Float]) -> Double {
    WeightSums(weights: weights).effectiveSampleSize
}
