/// Kinematic flattening (umami's "weighting"): per-bin weights that give every class the binned
/// distribution of a target class (or a uniform one).
public enum KinematicFlattening {
    /// New weights `w * p_target(bin) / p_class(bin)`, where p are the classes' histograms of signed
    /// weights normalised to unit sum.
    ///
    /// The target class keeps its weights; each class keeps its total weight except for jets in bins where
    /// the target is empty: they get weight 0, and those bins are returned so the caller can report them.
    /// Signed weights are used as they are; a populated bin with signed sum <= 0 is an error.
    /// - Parameters:
    ///   - bins: each jet's flat bin from `KinematicBinning.binIndices` [N].
    ///   - targetClass: the class whose distribution all classes get; nil for uniform over the bins.
    public static func weights(
        weights: [Float], labels: [Int32], bins: [Int], binning: KinematicBinning, classCount: Int,
        targetClass: Int?, rows: [Int] = []
    ) throws -> (weights: [Float], zeroTargetBins: [Int]) {
        let histograms = try histograms(
            weights: weights, labels: labels, bins: bins, binning: binning, classCount: classCount,
            targetClass: targetClass, rows: rows)
        let (ratios, zeroTargetBins) = try histograms.ratios(targetClass: targetClass, binning: binning)
        let flattened = weights.indices.map { jet in
            Float(Double(weights[jet]) * ratios[Int(labels[jet])][bins[jet]])
        }
        return (flattened, zeroTargetBins)
    }

    /// Validated per-class histograms shared by flattening and resampling.
    static func histograms(
        weights: [Float], labels: [Int32], bins: [Int], binning: KinematicBinning, classCount: Int,
        targetClass: Int?, rows: [Int]
    ) throws -> ClassHistograms {
        for (name, got) in [("weight", weights.count), ("bin", bins.count)] where got != labels.count {
            throw JetFeaturesError.shapeMismatch(field: name, expected: labels.count, got: got)
        }
        try ClassHistograms.validate(labels: labels, weights: weights, classCount: classCount, rows: rows)
        if let targetClass, !(0..<classCount).contains(targetClass) {
            throw JetFeaturesError.invalidSpec("target class \(targetClass) is outside 0..<\(classCount)")
        }
        return ClassHistograms(
            labels: labels, weights: weights, bins: bins, classCount: classCount, binCount: binning.binCount)
    }
}
