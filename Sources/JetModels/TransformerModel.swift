import JetCore
import JetNN

/// A Particle Transformer (ParT, arXiv:2202.03772) on packed jets: the embedding per constituent, particle-
/// attention blocks with ParT's pair-interaction bias over each jet's real constituents only (a jet of n
/// constituents costs n^2 per head), class-attention blocks of a learned class token, a LayerNorm and the head.
/// The architecture and its options: ``TransformerConfig``.
///
/// Parameter names: "embed.<i>.norm.weight|bias", "embed.<i>.weight|bias"; "pair.norm.weight|bias|running_mean|
/// running_var", "pair.<i>.weight|bias" (the last gives the heads' biases); "block.<l>.attention_norm.*",
/// "block.<l>.attention.query|key|value|output.*", "block.<l>.ffn.norm|0|1.*"; "class_token" [C];
/// "class.<l>.norm.*", "class.<l>.attention.*", "class.<l>.ffn.*"; "norm.weight|bias"; "head.<i>.weight|bias".
public struct TransformerModel: JetModel {
    public let config: TransformerConfig
    public var parameters: Parameters
    public private(set) var inputGradient = Matrix(rows: 0, columns: 0)
    public var jetFeatureGradient: Matrix? { nil }
    public var dropoutStreams: DropoutStreams

    private var embedNorms: [LayerNorm]
    private var embedDense: [Dense]
    private var embedActivations: [Activation]
    private var pairFeatures: PairwiseFeatures?
    private var pairNorm: [BatchNorm]
    private var pairDense: [Dense]
    private var pairActivations: [Activation]
    private var blocks: [ParticleAttentionBlock]
    private var classBlocks: [ClassAttentionBlock]
    private let classToken: ParameterSlice
    private var tokens = Matrix(rows: 0, columns: 0)
    private var finalNorm: LayerNorm
    private var head: DenseHead
    private var constituentGradient = Matrix(rows: 0, columns: 0)
    /// The pair network's output expanded for the blocks (nil without pair bias).
    private var pairBias: PairBias?
    private var biasGradient = Matrix(rows: 0, columns: 0)
    private var lastBatch: PackedJets?

    /// Builds the model with freshly initialised parameters, reproducible from `seed`.
    public init(config: TransformerConfig, seed: UInt64 = 0) throws(JetModelsError) {
        try config.validate()
        self.config = config
        var rng = SeededGenerator(seed: seed)
        var parameters = Parameters()
        let sizes = [config.inputFeatures] + config.embedLayers
        embedNorms = config.embedLayers.indices.map { LayerNorm("embed.\($0).norm", channels: sizes[$0], parameters: &parameters) }
        embedDense = config.embedLayers.indices.map { i in
            Dense(
                "embed.\(i)", inputCount: sizes[i], outputCount: sizes[i + 1], weightInitializer: .fanInUniform,
                biasInitializer: .fanInUniform, parameters: &parameters, rng: &rng)
        }
        embedActivations = config.embedLayers.map { _ in Activation(.gelu) }
        if config.pairColumns.count == 3 {
            let columns = config.pairColumns
            pairFeatures = PairwiseFeatures(etaColumn: columns[0], phiColumn: columns[1], logPtColumn: columns[2])
            pairNorm = [BatchNorm("pair.norm", channels: PairwiseFeatures.featureCount, parameters: &parameters)]
            let pairSizes = [PairwiseFeatures.featureCount] + config.pairLayers + [config.heads]
            pairDense = config.pairLayers.indices.map { i in
                Dense(
                    "pair.\(i)", inputCount: pairSizes[i], outputCount: pairSizes[i + 1], weightInitializer: .fanInUniform,
                    biasInitializer: .fanInUniform, parameters: &parameters, rng: &rng)
            } + [
                Dense(
                    "pair.\(config.pairLayers.count)", inputCount: pairSizes[pairSizes.count - 2], outputCount: config.heads,
                    weightInitializer: .fanInUniform, biasInitializer: .fanInUniform, parameters: &parameters, rng: &rng)
            ]
            pairActivations = config.pairLayers.map { _ in Activation(.gelu) }
            pairBias = PairBias(heads: config.heads)
        } else {
            (pairFeatures, pairNorm, pairDense, pairActivations, pairBias) = (nil, [], [], [], nil)
        }
        blocks = (0..<config.particleBlocks).map { ParticleAttentionBlock("block.\($0)", config: config, parameters: &parameters, rng: &rng) }
        classToken = parameters.add(
            "class_token", shape: [config.width], decays: false, initializer: .normal(standardDeviation: 0.02),
            fanIn: config.width, fanOut: config.width, rng: &rng)
        classBlocks = (0..<config.classBlocks).map { ClassAttentionBlock("class.\($0)", config: config, parameters: &parameters, rng: &rng) }
        finalNorm = LayerNorm("norm", channels: config.width, parameters: &parameters)
        head = DenseHead(
            "head", inputCount: config.width, hiddenSizes: config.headLayers, outputCount: config.logitCount,
            dropout: config.dropout, parameters: &parameters, rng: &rng)
        dropoutStreams = DropoutStreams(training: rng)
        self.parameters = parameters
    }

    public var logitCount: Int { config.logitCount }

    public var batchNormMomentum: Float? {
        get { pairNorm.momentum }
        set { pairNorm.momentum = newValue }
    }

    /// The last forward's self-attention weights of the last particle-attention block, per jet and head over
    /// the jet's constituents in pt order (pair bias included); nil before a forward. Reading them costs no extra
    /// work: every forward keeps them for the backward.
    public var particleAttention: AttentionWeights? { blocks.last?.attention.weights }

    /// The last forward's class-token attention of the last class block, per jet and head over [token,
    /// constituents in pt order] (key 0 is the token); nil before a forward.
    public var classTokenAttention: AttentionWeights? { classBlocks.last?.attention.weights }

    public mutating func forward(_ jets: PackedJets, training: Bool) throws(JetModelsError) -> Matrix {
        guard jets.constituents.columns == config.inputFeatures else {
            throw .featureCount(model: "Transformer", input: "constituent", expected: config.inputFeatures, got: jets.constituents.columns)
        }
        lastBatch = jets
        let offsets = jets.offsets
        var h = jets.constituents
        for i in embedDense.indices {
            embedNorms[i].forward(h, parameters: parameters)
            embedDense[i].forward(embedNorms[i].output, parameters: parameters)
            embedActivations[i].forward(embedDense[i].output)
            h = embedActivations[i].output
        }
        if pairFeatures != nil {
            pairFeatures!.forward(jets.constituents, offsets: offsets)
            pairNorm[0].forward(pairFeatures!.output, parameters: &parameters, training: training)
            var p = pairNorm[0].output
            for i in pairDense.indices {
                pairDense[i].forward(p, parameters: parameters)
                p = pairDense[i].output
                if i < pairActivations.count {
                    pairActivations[i].forward(p)
                    p = pairActivations[i].output
                }
            }
            pairBias!.expand(p, offsets: offsets)
        }
        for l in blocks.indices {
            blocks[l].forward(h, offsets: offsets, bias: pairBias, parameters: parameters, training: training, streams: &dropoutStreams)
            h = blocks[l].output
        }
        tokens.resize(rows: jets.jetCount, columns: config.width)
        let token = parameters.values(of: classToken)
        for jet in 0..<jets.jetCount { tokens.storage.replaceSubrange((jet * config.width)..<((jet + 1) * config.width), with: token) }
        var t = tokens
        for l in classBlocks.indices {
            classBlocks[l].forward(h, offsets: offsets, tokens: t, parameters: parameters, training: training, streams: &dropoutStreams)
            t = classBlocks[l].output
        }
        finalNorm.forward(t, parameters: parameters)
        head.forward(finalNorm.output, parameters: parameters, training: training, streams: &dropoutStreams)
        return head.output
    }

    public mutating func backward(dLogits: Matrix, computeInputGradient: Bool = false) {
        guard let jets = lastBatch else { preconditionFailure("TransformerModel: backward before forward") }
        let offsets = jets.offsets
        head.backward(&parameters, dOutput: dLogits, input: finalNorm.output)
        finalNorm.backward(&parameters, dOutput: head.inputGradient, input: classBlocks[classBlocks.count - 1].output)
        var dTokens = finalNorm.inputGradient
        constituentGradient.resize(rows: offsets.constituentCount, columns: config.width)
        constituentGradient.zero()
        for l in classBlocks.indices.reversed() {
            classBlocks[l].backward(&parameters, dOutput: dTokens, tokens: l > 0 ? classBlocks[l - 1].output : tokens)
            dTokens = classBlocks[l].tokenGradient
            constituentGradient.add(classBlocks[l].constituentGradient)
        }
        var dToken = [Float](repeating: 0, count: config.width)
        for jet in 0..<offsets.jetCount {
            for c in 0..<config.width { dToken[c] += dTokens[jet, c] }
        }
        let accumulated = zip(parameters.gradients(of: classToken), dToken).map { $0 + $1 }
        parameters.setGradients(accumulated, of: classToken)
        pairBias?.resetGradient()
        var gradient = constituentGradient
        for l in blocks.indices.reversed() {
            blocks[l].backward(
                &parameters, dOutput: gradient, input: l > 0 ? blocks[l - 1].output : embeddingOutput, bias: &pairBias)
            gradient = blocks[l].inputGradient
        }
        for i in embedDense.indices.reversed() {
            embedActivations[i].backward(dOutput: gradient, input: embedDense[i].output)
            embedDense[i].backward(&parameters, dOutput: embedActivations[i].inputGradient, input: embedNorms[i].output)
            embedNorms[i].backward(
                &parameters, dOutput: embedDense[i].inputGradient, input: i > 0 ? embedActivations[i - 1].output : jets.constituents)
            gradient = embedNorms[i].inputGradient
        }
        if pairFeatures != nil {
            pairBias!.foldedGradient(into: &biasGradient)
            var p = biasGradient
            for i in pairDense.indices.reversed() {
                if i < pairActivations.count {
                    pairActivations[i].backward(dOutput: p, input: pairDense[i].output)
                    p = pairActivations[i].inputGradient
                }
                pairDense[i].backward(&parameters, dOutput: p, input: i > 0 ? pairActivations[i - 1].output : pairNorm[0].output)
                p = pairDense[i].inputGradient
            }
            pairNorm[0].backward(&parameters, dOutput: p, input: pairFeatures!.output)
            if computeInputGradient {
                pairFeatures!.backward(dOutput: pairNorm[0].inputGradient, input: jets.constituents)
                for (k, column) in config.pairColumns.enumerated() {
                    for row in 0..<gradient.rows { gradient[row, column] += pairFeatures!.inputGradient[row, k] }
                }
            }
        }
        if computeInputGradient { inputGradient = gradient }
    }

    /// The embedding's output for the last forward [N, C].
    private var embeddingOutput: Matrix { embedActivations[embedActivations.count - 1].output }
}

extension TransformerModel: CustomStringConvertible {
    /// The architecture in one line.
    public var description: String {
        let pairs = config.pairColumns.isEmpty ? "no pair bias" : "pair bias \(config.pairLayers) -> \(config.heads)"
        return "Transformer: \(config.inputFeatures) -> embed \(config.embedLayers) -> \(config.particleBlocks) particle blocks "
            + "(\(config.heads) heads, FFN \(config.feedForward), \(pairs)) -> \(config.classBlocks) class blocks -> "
            + "\(config.headLayers) -> \(logitCountDescription(logitCount)) (\(trainableCount(parameters)) parameters)"
    }
}
