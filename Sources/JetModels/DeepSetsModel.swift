import JetCore
import JetNN

/// Deep Sets / Particle Flow Network: a per-constituent network Phi, masked pooling over each jet, and a jet-level
/// network F on the pooled representation (plus optional jet features): logits = F(pool_i Phi(x_i), jet).
///
/// Sizes: B jets, N valid constituents in the batch (packed, see ``PackedJets``), F = `inputFeatures`,
/// J = `jetFeatures`. Phi runs on the N packed rows only, so padding costs nothing and never enters BatchNorm
/// statistics. Parameter names: "constituent.<i>.weight" / ".bias" [out, in] (no bias with BatchNorm),
/// "constituent.<i>.norm.weight|bias|running_mean|running_var", "pooling.weight" (attention pooling),
/// "head.<i>.weight|bias".
public struct DeepSetsModel: JetModel {
    /// The architecture this model was built from (stored in the model file).
    public let config: DeepSetsConfig
    /// Trainable parameters and BatchNorm running statistics with their gradients (names in the type's summary).
    public var parameters: Parameters
    public private(set) var inputGradient = Matrix(rows: 0, columns: 0)
    public private(set) var jetFeatureGradient: Matrix?

    /// Without BatchNorm: the per-constituent layers, each Dense with its ReLU, run block by block (see
    /// ``JetNN/DenseStack``).
    private var phi: DenseStack?
    /// With BatchNorm: Dense (no bias) -> BatchNorm -> ReLU per layer (else all three empty).
    private var dense: [Dense]
    private var norms: [BatchNorm]
    private var activations: [Activation]
    private var setPooling: SetPooling?
    private var attentionPooling: AttentionPooling?
    private var head: DenseHead
    /// Pooled constituents followed by the jet features: the head's input [B, C + J].
    private var headInput = Matrix(rows: 0, columns: 0)
    private var pooledGradient = Matrix(rows: 0, columns: 0)
    public var dropoutStreams: DropoutStreams
    private var lastBatch: PackedJets?

    /// Builds the model with freshly initialised parameters (PyTorch's default rules), reproducible from `seed`.
    public init(config: DeepSetsConfig, seed: UInt64 = 0) throws(JetModelsError) {
        try config.validate()
        self.config = config
        var rng = SeededGenerator(seed: seed)
        var parameters = Parameters()
        let sizes = [config.inputFeatures] + config.constituentLayers
        let layers = (0..<config.constituentLayers.count).map { i in
            Dense(
                "constituent.\(i)", inputCount: sizes[i], outputCount: sizes[i + 1], bias: !config.batchNorm,
                activation: config.batchNorm ? nil : .relu, weightInitializer: .fanInUniform, biasInitializer: .fanInUniform, parameters: &parameters, rng: &rng)
        }
        norms = config.batchNorm
            ? config.constituentLayers.indices.map { i in
                BatchNorm("constituent.\(i).norm", channels: sizes[i + 1], parameters: &parameters)
            }
            : []
        activations = config.batchNorm ? config.constituentLayers.map { _ in Activation(.relu) } : []
        (dense, phi) = config.batchNorm ? (layers, nil) : ([], DenseStack(layers))
        let pooledCount = sizes[sizes.count - 1]
        switch config.pooling {
        case .sum: setPooling = SetPooling(.sum)
        case .mean: setPooling = SetPooling(.mean)
        case .max: setPooling = SetPooling(.max)
        case .attention:
            attentionPooling = AttentionPooling("pooling", channels: pooledCount, parameters: &parameters, rng: &rng)
        }
        head = DenseHead(
            "head", inputCount: pooledCount + config.jetFeatures, hiddenSizes: config.headLayers,
            outputCount: config.logitCount, dropout: config.dropout, parameters: &parameters, rng: &rng)
        dropoutStreams = DropoutStreams(training: rng)
        self.parameters = parameters
    }

    public var logitCount: Int { config.logitCount }

    public var batchNormMomentum: Float? {
        get { norms.momentum }
        set { norms.momentum = newValue }
    }

    public mutating func forward(_ jets: PackedJets, training: Bool) throws(JetModelsError) -> Matrix {
        try checkFeatures(of: jets)
        lastBatch = jets
        return headLogits(pooled: pool(jets, training: training), jetFeatures: jets.jetFeatures, training: training)
    }

    /// Phi runs on parts of about this many constituents in ``infer(_:)``, so that a part's activations stay in
    /// the core's cache from one layer to the next (a PFN's three 100-128 wide outputs of 256 rows and OpenBLAS's
    /// packed copy fit a 512 KB L2; `jettag-bench nn --models pfn --modes infer` measured 256 at or above 512, 1,024
    /// and unsplit, within its noise).
    static let constituentsPerInferencePart = 256

    /// Logits in inference mode, with Phi and the pooling run on parts of whole jets of about
    /// ``constituentsPerInferencePart`` constituents each (every step before the head works per constituent or
    /// per jet, so the parts change only the cache traffic and the rounding); the head runs on the whole batch.
    public mutating func infer(_ jets: PackedJets) throws(JetModelsError) -> Matrix {
        try checkFeatures(of: jets)
        lastBatch = nil
        var pooled = Matrix(rows: jets.jetCount, columns: config.constituentLayers[config.constituentLayers.count - 1])
        for range in jets.offsets.jetRanges(ofAboutRows: Self.constituentsPerInferencePart) {
            let part = pool(jets.jets(range), training: false)
            pooled.storage.replaceSubrange(
                (range.lowerBound * pooled.columns)..<(range.upperBound * pooled.columns), with: part.storage)
        }
        return headLogits(pooled: pooled, jetFeatures: jets.jetFeatures, training: false)
    }

    /// Phi on every constituent, then the pooling: [B, C].
    private mutating func pool(_ jets: PackedJets, training: Bool) -> Matrix {
        if phi != nil {
            phi!.forward(jets.constituents, parameters: parameters)
        } else {
            var h = jets.constituents
            for i in dense.indices {
                dense[i].forward(h, parameters: parameters)
                norms[i].forward(dense[i].output, parameters: &parameters, training: training)
                activations[i].forward(norms[i].output)
                h = activations[i].output
            }
        }
        let h = phiOutput
        if setPooling != nil {
            setPooling!.forward(h, offsets: jets.offsets)
            return setPooling!.output
        }
        attentionPooling!.forward(h, offsets: jets.offsets, parameters: parameters)
        return attentionPooling!.output
    }

    /// The head on the pooled constituents and the jet features.
    private mutating func headLogits(pooled: Matrix, jetFeatures: Matrix?, training: Bool) -> Matrix {
        if let jetFeatures, config.jetFeatures > 0 {
            headInput.setColumns(pooled, jetFeatures)
        } else {
            headInput = pooled
        }
        head.forward(headInput, parameters: parameters, training: training, streams: &dropoutStreams)
        return head.output
    }

    public mutating func backward(dLogits: Matrix, computeInputGradient: Bool = false) {
        guard let jets = lastBatch else { preconditionFailure("DeepSetsModel: backward before forward") }
        head.backward(&parameters, dOutput: dLogits, input: headInput)
        let pooledCount = config.constituentLayers[config.constituentLayers.count - 1]
        if config.jetFeatures > 0 {
            pooledGradient.setColumns(0..<pooledCount, of: head.inputGradient)
            if computeInputGradient {
                var gradient = Matrix(rows: 0, columns: 0)
                gradient.setColumns(pooledCount..<(pooledCount + config.jetFeatures), of: head.inputGradient)
                jetFeatureGradient = gradient
            }
        } else {
            pooledGradient = head.inputGradient
        }
        var gradient: Matrix
        if setPooling != nil {
            setPooling!.backward(dOutput: pooledGradient, offsets: jets.offsets)
            gradient = setPooling!.inputGradient
        } else {
            attentionPooling!.backward(&parameters, dOutput: pooledGradient, input: phiOutput, offsets: jets.offsets)
            gradient = attentionPooling!.inputGradient
        }
        if phi != nil {
            phi!.computesInputGradient = computeInputGradient
            phi!.backward(&parameters, dOutput: gradient, input: jets.constituents)
            if computeInputGradient { inputGradient = phi!.inputGradient }
            return
        }
        for i in dense.indices.reversed() {
            activations[i].backward(dOutput: gradient, input: norms[i].output)
            norms[i].backward(&parameters, dOutput: activations[i].inputGradient, input: dense[i].output)
            dense[i].computesInputGradient = i > 0 || computeInputGradient
            dense[i].backward(
                &parameters, dOutput: norms[i].inputGradient, input: i > 0 ? activations[i - 1].output : jets.constituents)
            gradient = dense[i].inputGradient
        }
        if computeInputGradient { inputGradient = dense[0].inputGradient }
    }

    /// Phi's output for the last forward [N, C] (after the last ReLU).
    private var phiOutput: Matrix {
        phi?.output ?? activations[activations.count - 1].output
    }

    private func checkFeatures(of jets: PackedJets) throws(JetModelsError) {
        try jets.check(model: "DeepSets", constituentFeatures: config.inputFeatures, jetFeatures: config.jetFeatures)
    }
}

extension DeepSetsModel: CustomStringConvertible {
    /// The architecture in one line, e.g. "DeepSets: 7 -> [100, 100, 128] -> sum pooling -> [100, 100, 100] -> 1
    /// logit (57029 parameters)".
    public var description: String {
        let norm = config.batchNorm ? " with BatchNorm" : ""
        let jet = config.jetFeatures > 0 ? " + \(config.jetFeatures) jet features" : ""
        return "DeepSets: \(config.inputFeatures) -> \(config.constituentLayers)\(norm) -> \(config.pooling.rawValue) pooling"
            + "\(jet) -> \(config.headLayers) -> \(logitCountDescription(logitCount)) (\(trainableCount(parameters)) parameters)"
    }
}

