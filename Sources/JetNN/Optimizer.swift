/// An update rule over the flat parameter buffer: reads ``Parameters/gradients`` and changes
/// ``Parameters/values``. The trainer sets ``learningRate`` from a ``LearningRateSchedule`` before each step.
public protocol Optimizer: Sendable {
    var learningRate: Float { get set }
    /// One update of the trainable entries from the current gradients (which it does not clear).
    mutating func step(_ parameters: inout Parameters)
}
