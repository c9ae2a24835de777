/// One epoch of a training run as the report shows it: a point of the loss curves and a row of the epoch table.
public struct TrainingEpoch: Sendable, Equatable {
    /// Epoch number from 1.
    public var epoch: Int
    /// Mean training loss over the epoch's steps.
    public var trainingLoss: Double
    /// Validation loss after the epoch.
    public var validationLoss: Double
    /// Learning rate of the epoch's last step.
    public var learningRate: Double
    /// Wall-clock time of the epoch.
    public var seconds: Double
    public var jetsPerSecond: Double

    public init(
        epoch: Int, trainingLoss: Double, validationLoss: Double, learningRate: Double, seconds: Double,
        jetsPerSecond: Double
    ) {
        self.epoch = epoch
        self.trainingLoss = trainingLoss
        self.validationLoss = validationLoss
        self.learningRate = learningRate
        self.seconds = seconds
        self.jetsPerSecond = jetsPerSecond
    }
}
