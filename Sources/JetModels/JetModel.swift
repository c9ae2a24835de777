import JetCore
import JetNN

/// What the trainer and the tools need from a jet model: a forward pass from packed jets to logits, a backward
/// pass from d(loss)/d(logits), and the flat parameter store the optimizer and the model file work on.
///
/// Usage per batch: `parameters.zeroGradients()`, `forward(jets, training: true)`, a JetNN loss on the logits,
/// `backward(dLogits:)`, then the optimizer's `step(&parameters)`.
public protocol JetModel: Sendable {
    /// Trainable parameters and saved state (BatchNorm running statistics), with their gradients.
    var parameters: Parameters { get set }
    /// Logits per jet: 1 for a binary model, else the number of classes.
    var logitCount: Int { get }
    /// d(loss)/d(constituents) [N, F] from the last backward with `computeInputGradient` (packed like the input;
    /// ``JetNN/JetOffsets/unpack(_:maxConstituents:)`` gives [B, P, F]).
    var inputGradient: Matrix { get }
    /// d(loss)/d(jet features) [B, J] from the last backward with `computeInputGradient`, nil without jet features.
    var jetFeatureGradient: Matrix? { get }
    /// The streams dropout masks are drawn from: in training (checkpoints save it so a continued run draws the
    /// same masks) and, when its `perJet` is set, at inference (Monte-Carlo dropout).
    var dropoutStreams: DropoutStreams { get set }
    /// The momentum of every BatchNorm layer's running statistics; nil for a model without BatchNorm (setting it
    /// then does nothing).
    var batchNormMomentum: Float? { get set }

    /// Logits [B, logitCount] for the batch. Training mode uses batch statistics in BatchNorm (and updates the
    /// running ones) and active dropout; otherwise the running statistics, and dropout only when
    /// `dropoutStreams.perJet` holds one stream per jet of `jets` (Monte-Carlo dropout).
    mutating func forward(_ jets: PackedJets, training: Bool) throws(JetModelsError) -> Matrix

    /// Logits [B, logitCount] in inference mode, for a batch no backward follows (a model may then work in
    /// cache-sized parts); the default is `forward(jets, training: false)`.
    mutating func infer(_ jets: PackedJets) throws(JetModelsError) -> Matrix

    /// Accumulates d(loss)/d(parameters) into `parameters.gradients` for the last forward's batch.
    ///
    /// - Parameters:
    ///   - dLogits: d(loss)/d(logits) [B, logitCount].
    ///   - computeInputGradient: also fill ``inputGradient`` and ``jetFeatureGradient`` (saliency maps; one
    ///     extra matrix product that training does not need).
    mutating func backward(dLogits: Matrix, computeInputGradient: Bool)
}

extension JetModel {
    /// The training masks' stream of ``dropoutStreams``.
    public var dropoutGenerator: SeededGenerator {
        get { dropoutStreams.training }
        set { dropoutStreams.training = newValue }
    }

    public mutating func infer(_ jets: PackedJets) throws(JetModelsError) -> Matrix {
        try forward(jets, training: false)
    }

    /// Every parameter and running statistic by name, for the model file.
    public func exportTensors() -> [NamedTensor] { parameters.exportTensors() }

    /// Loads every parameter and running statistic by name (all must be present with their shapes).
    public mutating func load(_ tensors: [NamedTensor]) throws(JetNNError) { try parameters.load(tensors) }
}

extension [BatchNorm] {
    /// The layers' common momentum (nil without layers); setting nil changes nothing.
    var momentum: Float? {
        get { first?.momentum }
        set {
            guard let newValue else { return }
            for i in indices { self[i].momentum = newValue }
        }
    }
}

/// "1 logit" or "n logits", for model descriptions.
func logitCountDescription(_ count: Int) -> String { count == 1 ? "1 logit" : "\(count) logits" }

/// Number of trainable scalars (running statistics excluded).
func trainableCount(_ parameters: Parameters) -> Int {
    parameters.entries.filter(\.trainable).reduce(0) { $0 + $1.count }
}

