import JetCore
import JetNN

/// ParticleNet (arXiv:1902.08570) on packed jets: optional input BatchNorm, EdgeConv blocks over the k nearest
/// neighbours of each constituent in its jet (the first block's in the coordinate columns of the raw inputs, as
/// weaver's `points`, the later ones' in the previous block's output), the optional fusion layer over all blocks'
/// outputs, global average pooling over each jet's real constituents, the jet features, and the head.
///
/// Sizes: B jets, N real constituents (packed, see ``PackedJets``); no padded constituent is ever computed, and
/// BatchNorm statistics are over real constituents and edges only. The k-NN indices are constants (no gradient
/// flows through the neighbour search, as in PyTorch). See ``ParticleNetConfig`` for jets with n <= k.
/// Parameter names: "input.norm.*", "block.<b>.edge.<l>.weight" / ".norm.*", "block.<b>.shortcut.weight" /
/// ".norm.*" (see ``JetNN/EdgeConv``), "fusion.weight", "fusion.norm.*", "head.<i>.weight|bias".
public struct ParticleNetModel: JetModel {
    /// The architecture this model was built from (stored in the model file).
    public let config: ParticleNetConfig
    public var parameters: Parameters
    public private(set) var inputGradient = Matrix(rows: 0, columns: 0)
    public private(set) var jetFeatureGradient: Matrix?
    public var dropoutStreams: DropoutStreams

    private var inputNorm: BatchNorm?
    private var blocks: [EdgeConv]
    private var fusion: (dense: Dense, norm: BatchNorm, activation: Activation)?
    private var fusionInput = Matrix(rows: 0, columns: 0)
    private var pooling = SetPooling(.mean)
    private var head: DenseHead
    private var headInput = Matrix(rows: 0, columns: 0)
    private var lastBatch: PackedJets?

    /// Builds the model with freshly initialised parameters (PyTorch's default rules), reproducible from `seed`.
    public init(config: ParticleNetConfig, seed: UInt64 = 0) throws(JetModelsError) {
        try config.validate()
        self.config = config
        var rng = SeededGenerator(seed: seed)
        var parameters = Parameters()
        inputNorm = config.inputBatchNorm ? BatchNorm("input.norm", channels: config.inputFeatures, parameters: &parameters) : nil
        let inputs = [config.inputFeatures] + config.blocks.map { $0[$0.count - 1] }
        blocks = config.blocks.indices.map { b in
            EdgeConv("block.\(b)", inputCount: inputs[b], widths: config.blocks[b], parameters: &parameters, rng: &rng)
        }
        var pooledCount = inputs[inputs.count - 1]
        if config.fusion {
            let width = config.fusionWidth
            fusion = (
                Dense(
                    "fusion", inputCount: inputs.dropFirst().reduce(0, +), outputCount: width, bias: false,
                    weightInitializer: .fanInUniform, parameters: &parameters, rng: &rng),
                BatchNorm("fusion.norm", channels: width, parameters: &parameters), Activation(.relu))
            pooledCount = width
        }
        head = DenseHead(
            "head", inputCount: pooledCount + config.jetFeatures, hiddenSizes: config.headLayers,
            outputCount: config.logitCount, dropout: config.dropout, parameters: &parameters, rng: &rng)
        dropoutStreams = DropoutStreams(training: rng)
        self.parameters = parameters
    }

    public var logitCount: Int { config.logitCount }

    public var batchNormMomentum: Float? {
        get { blocks[0].batchNormMomentum }
        set {
            guard let newValue else { return }
            inputNorm?.momentum = newValue
            for b in blocks.indices { blocks[b].batchNormMomentum = newValue }
            fusion?.norm.momentum = newValue
        }
    }

    public mutating func forward(_ jets: PackedJets, training: Bool) throws(JetModelsError) -> Matrix {
        try checkFeatures(of: jets)
        lastBatch = jets
        // BatchNorm layers given a single row (one jet of one constituent) use their running statistics.
        let rowTraining = training && jets.constituents.rows > 1
        if inputNorm != nil { inputNorm!.forward(jets.constituents, parameters: &parameters, training: rowTraining) }
        for b in blocks.indices {
            let graph = b == 0
                ? NeighborGraph(
                    coordinates: jets.constituents, columns: config.coordinateColumns, offsets: jets.offsets, k: config.k)
                : NeighborGraph(coordinates: blocks[b - 1].output, offsets: jets.offsets, k: config.k)
            blocks[b].forward(blockInput(b, jets), graph: graph, parameters: &parameters, training: training)
        }
        var features = blocks[blocks.count - 1].output
        if fusion != nil {
            fusionInput.setColumns(concatenating: blocks.map(\.output))
            fusion!.dense.forward(fusionInput, parameters: parameters)
            fusion!.norm.forward(fusion!.dense.output, parameters: &parameters, training: rowTraining)
            fusion!.activation.forward(fusion!.norm.output)
            features = fusion!.activation.output
        }
        pooling.forward(features, offsets: jets.offsets)
        if let jetFeatures = jets.jetFeatures, config.jetFeatures > 0 {
            headInput.setColumns(pooling.output, jetFeatures)
        } else {
            headInput = pooling.output
        }
        head.forward(headInput, parameters: parameters, training: training, streams: &dropoutStreams)
        return head.output
    }

    public mutating func backward(dLogits: Matrix, computeInputGradient: Bool = false) {
        guard let jets = lastBatch else { preconditionFailure("ParticleNetModel: backward before forward") }
        head.backward(&parameters, dOutput: dLogits, input: headInput)
        let pooledCount = pooling.output.columns
        var gradient = Matrix(rows: 0, columns: 0)
        if config.jetFeatures > 0 {
            gradient.setColumns(0..<pooledCount, of: head.inputGradient)
            if computeInputGradient {
                var jetGradient = Matrix(rows: 0, columns: 0)
                jetGradient.setColumns(pooledCount..<(pooledCount + config.jetFeatures), of: head.inputGradient)
                jetFeatureGradient = jetGradient
            }
        } else {
            gradient = head.inputGradient
        }
        pooling.backward(dOutput: gradient, offsets: jets.offsets)
        // d(loss)/d(block outputs): from the fusion layer (its columns in block order) or the pooling alone.
        var blockGradients: [Matrix]
        if fusion != nil {
            fusion!.activation.backward(dOutput: pooling.inputGradient, input: fusion!.norm.output)
            fusion!.norm.backward(&parameters, dOutput: fusion!.activation.inputGradient, input: fusion!.dense.output)
            fusion!.dense.backward(&parameters, dOutput: fusion!.norm.inputGradient, input: fusionInput)
            var first = 0
            blockGradients = blocks.map { block in
                var part = Matrix(rows: 0, columns: 0)
                part.setColumns(first..<(first + block.outputCount), of: fusion!.dense.inputGradient)
                first += block.outputCount
                return part
            }
        } else {
            blockGradients = blocks.map { Matrix(rows: jets.constituents.rows, columns: $0.outputCount) }
            blockGradients[blocks.count - 1] = pooling.inputGradient
        }
        for b in blocks.indices.reversed() {
            blocks[b].computesInputGradient = b > 0 || computeInputGradient
            blocks[b].backward(&parameters, dOutput: blockGradients[b], input: blockInput(b, jets))
            if b > 0 { blockGradients[b - 1].add(blocks[b].inputGradient) }
        }
        guard computeInputGradient else { return }
        if inputNorm != nil {
            inputNorm!.backward(&parameters, dOutput: blocks[0].inputGradient, input: jets.constituents)
            inputGradient = inputNorm!.inputGradient
        } else {
            inputGradient = blocks[0].inputGradient
        }
    }

    /// The input of block `b` in the last forward: the (normalised) constituents, then the previous block's output.
    private func blockInput(_ b: Int, _ jets: PackedJets) -> Matrix {
        b > 0 ? blocks[b - 1].output : inputNorm?.output ?? jets.constituents
    }

    private func checkFeatures(of jets: PackedJets) throws(JetModelsError) {
        try jets.check(model: "ParticleNet", constituentFeatures: config.inputFeatures, jetFeatures: config.jetFeatures)
    }
}

extension ParticleNetModel: CustomStringConvertible {
    /// The architecture in one line, e.g. "ParticleNet: 7 -> k=7 EdgeConv [[32, 32, 32], [64, 64, 64]] -> fusion 128
    /// -> mean pooling -> [128] -> 1 logit (... parameters)".
    public var description: String {
        let fusionText = config.fusion ? " -> fusion \(config.fusionWidth)" : ""
        let jet = config.jetFeatures > 0 ? " + \(config.jetFeatures) jet features" : ""
        return "ParticleNet: \(config.inputFeatures) -> k=\(config.k) EdgeConv \(config.blocks)\(fusionText) -> mean pooling"
            + "\(jet) -> \(config.headLayers) -> \(logitCountDescription(logitCount)) (\(trainableCount(parameters)) parameters)"
    }
}
