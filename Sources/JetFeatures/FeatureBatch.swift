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
