/// The saliency map of one jet.
///
/// JSON keys: `jet_index`, `multiplicity`, `output`, `map`, and when known `label` and `score`.
public struct SingleJetSaliency: Codable, Equatable, Sendable {
    /// Position of the jet among all jets analysed (counting across batches).
    public var jetIndex: Int
    public var label: Int?
    /// Number of constituents of the jet.
    public var multiplicity: Int
    public var score: Double?
    /// The target (logit or discriminant) for this jet.
    public var output: Double
    /// Signed values [P, F], zero beyond the jet's multiplicity; ``SaliencyMap/absolute`` gives |values|.
    public var map: SaliencyMap

    public init(jetIndex: Int, label: Int?, multiplicity: Int, score: Double?, output: Double, map: SaliencyMap) {
        self.jetIndex = jetIndex
        self.label = label
        self.multiplicity = multiplicity
        self.score = score
        self.output = output
        self.map = map
    }

    enum CodingKeys: String, CodingKey {
        case jetIndex = "jet_index"
        case label, multiplicity, score, output, map
    }
}
