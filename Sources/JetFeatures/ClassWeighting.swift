/// Class weighting: every class gets the same signed weight sum.
public enum ClassWeighting {
    /// Scales each class's weights by one factor so that its signed sum equals `total`.
    ///
    /// Signs are kept: negative weights stay negative and are scaled like the others.
    /// - Parameters:
    ///   - weights: per-jet signed weights [N].
    ///   - labels: per-jet class in 0..<classCount [N].
    ///   - total: the common per-class sum; nil for N / classCount (the mean jets per class).
    /// - Throws: `.invalidLabel`, `.emptyClass`, `.nonPositiveClassWeightSum` (a class with signed sum <= 0).
    public static func balanced(
        weights: [Float], labels: [Int32], classCount: Int, total: Double? = nil, rows: [Int] = []
    ) throws -> [Float] {
        guard weights.count == labels.count else {
            throw JetFeaturesError.shapeMismatch(field: "weight", expected: labels.count, got: weights.count)
        }
        try ClassHistograms.validate(labels: labels, weights: weights, classCount: classCount, rows: rows)
        let histograms = ClassHistograms(
            labels: labels, weights: weights, bins: Array(repeating: 0, count: labels.count),
            classCount: classCount, binCount: 1)
        let target = total ?? Double(labels.count) / Double(classCount)
        let factors = try (0..<classCount).map { label in
            guard histograms.counts[label][0] > 0 else { throw JetFeaturesError.emptyClass(label: label) }
            let sum = histograms.sums[label][0]
            guard sum > 0 else { throw JetFeaturesError.nonPositiveClassWeightSum(label: label, sum: sum) }
            return target / sum
        }
        return zip(weights, labels).map { weight, label in Float(Double(weight) * factors[Int(label)]) }
    }
}
