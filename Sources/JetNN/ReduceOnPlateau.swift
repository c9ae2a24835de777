/// Lowers the learning rate when a monitored metric stops improving (PyTorch's ReduceLROnPlateau, relative
/// threshold): a value improves when it is below best * (1 - threshold) (minimising) or above best * (1 + threshold)
/// (maximising); after more than `patience` epochs without improvement the rate is multiplied by `factor`
/// (not below `minimum`), followed by `cooldown` epochs in which bad epochs are not counted.
public struct ReduceOnPlateau: Sendable {
    public enum Goal: Sendable { case minimize, maximize }

    public let goal: Goal
    public let factor: Float
    public let patience: Int
    public let threshold: Float
    public let cooldown: Int
    public let minimum: Float
    /// The current learning rate.
    public private(set) var learningRate: Float
    private var best: Float?
    private var badEpochs = 0
    private var cooldownLeft = 0

    public init(
        learningRate: Float, goal: Goal = .minimize, factor: Float = 0.1, patience: Int = 10,
        threshold: Float = 1e-4, cooldown: Int = 0, minimum: Float = 0
    ) {
        precondition(factor > 0 && factor < 1, "ReduceOnPlateau: factor must be in (0, 1), got \(factor)")
        self.learningRate = learningRate
        self.goal = goal
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.cooldown = cooldown
        self.minimum = minimum
    }

    /// Records one epoch's metric and returns the learning rate to use next.
    @discardableResult
    public mutating func update(metric: Float) -> Float {
        if let best, !improves(metric, on: best) {
            badEpochs += 1
        } else {
            best = metric
            badEpochs = 0
        }
        if cooldownLeft > 0 {
            cooldownLeft -= 1
            badEpochs = 0
        }
        if badEpochs > patience {
            learningRate = max(learningRate * factor, minimum)
            cooldownLeft = cooldown
            badEpochs = 0
        }
        return learningRate
    }

    private func improves(_ metric: Float, on best: Float) -> Bool {
        switch goal {
        case .minimize: metric < best * (1 - threshold)
        case .maximize: metric > best * (1 + threshold)
        }
    }
}
