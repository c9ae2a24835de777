import JetNN

/// The `training` section of a run config: optimizer, learning-rate schedule, batches, epochs, early
/// stopping, regularisation, seeds and threads.
public struct TrainingConfig: Codable, Sendable, Equatable {
    public enum OptimizerKind: String, Codable, Sendable, CaseIterable {
        /// Adam with coupled L2 weight decay.
        case adam
        /// Adam with decoupled weight decay (AdamW).
        case adamw
        /// Stochastic gradient descent with `momentum`.
        case sgd
    }

    public var optimizer: OptimizerKind
    public var learningRate: Float
    /// Weight decay of the weights (not biases or norm parameters): coupled L2 for adam and sgd,
    /// decoupled for adamw.
    public var weightDecay: Float
    /// SGD momentum (0 = none).
    public var momentum: Float
    public var schedule: ScheduleConfig
    /// Jets per optimizer step.
    public var batchSize: Int
    public var epochs: Int
    /// Stop after this many epochs without a lower validation loss; 0 never stops early.
    public var patience: Int
    /// A validation loss counts as lower when it is below best - minDelta.
    public var minDelta: Float
    /// Clip the global gradient norm to this value; nil for no clipping.
    public var gradientClip: Float?
    /// Seed of the initial parameters, the shuffling and dropout.
    public var seed: UInt64
    /// Threads for reading and BLAS; results are reproducible for a given seed and thread count.
    public var threads: Int
    /// k-fold training: k models, model i trained without the jets with event_number % k == i (which it
    /// scores in `predict`); nil trains one model on `data.split`.
    public var kfold: Int?
    /// Seed ensemble: this many models with seeds seed, seed + 1, ...; `predict` reports their mean and
    /// spread. nil trains one model.
    public var ensemble: Int?

    public init(
        optimizer: OptimizerKind = .adam, learningRate: Float = 1e-3, weightDecay: Float = 0, momentum: Float = 0.9,
        schedule: ScheduleConfig = ScheduleConfig(), batchSize: Int = 256, epochs: Int = 20, patience: Int = 5,
        minDelta: Float = 0, gradientClip: Float? = nil, seed: UInt64 = 0, threads: Int = 1, kfold: Int? = nil,
        ensemble: Int? = nil
    ) {
        self.optimizer = optimizer
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        self.momentum = momentum
        self.schedule = schedule
        self.batchSize = batchSize
        self.epochs = epochs
        self.patience = patience
        self.minDelta = minDelta
        self.gradientClip = gradientClip
        self.seed = seed
        self.threads = threads
        self.kfold = kfold
        self.ensemble = ensemble
    }

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case optimizer, learningRate, weightDecay, momentum, schedule, batchSize, epochs, patience, minDelta
        case gradientClip, seed, threads, kfold, ensemble
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        optimizer = try c.decode(.optimizer, default: optimizer)
        learningRate = try c.decode(.learningRate, default: learningRate)
        weightDecay = try c.decode(.weightDecay, default: weightDecay)
        momentum = try c.decode(.momentum, default: momentum)
        schedule = try c.decode(.schedule, default: schedule)
        batchSize = try c.decode(.batchSize, default: batchSize)
        epochs = try c.decode(.epochs, default: epochs)
        patience = try c.decode(.patience, default: patience)
        minDelta = try c.decode(.minDelta, default: minDelta)
        gradientClip = try c.decodeIfPresent(Float.self, forKey: .gradientClip)
        seed = try c.decode(.seed, default: seed)
        threads = try c.decode(.threads, default: threads)
        kfold = try c.decodeIfPresent(Int.self, forKey: .kfold)
        ensemble = try c.decodeIfPresent(Int.self, forKey: .ensemble)
    }

    /// A fresh optimizer as configured.
    func makeOptimizer() -> any Optimizer {
        switch optimizer {
        case .adam: Adam(learningRate: learningRate, weightDecay: weightDecay)
        case .adamw: Adam.adamW(learningRate: learningRate, weightDecay: weightDecay)
        case .sgd: SGD(learningRate: learningRate, momentum: momentum, weightDecay: weightDecay)
        }
    }
}

/// The learning-rate schedule of a run.
///
/// `constant`; `step` (multiply by `gamma` every `stepEpochs` epochs); `cosine` (per optimizer step over the
/// whole run, after `warmupEpochs` of linear warm-up, down to `minimum`); `oneCycle` (PyTorch's OneCycleLR
/// over the run, `learningRate` the peak); `plateau` (multiply by `gamma` when the validation loss has not
/// improved for more than `plateauPatience` epochs, not below `minimum`).
public struct ScheduleConfig: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable { case constant, step, cosine, oneCycle, plateau }

    public var kind: Kind
    public var stepEpochs: Int
    public var gamma: Float
    public var warmupEpochs: Int
    public var minimum: Float
    public var plateauPatience: Int

    public init(
        kind: Kind = .constant, stepEpochs: Int = 10, gamma: Float = 0.1, warmupEpochs: Int = 0, minimum: Float = 0,
        plateauPatience: Int = 2
    ) {
        self.kind = kind
        self.stepEpochs = stepEpochs
        self.gamma = gamma
        self.warmupEpochs = warmupEpochs
        self.minimum = minimum
        self.plateauPatience = plateauPatience
    }

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, stepEpochs, gamma, warmupEpochs, minimum, plateauPatience
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        kind = try c.decode(.kind, default: kind)
        stepEpochs = try c.decode(.stepEpochs, default: stepEpochs)
        gamma = try c.decode(.gamma, default: gamma)
        warmupEpochs = try c.decode(.warmupEpochs, default: warmupEpochs)
        minimum = try c.decode(.minimum, default: minimum)
        plateauPatience = try c.decode(.plateauPatience, default: plateauPatience)
    }

    /// The per-step JetNN schedule for a run of `epochs` epochs of `stepsPerEpoch` steps (nil for `plateau`,
    /// which follows the validation loss).
    func stepSchedule(epochs: Int, stepsPerEpoch: Int) -> LearningRateSchedule? {
        let total = max(epochs * stepsPerEpoch, 2)
        switch kind {
        case .constant: return .constant
        case .step: return .step(stepSize: max(stepEpochs * stepsPerEpoch, 1), gamma: gamma)
        case .cosine: return .cosine(totalSteps: total, minimum: minimum, warmupSteps: min(warmupEpochs * stepsPerEpoch, total - 1))
        case .oneCycle: return .oneCycle(totalSteps: max(total, 4))
        case .plateau: return nil
        }
    }
}
