import Foundation
import JetCore
import JetNN

/// Trains one model of a run on data held in memory: seeded shuffling, mini-batches packed for the model,
/// the loss with signed weights, optimizer and schedule, validation loss every epoch, early stopping,
/// history files, best and last checkpoints.
///
/// Run directory: `model.h5` (the best model so far, by `training.checkpointMetric`: validation loss or
/// accuracy), `last.h5` (a checkpoint written after every epoch and when stopped), `history.csv` /
/// `history.json`. The same seed and thread count give the same model. A run continued from `last.h5`
/// (``init(config:data:checkpoint:)``) takes the same batches in the same order with the same parameters,
/// BatchNorm statistics, optimizer state (moments, step count, momentum), dropout stream, learning rates,
/// early-stopping and plateau state, so it ends with the same model as an uninterrupted run. A fine-tuning run
/// (``FineTuning``) starts from the parent's parameters, and the parameters `training.freeze` names are never
/// changed by the optimizer.
public struct Trainer {
    public let config: RunConfig
    public let data: TrainingData
    public private(set) var model: any JetModel
    public private(set) var state: TrainingState
    private var optimizer: any Optimizer
    private let stepSchedule: LearningRateSchedule?
    private var plateau: ReduceOnPlateau?
    /// The model this run started from, recorded in its model files.
    private var parent: ParentModel?

    /// What the trainer reports while it runs.
    public enum Event: Sendable {
        /// After every optimizer step: 0-based epoch and step, steps per epoch, the batch loss, jets per second
        /// in this epoch so far.
        case step(epoch: Int, step: Int, steps: Int, loss: Float, jetsPerSecond: Double)
        /// After every epoch, with the estimated seconds left for the remaining epochs.
        case epoch(EpochRecord, secondsRemaining: Double)
    }

    /// A trainer at the start of a run (from the parent of `fineTuning` when given), or continuing the checkpoint
    /// `checkpoint` (`last.h5` of a stopped run).
    ///
    /// - Throws: ``JetModelsError/unmatchedPattern(key:pattern:parameters:)`` for a `training.freeze` pattern that
    ///   names no parameter; the errors of loading the checkpoint or parent.
    public init(config: RunConfig, data: TrainingData, checkpoint: ModelFile? = nil, fineTuning: FineTuning? = nil)
        throws
    {
        self.config = config
        self.data = data
        model = try config.model.makeModel(seed: config.training.seed)
        optimizer = config.training.makeOptimizer()
        state = TrainingState()
        if let checkpoint {
            guard let saved = checkpoint.trainingState, let tensors = checkpoint.members.first else {
                throw JetModelsError.invalidModelFile(
                    file: "checkpoint", reason: "it has no training state (a finished model file, not last.h5)")
            }
            try model.load(tensors)
            try optimizer.loadState(checkpoint.optimizerState, parameterCount: model.parameters.count)
            state = saved
            if let generator = saved.dropoutGenerator { model.dropoutGenerator = generator }
            parent = checkpoint.parent
        } else if let fineTuning {
            try fineTuning.initialize(&model)
            parent = fineTuning.provenance
        }
        model.parameters.freeze(try config.training.frozenNames(in: model.parameters))
        let training = config.training
        stepSchedule = training.schedule.stepSchedule(
            epochs: training.epochs, stepsPerEpoch: Self.steps(data.training.count, training.batchSize))
        if stepSchedule == nil {
            var plateau = ReduceOnPlateau(
                learningRate: training.learningRate, factor: training.schedule.gamma,
                patience: training.schedule.plateauPatience, minimum: training.schedule.minimum)
            for record in state.history { plateau.update(metric: Float(record.validationLoss)) }
            self.plateau = plateau
        }
    }

    private static func steps(_ jets: Int, _ batchSize: Int) -> Int { (jets + batchSize - 1) / batchSize }

    /// Runs the remaining epochs, writing the run files into `directory`.
    ///
    /// - Parameters:
    ///   - progress: called after every step and epoch.
    ///   - shouldStop: polled after every step; when it returns true the trainer writes `last.h5` and throws
    ///     ``JetModelsError/interrupted(checkpoint:)``.
    /// - Returns: the final state (its `history` lists every epoch).
    @discardableResult
    public mutating func train(
        directory: URL, progress: (Event) -> Void = { _ in }, shouldStop: () -> Bool = { false }
    ) throws -> TrainingState {
        try FileSystemError.wrapping(path: directory.path, action: "cannot create the run directory") {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
        let training = config.training
        let jets = data.training.count
        let steps = Self.steps(jets, training.batchSize)
        while !state.finished && state.completedEpochs < training.epochs {
            let epoch = state.completedEpochs
            let order = Self.permutation(count: jets, seed: training.seed, epoch: epoch)
            let start = Date()
            var jetsSeen = 0
            while state.stepInEpoch < steps {
                let step = state.stepInEpoch
                let indices = order[(step * training.batchSize)..<min((step + 1) * training.batchSize, jets)]
                let (loss, weightSum) = try takeStep(indices)
                try checkDivergence(loss: Double(loss), epoch: epoch, step: step, directory: directory)
                state.epochLossSum += Double(loss) * weightSum
                state.epochWeightSum += weightSum
                state.stepInEpoch += 1
                state.globalStep += 1
                jetsSeen += indices.count
                progress(
                    .step(
                        epoch: epoch, step: step, steps: steps, loss: loss,
                        jetsPerSecond: Double(jetsSeen) / max(Date().timeIntervalSince(start), 1e-9)))
                if shouldStop() {
                    let checkpoint = directory.appendingPathComponent("last.h5")
                    try checkpointFile(state: state).write(to: checkpoint.path)
                    throw JetModelsError.interrupted(checkpoint: checkpoint.path)
                }
            }
            try recomputeBatchNormStatistics(order)
            let seconds = Date().timeIntervalSince(start)
            let validation = try validationMetrics()
            try checkDivergence(loss: validation.loss, epoch: epoch, step: nil, directory: directory)
            let record = EpochRecord(
                epoch: epoch + 1,
                trainingLoss: state.epochWeightSum > 0 ? state.epochLossSum / state.epochWeightSum : 0,
                validationLoss: validation.loss, validationAccuracy: validation.accuracy,
                learningRate: learningRate(step: max(state.globalStep - 1, 0)), seconds: seconds, jetsPerSecond: Double(jetsSeen) / max(seconds, 1e-9))
            finishEpoch(record)
            if state.bestEpoch == record.epoch {
                try checkpointFile(state: nil).write(to: directory.appendingPathComponent("model.h5").path)
            }
            try checkpointFile(state: state).write(to: directory.appendingPathComponent("last.h5").path)
            try TrainingHistory.write(state.history, to: directory)
            let remaining = Double(training.epochs - state.completedEpochs) * record.seconds
            progress(.epoch(record, secondsRemaining: state.finished ? 0 : remaining))
        }
        return state
    }

    /// Throws ``JetModelsError/diverged(epoch:step:loss:limit:learningRate:kept:)`` for a non-finite loss, or a
    /// batch loss above `training.divergenceFactor` x the first epoch's mean training loss (during the first
    /// epoch, the mean of its earlier steps), before anything of this step is written.
    ///
    /// - Parameter step: 0-based step in `epoch` (0-based); nil for the validation loss.
    private func checkDivergence(loss: Double, epoch: Int, step: Int?, directory: URL) throws {
        let reference =
            state.history.first?.trainingLoss
            ?? (state.stepInEpoch > 0 && state.epochWeightSum > 0 ? state.epochLossSum / state.epochWeightSum : nil)
        let limit = step == nil ? nil : reference.map { $0 * Double(config.training.divergenceFactor) }
        guard !loss.isFinite || limit.map({ loss > $0 && $0 > 0 }) == true else { return }
        let kept = state.completedEpochs == 0 ? [] : ["model.h5", "last.h5"].map { directory.appendingPathComponent($0).path }
        throw JetModelsError.diverged(
            epoch: epoch + 1, step: step.map { $0 + 1 }, loss: loss, limit: loss.isFinite ? limit : nil,
            learningRate: config.training.learningRate, kept: kept)
    }

    /// The learning rate of optimizer step `step` (from 0) of the run; the plateau schedule's current rate.
    private func learningRate(step: Int) -> Float {
        if let stepSchedule {
            return stepSchedule.learningRate(base: config.training.learningRate, step: step)
        }
        return plateau!.learningRate
    }

    /// One optimizer step on the jets at `indices`; returns the batch loss and its sum of |w|.
    private mutating func takeStep(_ indices: ArraySlice<Int>) throws -> (loss: Float, weightSum: Double) {
        let jets = data.training.batch(indices)
        let weights = indices.map { data.training.weights[$0] }
        let labels = indices.map { data.training.labels[$0] }
        model.parameters.zeroGradients()
        let logits = try model.forward(jets, training: true)
        var dLogits = Matrix(rows: 0, columns: 0)
        let loss = Self.loss(
            logits: logits, labels: labels, weights: weights, normalization: .absoluteWeightSum, dLogits: &dLogits)
        model.backward(dLogits: dLogits, computeInputGradient: false)
        if let clip = config.training.gradientClip { model.parameters.clipGradientNorm(to: clip) }
        optimizer.learningRate = learningRate(step: state.globalStep)
        optimizer.step(&model.parameters)
        return (loss, weights.reduce(0) { $0 + Double(abs($1)) })
    }

    /// Replaces the BatchNorm running statistics by plain averages over the first `training.preciseBatchNorm`
    /// batches of the epoch's order, forward passes in training mode with the current parameters. The dropout
    /// stream is left where it was, so the training batches draw the same masks with or without this.
    private mutating func recomputeBatchNormStatistics(_ order: [Int]) throws {
        guard let momentum = model.batchNormMomentum, config.training.preciseBatchNorm > 0 else { return }
        let dropoutGenerator = model.dropoutGenerator
        let batchSize = config.training.batchSize
        for batch in 0..<min(config.training.preciseBatchNorm, Self.steps(order.count, batchSize)) {
            let indices = order[(batch * batchSize)..<min((batch + 1) * batchSize, order.count)]
            guard indices.count > 1 else { break }
            model.batchNormMomentum = 1 / Float(batch + 1)
            _ = try model.forward(data.training.batch(indices), training: true)
        }
        model.batchNormMomentum = momentum
        model.dropoutGenerator = dropoutGenerator
    }

    /// Binary cross-entropy on one logit, softmax cross-entropy on several.
    static func loss(
        logits: Matrix, labels: [Int32], weights: [Float], normalization: LossNormalization, dLogits: inout Matrix
    ) -> Float {
        if logits.columns == 1 {
            return BinaryCrossEntropy(normalization: normalization)
                .loss(logits: logits, targets: labels.map { Float($0) }, weights: weights, dLogits: &dLogits)
        }
        return SoftmaxCrossEntropy(normalization: normalization)
            .loss(logits: logits, labels: labels.map { Int($0) }, weights: weights, dLogits: &dLogits)
    }

    /// The loss sum_i w_i l_i / sum_i |w_i| and the accuracy sum_i w_i [argmax = label] / sum_i w_i over the
    /// validation jets, model in inference mode.
    private func validationMetrics() throws -> (loss: Double, accuracy: Double) {
        let validation = data.validation
        let logits = try model.inferenceLogits(jetCount: validation.count) { validation.batch($0) }
        var dLogits = Matrix(rows: 0, columns: 0)
        let total = Self.loss(
            logits: logits, labels: validation.labels, weights: validation.weights, normalization: .none, dLogits: &dLogits)
        let absoluteSum = validation.weights.reduce(0) { $0 + Double(abs($1)) }
        let accuracy = Self.accuracy(logits: logits, labels: validation.labels, weights: validation.weights)
        return (absoluteSum > 0 ? Double(total) / absoluteSum : 0, accuracy)
    }

    /// Weighted fraction of jets whose predicted class (logit > 0 for one logit, the largest logit for several)
    /// is their label; 0 when the weights sum to 0 or less.
    static func accuracy(logits: Matrix, labels: [Int32], weights: [Float]) -> Double {
        var (correct, sum) = (0.0, 0.0)
        for jet in 0..<logits.rows {
            let row = logits.storage[(jet * logits.columns)..<((jet + 1) * logits.columns)]
            let predicted = logits.columns == 1 ? (row.first! > 0 ? 1 : 0) : row.indices.max { row[$0] < row[$1] }! - row.startIndex
            sum += Double(weights[jet])
            if predicted == Int(labels[jet]) { correct += Double(weights[jet]) }
        }
        return sum > 0 ? correct / sum : 0
    }

    /// Records the epoch: history, best epoch, early stopping, plateau schedule.
    private mutating func finishEpoch(_ record: EpochRecord) {
        state.history.append(record)
        state.completedEpochs += 1
        state.stepInEpoch = 0
        state.epochLossSum = 0
        state.epochWeightSum = 0
        let minDelta = Double(config.training.minDelta)
        let improved: Bool
        switch config.training.checkpointMetric {
        case .loss:
            improved = state.bestValidationLoss.map { record.validationLoss < $0 - minDelta } ?? true
        case .accuracy:
            improved = state.bestValidationAccuracy.map { (record.validationAccuracy ?? 0) > $0 + minDelta } ?? true
        }
        if improved {
            state.bestValidationLoss = record.validationLoss
            state.bestValidationAccuracy = record.validationAccuracy
            state.bestEpoch = record.epoch
            state.epochsWithoutImprovement = 0
        } else {
            state.epochsWithoutImprovement += 1
        }
        plateau?.update(metric: Float(record.validationLoss))
        let patience = config.training.patience
        if patience > 0 && state.epochsWithoutImprovement >= patience { state.stoppedEarly = true }
        state.finished = state.stoppedEarly || state.completedEpochs >= config.training.epochs
    }

    /// The current model as a model file; with `state`, a checkpoint that ``init(config:data:checkpoint:)`` continues.
    public func checkpointFile(state: TrainingState?) -> ModelFile {
        var state = state
        state?.dropoutGenerator = model.dropoutGenerator
        return ModelFile(
            tagger: config.taggerName, architecture: config.model, features: data.features,
            classNames: config.classNames,
            members: [model.exportTensors()], trainingConfig: config, trainingState: state,
            optimizerState: state == nil ? [] : optimizer.exportState(), parent: parent)
    }

    /// The order of the training jets in `epoch`: a Fisher-Yates shuffle seeded by (seed, epoch) alone, so a
    /// continued run draws the same orders.
    static func permutation(count: Int, seed: UInt64, epoch: Int) -> [Int] {
        var generator = SeededGenerator(seed: seed ^ (0x9E37_79B9_7F4A_7C15 &* UInt64(epoch + 1)))
        var order = Array(0..<count)
        for i in stride(from: count - 1, to: 0, by: -1) {
            order.swapAt(i, Int(generator.next() % UInt64(i + 1)))
        }
        return order
    }
}
