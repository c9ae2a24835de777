import JetCore

/// One finished epoch of a run, as the history files list it.
public struct EpochRecord: Codable, Sendable, Equatable {
    /// Epoch number from 1.
    public var epoch: Int
    /// Mean training loss over the epoch's steps (weighted by each batch's sum of |w|).
    public var trainingLoss: Double
    public var validationLoss: Double
    /// Weighted fraction of validation jets whose most probable class is their label (nil in files written before
    /// it was recorded).
    public var validationAccuracy: Double?
    /// Learning rate of the epoch's last step.
    public var learningRate: Float
    public var seconds: Double
    public var jetsPerSecond: Double
}

/// Where a run stands: everything besides the parameters that a checkpoint needs to continue it exactly.
public struct TrainingState: Codable, Sendable, Equatable {
    /// Epochs completed.
    public var completedEpochs = 0
    /// Steps of the current (unfinished) epoch already taken.
    public var stepInEpoch = 0
    /// Optimizer steps taken in the whole run.
    public var globalStep = 0
    /// Sum over the current epoch's steps of loss * sum |w| and of sum |w| (for its mean training loss).
    public var epochLossSum = 0.0
    public var epochWeightSum = 0.0
    public var bestValidationLoss: Double?
    /// Validation accuracy of the best epoch.
    public var bestValidationAccuracy: Double?
    /// Epoch (from 1) of the best validation loss.
    public var bestEpoch = 0
    public var epochsWithoutImprovement = 0
    public var history: [EpochRecord] = []
    /// Whether early stopping ended the run.
    public var stoppedEarly = false
    /// Whether the run is complete (all epochs or stopped early).
    public var finished = false
    /// The model's dropout stream where the run stopped (set by the trainer in every checkpoint).
    public var dropoutGenerator: SeededGenerator?
    /// Jets of the training split trained on, over all data shards (nil in files written before it was recorded).
    public var trainingJets: Int?

    public init() {}
}
