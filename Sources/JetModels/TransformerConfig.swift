/// The architecture of a ``TransformerModel`` (a Particle Transformer, ParT, arXiv:2202.03772), as written in a
/// YAML config under `model.transformer`.
///
/// Per constituent: the embedding, `embedLayers` blocks of LayerNorm -> Dense -> GELU (the last size is the
/// width C). Then `particleBlocks` pre-LayerNorm blocks x += Dropout(MHA(LN(x), pair bias)), x += Dropout(FC2(
/// Dropout(GELU(FC1(LN(x)))))) with `heads` heads and a `feedForward`-wide hidden layer, attention over each
/// jet's real constituents only. With `pairColumns`, ParT's interaction features (ln kT, ln z, ln dR, ln m^2 of
/// every pair, ``JetNN/PairwiseFeatures``) go through BatchNorm and `pairLayers` Dense + GELU layers to one bias
/// per head, added to every particle block's logits. Then a learned class token passes `classBlocks` class-
/// attention blocks (same shape, attention of the token over [token; constituents]), a final LayerNorm, and the
/// head: `headLayers` Dense + ReLU (+ dropout) and the output Dense (1 logit for 2 classes, else `classes`).
///
/// ParT's full size: embedLayers [128, 512, 128], 8 heads, 8 particle blocks, 2 class blocks, pairLayers
/// [64, 64, 64] (-> 8 heads), feedForward 512, dropout 0.1. ParT's extra NormFormer LayerNorms inside the blocks,
/// its attention-weight dropout and its input BatchNorm are left out (the inputs are standardised already).
public struct TransformerConfig: Codable, Sendable, Equatable {
    /// Per-constituent input features F (derived from the features section).
    public var inputFeatures: Int
    /// Output sizes of the embedding's Dense layers; the last is the width C.
    public var embedLayers: [Int]
    /// Attention heads H (must divide C).
    public var heads: Int
    /// Particle-attention blocks L.
    public var particleBlocks: Int
    /// Class-attention blocks.
    public var classBlocks: Int
    /// Hidden size of every block's feed-forward network.
    public var feedForward: Int
    /// Hidden sizes of the pair embedding (its output is one bias per head).
    public var pairLayers: [Int]
    /// The input columns holding unstandardised deta, dphi and ln pt (`[deta, 0, 1, null, null]` in the
    /// features), from which the pair features are computed; empty: no pair bias.
    public var pairColumns: [Int]
    /// Dropout after attention, inside and after the feed-forward network and after hidden head layers.
    public var dropout: Float
    /// Output sizes of the hidden jet-level Dense layers.
    public var headLayers: [Int]
    /// Number of classes: 2 gives one logit, more give one logit per class.
    public var classes: Int

    public init(
        inputFeatures: Int, embedLayers: [Int] = [128, 512, 128], heads: Int = 8, particleBlocks: Int = 8,
        classBlocks: Int = 2, feedForward: Int = 512, pairLayers: [Int] = [64, 64, 64], pairColumns: [Int] = [],
        dropout: Float = 0.1, headLayers: [Int] = [], classes: Int = 2
    ) {
        self.inputFeatures = inputFeatures
        self.embedLayers = embedLayers
        self.heads = heads
        self.particleBlocks = particleBlocks
        self.classBlocks = classBlocks
        self.feedForward = feedForward
        self.pairLayers = pairLayers
        self.pairColumns = pairColumns
        self.dropout = dropout
        self.headLayers = headLayers
        self.classes = classes
    }

    /// The width C: the embedding's last size.
    public var width: Int { embedLayers.last ?? 0 }

    /// Number of logits the model outputs: 1 for two classes, else `classes`.
    public var logitCount: Int { classes == 2 ? 1 : classes }

    /// Throws ``JetModelsError/invalidValue(path:file:expected:)`` at `model.transformer.<key>` for the first value
    /// out of range (heads that do not divide the width among them).
    public func validate(file: String? = nil) throws(JetModelsError) {
        let check = ConfigCheck(.transformer, file: file)
        try check.positive(inputFeatures, "inputFeatures")
        try check.layerSizes(embedLayers, "embedLayers", allowEmpty: false)
        try check.positive(heads, "heads")
        guard width % heads == 0 else {
            throw check.invalid("heads", heads, expected: "a divisor of the width \(width) (the last of embedLayers)")
        }
        guard particleBlocks >= 0 else { throw check.invalid("particleBlocks", particleBlocks, expected: "0 or more") }
        try check.positive(classBlocks, "classBlocks")
        try check.positive(feedForward, "feedForward")
        try check.layerSizes(pairLayers, "pairLayers", allowEmpty: true)
        guard pairColumns.isEmpty
            || (pairColumns.count == 3 && Set(pairColumns).count == 3 && pairColumns.allSatisfy { (0..<inputFeatures).contains($0) })
        else {
            throw check.invalid(
                "pairColumns", pairColumns,
                expected: "[] or three distinct input columns (deta, dphi, ln pt) in 0..<\(inputFeatures)")
        }
        try check.layerSizes(headLayers, "headLayers", allowEmpty: true)
        try check.dropout(dropout)
        try check.classes(classes)
    }

    private enum CodingKeys: String, CodingKey {
        case inputFeatures, embedLayers, heads, particleBlocks, classBlocks, feedForward, pairLayers, pairColumns
        case dropout, headLayers, classes
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = TransformerConfig(inputFeatures: try c.decode(Int.self, forKey: .inputFeatures))
        self = defaults
        embedLayers = try c.decode(.embedLayers, default: defaults.embedLayers)
        heads = try c.decode(.heads, default: defaults.heads)
        particleBlocks = try c.decode(.particleBlocks, default: defaults.particleBlocks)
        classBlocks = try c.decode(.classBlocks, default: defaults.classBlocks)
        feedForward = try c.decode(.feedForward, default: defaults.feedForward)
        pairLayers = try c.decode(.pairLayers, default: defaults.pairLayers)
        pairColumns = try c.decode(.pairColumns, default: defaults.pairColumns)
        dropout = try c.decode(.dropout, default: defaults.dropout)
        headLayers = try c.decode(.headLayers, default: defaults.headLayers)
        classes = try c.decode(.classes, default: defaults.classes)
    }
}
