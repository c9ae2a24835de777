/// An update rule over the flat parameter buffer: reads ``Parameters/gradients`` and changes
/// ``Parameters/values``. The trainer sets ``learningRate`` from a ``LearningRateSchedule`` before each step.
public protocol Optimizer: Sendable {
    var learningRate: Float { get set }
    /// One update of the trainable entries from the current gradients (which it does not clear).
    mutating func step(_ parameters: inout Parameters)
    /// The internal state (moments, step count) as named tensors, for checkpoints; empty before the first step.
    func exportState() -> [NamedTensor]
    /// Restores a state from ``exportState()`` for a model with `parameterCount` parameters; an empty list
    /// resets to the state before the first step.
    mutating func loadState(_ tensors: [NamedTensor], parameterCount: Int) throws(JetNNError)
}

/// The tensor called `name` in an optimizer state, checked to hold `count` values.
func stateTensor(
    _ name: String, count: Int, in tensors: [NamedTensor], optimizer: String
) throws(JetNNError) -> [Float] {
    guard let tensor = tensors.first(where: { $0.name == name }) else {
        throw .optimizerState(optimizer: optimizer, tensor: name, expected: count, got: nil)
    }
    guard tensor.values.count == count else {
        throw .optimizerState(optimizer: optimizer, tensor: name, expected: count, got: tensor.values.count)
    }
    return tensor.values
}
