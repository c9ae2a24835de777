/// The jets to train on and their weights, from `WeightingSpec.apply`.
///
/// `indices` are positions in the input arrays, ascending (all jets in order for `none` and `weighting`,
/// a subset for `count`, draws with repeats for `pdf`); `weights` has one entry per index.
/// `zeroTargetBins` lists flat bins where the target distribution is empty: jets there got weight 0
/// (`weighting`) or were never drawn (`pdf`).
public struct WeightingResult: Sendable, Equatable {
    public var indices: [Int]
    public var weights: [Float]
    public var zeroTargetBins: [Int]
}
