/// The architecture of a ``ParticleNetModel`` (ParticleNet, arXiv:1902.08570: a graph network of EdgeConv blocks),
/// as written in a YAML config under `model.particlenet`.
///
/// Optional BatchNorm of the inputs (`inputBatchNorm`, weaver's `use_fts_bn`); EdgeConv blocks, block b an MLP of
/// widths `blocks[b]` over the edges to the `k` nearest neighbours, found in the `coordinates` (constituent
/// variables, deta and dphi by default) for the first block and in the previous block's output after; with
/// `fusion` the blocks' outputs concatenated through Dense + BatchNorm + ReLU to weaver's width
/// (clip(C // 128 * 128, 128, 1024) for C concatenated channels); global average pooling over each jet's real
/// constituents, the `jetFeatures` appended, and the head: `headLayers` Dense + ReLU + dropout, then the output
/// Dense (1 logit for 2 classes, else `classes`).
///
/// The defaults are ParticleNet-Lite's (k = 7, blocks (32, 32, 32) and (64, 64, 64), fusion, FC 128 with dropout
/// 0.1); the full ParticleNet has k = 16, blocks (64, 64, 64), (128, 128, 128), (256, 256, 256) and FC 256 with
/// dropout 0.1. A jet with n <= k constituents uses its n - 1 other constituents (none for n = 1), so a `k` above
/// `features.maxConstituents` is allowed and acts as cap - 1.
public struct ParticleNetConfig: Codable, Sendable, Equatable {
    /// Per-constituent input features F (derived from `features`).
    public var inputFeatures: Int
    /// Jet-level features appended after pooling (derived from `features`).
    public var jetFeatures: Int
    /// The constituent variables the first block's neighbours are searched in.
    public var coordinates: [String]
    /// The input columns of `coordinates` (derived from `features.constituentVariables`).
    public var coordinateColumns: [Int]
    /// Neighbours per constituent (>= 1).
    public var k: Int
    /// The MLP widths of every EdgeConv block.
    public var blocks: [[Int]]
    /// BatchNorm on the input features (statistics over real constituents).
    public var inputBatchNorm: Bool
    /// The fusion layer over all blocks' outputs.
    public var fusion: Bool
    /// Output sizes of the hidden jet-level Dense layers.
    public var headLayers: [Int]
    /// Dropout rate after every hidden head layer (training mode only).
    public var dropout: Float
    /// Number of classes: 2 gives one logit, more give one logit per class.
    public var classes: Int

    public init(
        inputFeatures: Int, jetFeatures: Int = 0, coordinates: [String] = ["deta", "dphi"],
        coordinateColumns: [Int], k: Int = 7, blocks: [[Int]] = [[32, 32, 32], [64, 64, 64]],
        inputBatchNorm: Bool = true, fusion: Bool = true, headLayers: [Int] = [128], dropout: Float = 0.1,
        classes: Int = 2
    ) {
        self.inputFeatures = inputFeatures
        self.jetFeatures = jetFeatures
        self.coordinates = coordinates
        self.coordinateColumns = coordinateColumns
        self.k = k
        self.blocks = blocks
        self.inputBatchNorm = inputBatchNorm
        self.fusion = fusion
        self.headLayers = headLayers
        self.dropout = dropout
        self.classes = classes
    }

    /// Number of logits the model outputs: 1 for two classes, else `classes`.
    public var logitCount: Int { classes == 2 ? 1 : classes }

    /// The fusion layer's width: weaver's clip(C // 128 * 128, 128, 1024) for the C concatenated block outputs.
    public var fusionWidth: Int {
        let concatenated = blocks.reduce(0) { $0 + ($1.last ?? 0) }
        return min(max(concatenated / 128 * 128, 128), 1024)
    }

    /// Throws ``JetModelsError/invalidValue(path:file:expected:)`` at `model.particlenet.<key>` for the first value
    /// out of range.
    ///
    /// - Parameter file: the config file named in the error; nil for a config built in Swift.
    public func validate(file: String? = nil) throws(JetModelsError) {
        let check = ConfigCheck(.particlenet, file: file)
        try check.positive(inputFeatures, "inputFeatures")
        guard jetFeatures >= 0 else { throw check.invalid("jetFeatures", jetFeatures, expected: "0 or more") }
        try check.positive(k, "k")
        guard !blocks.isEmpty else { throw check.invalid("blocks", blocks, expected: "a non-empty list of blocks") }
        for (b, widths) in blocks.enumerated() { try check.layerSizes(widths, "blocks[\(b)]", allowEmpty: false) }
        guard !coordinateColumns.isEmpty, coordinateColumns.allSatisfy({ (0..<inputFeatures).contains($0) }) else {
            throw check.invalid(
                "coordinateColumns", coordinateColumns, expected: "columns among the \(inputFeatures) input features")
        }
        try check.layerSizes(headLayers, "headLayers", allowEmpty: true)
        try check.dropout(dropout)
        try check.classes(classes)
    }

    private enum CodingKeys: String, CodingKey {
        case inputFeatures, jetFeatures, coordinates, coordinateColumns, k, blocks, inputBatchNorm, fusion, headLayers,
            dropout, classes
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = ParticleNetConfig(
            inputFeatures: try c.decode(Int.self, forKey: .inputFeatures),
            coordinateColumns: try c.decode([Int].self, forKey: .coordinateColumns))
        self = defaults
        jetFeatures = try c.decode(.jetFeatures, default: defaults.jetFeatures)
        coordinates = try c.decode(.coordinates, default: defaults.coordinates)
        k = try c.decode(.k, default: defaults.k)
        blocks = try c.decode(.blocks, default: defaults.blocks)
        inputBatchNorm = try c.decode(.inputBatchNorm, default: defaults.inputBatchNorm)
        fusion = try c.decode(.fusion, default: defaults.fusion)
        headLayers = try c.decode(.headLayers, default: defaults.headLayers)
        dropout = try c.decode(.dropout, default: defaults.dropout)
        classes = try c.decode(.classes, default: defaults.classes)
    }
}

extension ParticleNetConfig {
    /// The columns of the `coordinates` (a config tree's list of names; nil: the default deta, dphi) among the
    /// constituent `variables` as a config tree writes them (names, mappings with `name`, or weaver's lists).
    ///
    /// - Throws: ``JetModelsError/invalidValue(path:file:expected:)`` at `model.particlenet.coordinates[i]` for a
    ///   name that is not a constituent variable, or at `model.particlenet.coordinates` for a malformed list.
    static func coordinateColumns(_ coordinates: Any?, variables: [Any]?, file: String) throws -> [Int] {
        let path = "model.\(ModelArchitecture.Kind.particlenet.rawValue).coordinates"
        let written: [Any] = variables ?? RunConfig.defaultFeatures.constituentVariables.map(\.name)
        let names = written.map { variable -> String? in
            switch variable {
            case let name as String: name
            case let mapping as [String: Any]: mapping["name"] as? String
            case let list as [Any]: list.first as? String
            default: nil
            }
        }
        guard let wanted = (coordinates ?? ["deta", "dphi"]) as? [String], !wanted.isEmpty else {
            throw JetModelsError.invalidValue(path: path, file: file, expected: "expected a non-empty list of constituent variable names")
        }
        return try wanted.enumerated().map { index, name in
            guard let column = names.firstIndex(of: name) else {
                throw JetModelsError.invalidValue(
                    path: "\(path)[\(index)]", file: file,
                    expected: "is \(name), expected one of the constituent variables \(names.compactMap { $0 })")
            }
            return column
        }
    }
}
