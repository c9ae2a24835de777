import JetData

/// Turns `JetBatch`es into standardised, padded network inputs with a fixed `FeatureSpec`.
///
/// The spec must be standardised (every variable has `subtractBy` and `multiplyBy`, given or fitted by
/// `StandardizationFitter`), so training and prediction apply the same transformation.
public struct FeatureExtractor: Sendable {
    public let spec: FeatureSpec

    /// - Throws: `JetFeaturesError.unfittedStandardization` naming the first variable without centre or
    ///   scale, `.invalidSpec` for impossible values.
    public init(spec: FeatureSpec) throws {
        try spec.validate()
        if let variable = (spec.constituentVariables + spec.jetVariables).first(where: { !$0.isStandardized }) {
            throw JetFeaturesError.unfittedStandardization(variable: variable.name)
        }
        self.spec = spec
    }

    /// Computes the features of one batch.
    ///
    /// Constituents beyond `spec.maxConstituents` (the softest, as constituents are pT-ordered) are dropped;
    /// jets with fewer are padded.
    /// - Parameter files: the stream's files (by `batch.fileIndices`), named in the errors of new variables.
    /// - Returns: [B, P, F] constituent features, [B, P] mask and [B, K] jet features.
    /// - Throws: `JetFeaturesError` for missing fields, non-finite inputs or new variable values, logs of
    ///   non-positive values.
    public func extract(_ batch: JetBatch, files: [String] = []) throws -> FeatureBatch {
        let raw = try RawFeatures(spec: spec, batch: batch, files: files)
        let (count, slots) = (raw.count, raw.slots)
        let featureCount = spec.constituentVariables.count
        let jetCount = spec.jetVariables.count

        var mask = [Float](repeating: 0, count: count * slots)
        var constituentFeatures = raw.constituentValues
        mask.withUnsafeMutableBufferPointer { mask in
            constituentFeatures.withUnsafeMutableBufferPointer { out in
                for (column, variable) in spec.constituentVariables.enumerated() {
                    let (centre, scale) = (variable.subtractBy ?? 0, variable.multiplyBy ?? 1)
                    for b in 0..<count {
                        let kept = raw.kept[b]
                        for j in 0..<slots {
                            let index = (b * slots + j) * featureCount + column
                            out[index] = j < kept
                                ? variable.transform(out[index], subtractBy: centre, multiplyBy: scale)
                                : variable.padValue
                        }
                    }
                }
                for b in 0..<count {
                    for j in 0..<raw.kept[b] { mask[b * slots + j] = 1 }
                }
            }
        }
        var jetFeatures = raw.jetValues
        for (column, variable) in spec.jetVariables.enumerated() {
            let (centre, scale) = (variable.subtractBy ?? 0, variable.multiplyBy ?? 1)
            for b in 0..<count {
                let index = b * jetCount + column
                jetFeatures[index] = variable.transform(jetFeatures[index], subtractBy: centre, multiplyBy: scale)
            }
        }
        return FeatureBatch(
            count: count, maxConstituents: slots, constituentFeatureCount: featureCount, jetFeatureCount: jetCount,
            constituentFeatures: constituentFeatures, mask: mask, jetFeatures: jetFeatures)
    }
}
