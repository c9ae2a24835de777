import JetNN

/// The `training` section of a run config: optimizer, learning-rate schedule, batches, epochs, early
/// stopping, regularisation, seeds and threads.
public struct TrainingConfig: Codable, Sendable, Equatable {
    /// What picks the best epoch (`model.h5`) and drives early stopping.
    public enum CheckpointMetric: String, Codable, Sendable, CaseIterable {
        /// The lowest validation loss.
        case loss
        /// The highest validation accuracy (weaver-core's choice).
        case accuracy
    }

    /// How a run spreads over the ranks of an MPI job.
    public enum Distribution: String, Codable, Sendable, CaseIterable {
        /// Every member is one training over all ranks: each rank reads its data shards, gradients are summed.
        case data
        /// Ensemble members or folds are independent trainings spread over the ranks (member i on rank i % P).
        case members
    }

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
    /// Stop after this many epochs without a better `checkpointMetric`; 0 never stops early.
    public var patience: Int
    /// A validation loss (accuracy) counts as better when it is below best - minDelta (above best + minDelta).
    public var minDelta: Float
    /// The validation metric that picks the best epoch and drives early stopping.
    public var checkpointMetric: CheckpointMetric
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
    /// After every epoch, recompute the BatchNorm running statistics as plain averages over this many training
    /// batches with the epoch's final parameters ("precise BatchNorm"), instead of keeping the exponential
    /// averages that lag behind the parameters; 0 keeps PyTorch's behaviour. Models without BatchNorm ignore it.
    public var preciseBatchNorm: Int
    /// The run stops as diverged when a batch loss exceeds this multiple of the first epoch's mean training loss
    /// (in the first epoch: of the mean of its earlier steps); a non-finite loss always stops it.
    public var divergenceFactor: Float
    /// Fine-tuning: the model file (`RUN/model.h5`, path relative to the working directory like `data.files`)
    /// whose parameters start this run instead of a fresh initialisation; nil starts fresh.
    public var initFrom: String?
    /// Glob patterns (`head.*`) of parameters not taken from `initFrom`: they keep their fresh initialisation, and
    /// may differ in shape or be absent from the parent (a new head).
    public var initExclude: [String]
    /// Glob patterns of parameters the optimizer leaves unchanged (their values, moments and decay), e.g.
    /// `constituent.*` to train only the head on top of a transferred per-constituent network.
    public var freeze: [String]
    /// S: the training and validation splits are cut into S data shards (rows [m n / S, (m + 1) n / S) of every
    /// file of n rows) and every step's batch into S parts of batchSize / S jets, part m from shard m; the
    /// gradient is the sum of the parts' gradients in part order, so a run gives the same model over any number of
    /// MPI ranks dividing S. nil: 1 in one process, the rank count under MPI.
    public var dataShards: Int?
    /// Under MPI: one training over all ranks (`data`) or members spread over the ranks (`members`).
    public var distribute: Distribution
    /// The fraction of the training split trained on (learning curves, `jettag scan --train-fraction`): each jet
    /// is kept when a uniform seeded by `seed` and its file and row is below f (about f n of n jets), so the jets
    /// of a smaller fraction are among those of any larger one. 1 trains on the whole split; the validation split is never cut.
    public var trainFraction: Double

    public init(
        optimizer: OptimizerKind = .adam, learningRate: Float = 1e-3, weightDecay: Float = 0, momentum: Float = 0.9,
        schedule: ScheduleConfig = ScheduleConfig(), batchSize: Int = 256, epochs: Int = 20, patience: Int = 5,
        minDelta: Float = 0, checkpointMetric: CheckpointMetric = .loss, gradientClip: Float? = nil, seed: UInt64 = 0, threads: Int = 1, kfold: Int? = nil,
        ensemble: Int? = nil, preciseBatchNorm: Int = 32, divergenceFactor: Float = 1e3, initFrom: String? = nil,
        initExclude: [String] = [], freeze: [String] = [], dataShards: Int? = nil, distribute: Distribution = .data,
        trainFraction: Double = 1
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
        self.checkpointMetric = checkpointMetric
        self.gradientClip = gradientClip
        self.seed = seed
        self.threads = threads
        self.kfold = kfold
        self.ensemble = ensemble
        self.preciseBatchNorm = preciseBatchNorm
        self.divergenceFactor = divergenceFactor
        self.initFrom = initFrom
        self.initExclude = initExclude
        self.freeze = freeze
        self.dataShards = dataShards
        self.distribute = distribute
        self.trainFraction = trainFraction
    }

    private enum CodingKeys: String, CodingKey {
        case optimizer, learningRate, weightDecay, momentum, schedule, batchSize, epochs, patience, minDelta, checkpointMetric
        case gradientClip, seed, threads, kfold, ensemble, preciseBatchNorm, divergenceFactor
        case initFrom, initExclude, freeze
        case dataShards, distribute, trainFraction
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
        checkpointMetric = try c.decode(.checkpointMetric, default: checkpointMetric)
        gradientClip = try c.decodeIfPresent(Float.self, forKey: .gradientClip)
        seed = try c.decode(.seed, default: seed)
        threads = try c.decode(.threads, default: threads)
        kfold = try c.decodeIfPresent(Int.self, forKey: .kfold)
        ensemble = try c.decodeIfPresent(Int.self, forKey: .ensemble)
        preciseBatchNorm = try c.decode(.preciseBatchNorm, default: preciseBatchNorm)
        divergenceFactor = try c.decode(.divergenceFactor, default: divergenceFactor)
        initFrom = try c.decodeIfPresent(String.self, forKey: .initFrom)
        initExclude = try c.decode(.initExclude, default: initExclude)
        freeze = try c.decode(.freeze, default: freeze)
        dataShards = try c.decodeIfPresent(Int.self, forKey: .dataShards)
        distribute = try c.decode(.distribute, default: distribute)
        trainFraction = try c.decode(.trainFraction, default: trainFraction)
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
