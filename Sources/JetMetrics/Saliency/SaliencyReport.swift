/// Everything a saliency analysis (`SaliencyAnalysis` in JetSaliency) found: gradient maps and, when asked for,
/// integrated gradients.
///
/// JSON keys: `target`, `feature_names`, `max_constituents`, `jet_count`, `gradient`, and
/// `integrated_gradients` when computed.
public struct SaliencyReport: Codable, Equatable, Sendable {
    public var target: SaliencyTarget
    public var featureNames: [String]
    /// Ranks P of every map.
    public var maxConstituents: Int
    /// Number of jets analysed.
    public var jetCount: Int
    /// Gradients of the target with respect to the standardised inputs.
    public var gradient: SaliencyMaps
    public var integratedGradients: IntegratedGradientsResult?

    public init(
        target: SaliencyTarget, featureNames: [String], maxConstituents: Int, jetCount: Int, gradient: SaliencyMaps,
        integratedGradients: IntegratedGradientsResult?
    ) {
        self.target = target
        self.featureNames = featureNames
        self.maxConstituents = maxConstituents
        self.jetCount = jetCount
        self.gradient = gradient
        self.integratedGradients = integratedGradients
    }

    enum CodingKeys: String, CodingKey {
        case target
        case featureNames = "feature_names"
        case maxConstituents = "max_constituents"
        case jetCount = "jet_count"
        case gradient
        case integratedGradients = "integrated_gradients"
    }
}
