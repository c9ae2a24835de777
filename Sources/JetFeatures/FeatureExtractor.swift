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

    /// Computes the features of one batch, padded as weaver's arrays are (and ONNX exports take them).
    ///
    /// Constituents beyond `spec.maxConstituents` (the softest, as constituents are pT-ordered) are dropped;
    /// jets with fewer are padded with each variable's `padValue`.
    /// - Parameter files: the stream's files (by `batch.fileIndices`), named in the errors of new variables.
    /// - Returns: [B, P, F] constituent features, [B, P] mask and [B, K] jet features.
    /// - Throws: as ``extractPacked(_:files:)``.
    public func extract(_ batch: JetBatch, files: [String] = []) throws -> FeatureBatch {
        let packed = try extractPacked(batch, files: files)
        let (count, slots, width) = (packed.count, spec.maxConstituents, packed.constituentFeatureCount)
        let padding = spec.constituentVariables.map(\.padValue)
        var constituentFeatures = [Float](repeating: 0, count: count * slots * width)
        var mask = [Float](repeating: 0, count: count * slots)
        for b in 0..<count {
            let kept = packed.offsets[b + 1] - packed.offsets[b]
            for j in 0..<slots {
                let target = (b * slots + j) * width
                if j < kept {
                    mask[b * slots + j] = 1
                    let source = (packed.offsets[b] + j) * width
                    constituentFeatures[target..<(target + width)] = packed.constituentFeatures[source..<(source + width)]
                } else {
                    constituentFeatures[target..<(target + width)] = padding[...]
                }
            }
        }
        return FeatureBatch(
            count: count, maxConstituents: slots, constituentFeatureCount: width, jetFeatureCount: packed.jetFeatureCount,
            constituentFeatures: constituentFeatures, mask: mask, jetFeatures: packed.jetFeatures)
    }

    /// Computes the features of one batch's real constituents (at most `spec.maxConstituents` per jet, the
    /// hardest: constituents are pT-ordered), packed: what the models read, without padding.
    /// - Parameter files: the stream's files (by `batch.fileIndices`), named in the errors of new variables.
    /// - Throws: `JetFeaturesError` for missing fields, non-finite inputs or new variable values, logs of
    ///   non-positive values.
    public func extractPacked(_ batch: JetBatch, files: [String] = []) throws -> PackedFeatureBatch {
        let raw = try RawFeatures(spec: spec, batch: batch, files: files)
        return PackedFeatureBatch(
            constituentFeatureCount: spec.constituentVariables.count, jetFeatureCount: spec.jetVariables.count,
            offsets: raw.offsets,
            constituentFeatures: Self.standardized(raw.constituentColumns, spec.constituentVariables, rows: raw.offsets.last!),
            jetFeatures: Self.standardized(raw.jetColumns, spec.jetVariables, rows: raw.count))
    }

    /// Columns [rows] each transformed by its variable, interleaved as a row-major [rows, columns] array.
    private static func standardized(_ columns: [[Float]], _ variables: [VariableSpec], rows: Int) -> [Float] {
        let width = variables.count
        return [Float](unsafeUninitializedCapacity: rows * width) { out, initialized in
            for (column, variable) in variables.enumerated() {
                let (centre, scale) = (variable.subtractBy ?? 0, variable.multiplyBy ?? 1)
                columns[column].withUnsafeBufferPointer { values in
                    for i in 0..<rows {
                        out.initializeElement(at: i * width + column, to: variable.transform(values[i], subtractBy: centre, multiplyBy: scale))
                    }
                }
            }
            initialized = rows * width
        }
    }
}
