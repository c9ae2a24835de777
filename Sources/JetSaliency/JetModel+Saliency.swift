import JetMetrics
import JetModels
import JetNN

extension JetModel {
    /// The saliency target of every jet in evaluation mode (running BatchNorm statistics, no dropout).
    ///
    /// - Returns: [B] target values.
    public mutating func saliencyOutputs(_ jets: PackedJets, target: SaliencyTarget) throws -> [Double] {
        try evaluate(target, on: jets).values
    }

    /// Gradient saliency: the target of every jet and its gradient with respect to the standardised
    /// constituent features, in evaluation mode (running BatchNorm statistics, no dropout).
    ///
    /// Parameter gradients accumulate as a side effect of the backward pass.
    ///
    /// - Returns: `values` [B] target values; `gradients` packed [N, F] d(target of jet b)/d(constituent row of
    ///   jet b) (``JetNN/JetOffsets/unpack(_:maxConstituents:)`` gives [B, P, F]).
    /// - Throws: ``JetMetrics/JetMetricsError`` when the target does not fit the model's logits,
    ///   ``JetModels/JetModelsError`` when the batch does not fit the model.
    public mutating func saliencyGradients(_ jets: PackedJets, target: SaliencyTarget) throws
        -> (values: [Double], gradients: Matrix)
    {
        let (values, dLogits) = try evaluate(target, on: jets)
        backward(dLogits: dLogits, computeInputGradient: true)
        return (values, inputGradient)
    }

    /// Evaluation-mode forward pass, then the target [B] and d(target)/d(logits) [B, L].
    private mutating func evaluate(_ target: SaliencyTarget, on jets: PackedJets) throws
        -> (values: [Double], dLogits: Matrix)
    {
        try target.validate(logitCount: logitCount)
        var values: [Double] = []
        var dLogits = Matrix(rows: 0, columns: 0)
        target.evaluate(logits: try forward(jets, training: false), values: &values, dLogits: &dLogits)
        return (values, dLogits)
    }
}
