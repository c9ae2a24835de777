/// The standardised inputs of some jets as the network reads them, with each jet's class and event weight: what the
/// input-features section draws.
///
/// Sizes: B jets, N valid constituents in all, F constituent and K jet features.
public struct NetworkInputs: Sendable {
    /// Packed [N, F] row-major: the valid constituents only, jet after jet.
    public var constituents: [Float]
    /// [B + 1]: jet b's constituents are rows `offsets[b]..<offsets[b + 1]` of ``constituents``.
    public var offsets: [Int]
    /// [B, K] row-major.
    public var jetFeatures: [Float]
    /// [B] class labels.
    public var labels: [Int]
    /// [B] event weights.
    public var weights: [Float]

    public init(constituents: [Float], offsets: [Int], jetFeatures: [Float], labels: [Int], weights: [Float]) {
        precondition(
            offsets.count == labels.count + 1 && weights.count == labels.count,
            "NetworkInputs: \(offsets.count) offsets and \(weights.count) weights for \(labels.count) jets")
        self.constituents = constituents
        self.offsets = offsets
        self.jetFeatures = jetFeatures
        self.labels = labels
        self.weights = weights
    }

    /// Number of jets B.
    public var count: Int { labels.count }
}
