/// Network inputs for a batch of jets, standardised and padded.
///
/// Sizes: B = `count`, P = `maxConstituents`, F = `constituentFeatureCount`, K = `jetFeatureCount`.
/// - `constituentFeatures` is row-major [B, P, F], with each variable's pad value in padding slots;
/// - `mask` is [B, P], 1 for a real constituent and 0 for padding (real ones form a prefix);
/// - `jetFeatures` is [B, K].
public struct FeatureBatch: Sendable, Equatable {
    public var count: Int
    public var maxConstituents: Int
    public var constituentFeatureCount: Int
    public var jetFeatureCount: Int
    public var constituentFeatures: [Float]
    public var mask: [Float]
    public var jetFeatures: [Float]
}

/// Network inputs for a batch of jets, standardised, holding only the real constituents: what the models read.
///
/// Sizes: B = `count`, F = `constituentFeatureCount`, K = `jetFeatureCount`, N = `offsets[B]`.
/// - `offsets` is [B + 1]: jet b's kept constituents are rows `offsets[b]..<offsets[b + 1]`, in pt order;
/// - `constituentFeatures` is row-major [N, F];
/// - `jetFeatures` is [B, K].
public struct PackedFeatureBatch: Sendable, Equatable {
    public var constituentFeatureCount: Int
    public var jetFeatureCount: Int
    public var offsets: [Int]
    public var constituentFeatures: [Float]
    public var jetFeatures: [Float]

    /// Number of jets B.
    public var count: Int { offsets.count - 1 }

    public init(
        constituentFeatureCount: Int, jetFeatureCount: Int, offsets: [Int], constituentFeatures: [Float], jetFeatures: [Float]
    ) {
        precondition(
            offsets.first == 0 && constituentFeatures.count == offsets.last! * constituentFeatureCount
                && jetFeatures.count == (offsets.count - 1) * jetFeatureCount,
            "PackedFeatureBatch: \(offsets.count - 1) jets with \(offsets.last ?? 0) constituents need "
                + "\((offsets.last ?? 0) * constituentFeatureCount) constituent and \((offsets.count - 1) * jetFeatureCount) "
                + "jet values, got \(constituentFeatures.count) and \(jetFeatures.count)")
        (self.constituentFeatureCount, self.jetFeatureCount, self.offsets, self.constituentFeatures, self.jetFeatures) =
            (constituentFeatureCount, jetFeatureCount, offsets, constituentFeatures, jetFeatures)
    }
}
