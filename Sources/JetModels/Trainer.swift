import Foundation
import JetCore
import JetDistributed
import JetNN

/// Trains one model of a run on its jets (``TrainingJets``: held in memory or streamed): seeded shuffling, mini-batches packed for the model,
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
///
/// With S = `training.dataShards` > 1 every step's batch is S parts of batchSize / S jets, part m from shard m in
/// that shard's own seeded order (``permutation(count:seed:epoch:shard:)``, or the stream's shuffle). Each part's loss is normalised by the
/// whole batch's sum of |w|, and the step's gradient is the sum of the parts' gradients in part order, so the
/// parts may be computed by different ranks (``Communicator``: rank r computes the parts m % ranks == r; the part
/// gradients are allgathered) and any rank count dividing S gives the same bits. Dropout masks are seeded by
/// (seed, step, part); BatchNorm normalises each part by its own statistics and its running statistics follow
/// part 0 (rank 0), which broadcasts them before every validation. Rank 0 alone writes the run files.
/// A stream that fails while reading (a file gone or truncated) stops the run on every rank with
/// ``JetModelsError/streamFailed(reason:checkpoint:)`` after `last.h5` is written at the last finished step.
public struct Trainer {
    public let config: RunConfig
    public let data: any TrainingJets
    /// The ranks sharing the data shards (``Communicator/solo`` in one process).
    public let communicator: Communicator
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
        /// Before training: a pass over the data that streaming makes (standardisation, jet counts, weights).
        case note(String)
    }

    /// A trainer at the start of a run (from the parent of `fineTuning` when given), or continuing the checkpoint
    /// `checkpoint` (`last.h5` of a stopped run).
    ///
    /// - Throws: ``JetModelsError/unmatchedPattern(key:pattern:parameters:)`` for a `training.freeze` pattern that
    ///   names no parameter; the errors of loading the checkpoint or parent.
    public init(
        config: RunConfig, data: any TrainingJets, checkpoint: ModelFile? = nil, fineTuning: FineTuning? = nil,
        communicator: Communicator = .solo
    ) throws {
        self.config = config
        self.data = data
        self.communicator = communicator
        model = try config.model.makeModel(seed: config.training.seed)
        optimizer = config.training.makeOptimizer()
        state = TrainingState()
        state.trainingJets = data.shards.trainingCounts.reduce(0, +)
        if let checkpoint {
            guard let saved = checkpoint.trainingState, let tensors = checkpoint.members.first else {
                throw JetModelsError.invalidModelFile(
                    file: "checkpoint", reason: "it has no training state (a finished model file, not last.h5)")
            }
            try model.load(tensors)
            try optimizer.loadState(checkpoint.optimizerState, parameterCount: model.parameters.count)
            state = saved
            state.trainingJets = data.shards.trainingCounts.reduce(0, +)
            if let generator = saved.dropoutGenerator { model.dropoutGenerator = generator }
            parent = checkpoint.parent
        } else if let fineTuning {
            try fineTuning.initialize(&model)
            parent = fineTuning.provenance
        }
        model.parameters.freeze(try config.training.frozenNames(in: model.parameters))
        let training = config.training
        stepSchedule = training.schedule.stepSchedule(
            epochs: training.epochs, stepsPerEpoch: Self.steps(data.shards, training.batchSize))
        if stepSchedule == nil {
            var plateau = ReduceOnPlateau(
                learningRate: training.learningRate, factor: training.schedule.gamma,
                patience: training.schedule.plateauPatience, minimum: training.schedule.minimum)
            for record in state.history { plateau.update(metric: Float(record.validationLoss)) }
            self.plateau = plateau
        }
    }

    private static func steps(_ jets: Int, _ batchSize: Int) -> Int { (jets + batchSize - 1) / batchSize }

    /// Steps per epoch: enough for the largest shard to take all its jets in parts of batchSize / S.
    private static func steps(_ shards: ShardLayout, _ batchSize: Int) -> Int {
        steps(shards.trainingCounts.max() ?? 0, batchSize / shards.count)
    }

    /// Whether this process writes the run files (rank 0).
    private var writes: Bool { communicator.rank == 0 }

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
        if writes {
            try FileSystemError.wrapping(path: directory.path, action: "cannot create the run directory") {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            }
        }
        let training = config.training
        let shards = data.shards
        let partSize = training.batchSize / shards.count
        let steps = Self.steps(shards, training.batchSize)
        func openReaders(epoch: Int, from step: Int) throws -> [any TrainingPartReader] {
            try shards.owned.indices.map { position in
                try data.trainingParts(position: position, epoch: epoch, seed: training.seed, partSize: partSize, from: step)
            }
        }
        // the next epoch's readers, opened before validation so that a stream reads ahead meanwhile
        var nextReaders: [any TrainingPartReader]?
        while !state.finished && state.completedEpochs < training.epochs {
            let epoch = state.completedEpochs
            var readers = try nextReaders ?? openReaders(epoch: epoch, from: state.stepInEpoch)
            nextReaders = nil
            let start = Date()
            var jetsSeen = 0
            communicator.phase = "training steps"
            // A step's parts are read before the previous step's stop check, which also tells every rank whether
            // any rank's reading failed (one collective for both).
            var parts = Self.nextParts(readers)
            if try communicator.anyRank(parts.failure != nil) { try stopForData(parts.failure, directory: directory) }
            while state.stepInEpoch < steps {
                let step = state.stepInEpoch
                let (loss, weightSum, jets) = try takeStep(parts.parts)
                try checkDivergence(loss: Double(loss), epoch: epoch, step: step, directory: directory)
                state.epochLossSum += Double(loss) * weightSum
                state.epochWeightSum += weightSum
                state.stepInEpoch += 1
                state.globalStep += 1
                jetsSeen += jets
                progress(
                    .step(
                        epoch: epoch, step: step, steps: steps, loss: loss,
                        jetsPerSecond: Double(jetsSeen) / max(Date().timeIntervalSince(start), 1e-9)))
                parts = state.stepInEpoch < steps ? Self.nextParts(readers) : ([], nil)
                let flags = try communicator.allgather([UInt8(shouldStop() ? 1 : 0), UInt8(parts.failure == nil ? 0 : 2)])
                if flags.contains(2) { try stopForData(parts.failure, directory: directory) }
                if flags.contains(1) {
                    let checkpoint = directory.appendingPathComponent("last.h5")
                    if writes { try checkpointFile(state: state).write(to: checkpoint.path) }
                    try communicator.barrier()
                    throw JetModelsError.interrupted(checkpoint: checkpoint.path)
                }
            }
            communicator.phase = "epoch ends"
            readers.removeAll()  // a stream's rounds go before the next epoch's reader fills its first one
            if epoch + 1 < training.epochs { nextReaders = try openReaders(epoch: epoch + 1, from: 0) }
            try recomputeBatchNormStatistics(epoch: epoch)
            let seconds = Date().timeIntervalSince(start)
            let validation = try validationMetrics()
            try checkDivergence(loss: validation.loss, epoch: epoch, step: nil, directory: directory)
            let record = EpochRecord(
                epoch: epoch + 1,
                trainingLoss: state.epochWeightSum > 0 ? state.epochLossSum / state.epochWeightSum : 0,
                validationLoss: validation.loss, validationAccuracy: validation.accuracy,
                learningRate: learningRate(step: max(state.globalStep - 1, 0)), seconds: seconds, jetsPerSecond: Double(jetsSeen) / max(seconds, 1e-9))
            finishEpoch(record)
            if writes {
                if state.bestEpoch == record.epoch {
                    try checkpointFile(state: nil).write(to: directory.appendingPathComponent("model.h5").path)
                }
                try checkpointFile(state: state).write(to: directory.appendingPathComponent("last.h5").path)
                try TrainingHistory.write(state.history, to: directory)
            }
            let remaining = Double(training.epochs - state.completedEpochs) * record.seconds
            progress(.epoch(record, secondsRemaining: state.finished ? 0 : remaining))
        }
        try communicator.barrier()
        return state
    }

    /// The next part of every held shard, or the error of reading them.
    private static func nextParts(_ readers: [any TrainingPartReader]) -> (parts: [TrainingPart], failure: Error?) {
        do {
            return (try readers.map { try $0.next() }, nil)
        } catch {
            return ([], error)
        }
    }

    /// After a reader failed on some rank (`failure` on this one, if here): writes `last.h5` (the state after the
    /// last finished step) and throws ``JetModelsError/streamFailed(reason:checkpoint:)`` on every rank.
    private func stopForData(_ failure: Error?, directory: URL) throws -> Never {
        let checkpoint = directory.appendingPathComponent("last.h5")
        if writes { try checkpointFile(state: state).write(to: checkpoint.path) }
        try communicator.barrier()
        throw JetModelsError.streamFailed(
            reason: failure.map { "\($0)" } ?? "another MPI rank could not read its data shard", checkpoint: checkpoint.path)
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

    /// One optimizer step on this rank's parts of the batch (one per shard held); returns the batch loss, its sum
    /// of |w| and its jet count (over all ranks).
    private mutating func takeStep(
        _ parts: [TrainingPart]
    ) throws -> (loss: Float, weightSum: Double, jets: Int) {
        let absoluteSum = { (part: TrainingPart) in part.weights.reduce(0) { $0 + Double(abs($1)) } }
        guard data.shards.count > 1 else {
            let loss = try partGradient(parts[0], normalization: .absoluteWeightSum)
            return try update(loss: loss, weightSum: absoluteSum(parts[0]), jets: parts[0].count)
        }
        // per part: its |w| sum and its jet count, in part order
        let sums = try inPartOrder(communicator.allgather(parts.flatMap { [absoluteSum($0), Double($0.count)] }), stride: 2)
        let weightSum = stride(from: 0, to: sums.count, by: 2).reduce(0) { $0 + sums[$1] }
        let jets = stride(from: 1, to: sums.count, by: 2).reduce(0) { $0 + Int(sums[$1]) }
        let count = model.parameters.count
        var own: [Float] = []
        own.reserveCapacity(parts.count * (count + 1))
        let momentum = model.batchNormMomentum
        for (index, part) in parts.enumerated() {
            let shard = data.shards.owned[index]
            model.dropoutGenerator = SeededGenerator(
                seed: config.training.seed ^ (0xA24B_AED4_963E_E407 &* UInt64(state.globalStep + 1))
                    ^ (0x9FB2_1C65_1E98_DF25 &* UInt64(shard + 1)))
            if shard != 0, momentum != nil { model.batchNormMomentum = 0 }
            let loss = try partGradient(part, normalization: .given(normalizer: weightSum))
            model.batchNormMomentum = momentum
            own += model.parameters.gradients
            own.append(loss)
        }
        let all = try inPartOrder(communicator.allgather(own), stride: count + 1)
        var gradients = Array(all[0..<count])
        var loss = all[count]
        all.withUnsafeBufferPointer { all in
            gradients.withUnsafeMutableBufferPointer { sum in
                for part in 1..<data.shards.count {
                    let base = part * (count + 1)
                    for i in 0..<count { sum[i] += all[base + i] }
                    loss += all[base + count]
                }
            }
        }
        model.parameters.setGradients(gradients)
        return try update(loss: loss, weightSum: weightSum, jets: jets)
    }

    /// Leaves the gradient of one part's loss in `model.parameters` and returns the loss (0 for no jets).
    private mutating func partGradient(_ part: TrainingPart, normalization: LossNormalization) throws -> Float {
        model.parameters.zeroGradients()
        guard part.count > 0 else { return 0 }
        let logits = try model.forward(part.jets, training: true)
        var dLogits = Matrix(rows: 0, columns: 0)
        let loss = Self.loss(
            logits: logits, labels: part.labels, weights: part.weights, normalization: normalization, dLogits: &dLogits)
        model.backward(dLogits: dLogits, computeInputGradient: false)
        return loss
    }

    /// Clips the gradient in `model.parameters` as configured and takes the optimizer step.
    private mutating func update(loss: Float, weightSum: Double, jets: Int) throws -> (loss: Float, weightSum: Double, jets: Int) {
        if let clip = config.training.gradientClip { model.parameters.clipGradientNorm(to: clip) }
        optimizer.learningRate = learningRate(step: state.globalStep)
        optimizer.step(&model.parameters)
        return (loss, weightSum, jets)
    }

    /// An allgather's blocks of `stride` values (rank r's k-th block is shard k ranks + r) in shard order.
    private func inPartOrder<Element>(_ gathered: [Element], stride: Int) -> [Element] {
        let ranks = communicator.size
        let perRank = data.shards.count / ranks
        var ordered: [Element] = []
        ordered.reserveCapacity(gathered.count)
        for shard in 0..<data.shards.count {
            let block = (shard % ranks) * perRank + shard / ranks
            ordered += gathered[(block * stride)..<((block + 1) * stride)]
        }
        return ordered
    }

    /// Replaces the BatchNorm running statistics by plain averages over the first `training.preciseBatchNorm`
    /// batches of the epoch's order, forward passes in training mode with the current parameters. The dropout
    /// stream is left where it was, so the training batches draw the same masks with or without this.
    /// With S > 1 shards: batches of batchSize / S jets of shard 0 (rank 0), whose statistics then go to every rank.
    private mutating func recomputeBatchNormStatistics(epoch: Int) throws {
        guard let momentum = model.batchNormMomentum else { return }
        if config.training.preciseBatchNorm > 0 && communicator.rank == 0 {
            let dropoutGenerator = model.dropoutGenerator
            let batchSize = config.training.batchSize / data.shards.count
            let parts = try data.trainingParts(
                position: 0, epoch: epoch, seed: config.training.seed, partSize: batchSize, from: 0)
            for batch in 0..<config.training.preciseBatchNorm {
                let part = try parts.next()
                guard part.count > 1 else { break }
                model.batchNormMomentum = 1 / Float(batch + 1)
                _ = try model.forward(part.jets, training: true)
            }
            model.batchNormMomentum = momentum
            model.dropoutGenerator = dropoutGenerator
        }
        if communicator.size > 1 { try synchronizeParameters() }
    }

    /// Rank 0's parameter values (with the BatchNorm running statistics) on every rank.
    private mutating func synchronizeParameters() throws {
        let tensors = model.exportTensors()
        var values = try communicator.broadcast(tensors.flatMap(\.values))
        var synchronized: [NamedTensor] = []
        for tensor in tensors {
            synchronized.append(NamedTensor(name: tensor.name, shape: tensor.shape, values: Array(values.prefix(tensor.values.count))))
            values.removeFirst(tensor.values.count)
        }
        try model.load(synchronized)
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
    /// validation jets, model in inference mode, summed over batches of `data.readBatchSize` jets in file order.
    /// With S > 1 shards, each shard's sums (sum w l, sum |w|, correct and total w) are combined in shard order.
    private func validationMetrics() throws -> (loss: Double, accuracy: Double) {
        var sums: [Double] = []
        for position in data.shards.owned.indices {
            let batches = try data.validationBatches(position: position, batchSize: config.data.readBatchSize)
            var shardSums = [Double](repeating: 0, count: 4)
            while case let part = try batches.next(), part.count > 0 {
                let logits = try model.inferenceLogits(jetCount: part.count) { part.jets.jets($0) }
                var dLogits = Matrix(rows: 0, columns: 0)
                let total = Self.loss(
                    logits: logits, labels: part.labels, weights: part.weights, normalization: .none, dLogits: &dLogits)
                let correct = Self.accuracySums(logits: logits, labels: part.labels, weights: part.weights)
                shardSums[0] += Double(total)
                shardSums[1] += part.weights.reduce(0) { $0 + Double(abs($1)) }
                shardSums[2] += correct.correct
                shardSums[3] += correct.sum
            }
            sums += shardSums
        }
        var (total, absoluteSum, correct, weightSum) = (0.0, 0.0, 0.0, 0.0)
        let ordered = try inPartOrder(communicator.allgather(sums), stride: 4)
        for shard in 0..<data.shards.count {
            total += ordered[4 * shard]
            absoluteSum += ordered[4 * shard + 1]
            correct += ordered[4 * shard + 2]
            weightSum += ordered[4 * shard + 3]
        }
        return (absoluteSum > 0 ? total / absoluteSum : 0, weightSum > 0 ? correct / weightSum : 0)
    }

    /// Weighted fraction of jets whose predicted class (logit > 0 for one logit, the largest logit for several)
    /// is their label; 0 when the weights sum to 0 or less.
    static func accuracy(logits: Matrix, labels: [Int32], weights: [Float]) -> Double {
        let (correct, sum) = accuracySums(logits: logits, labels: labels, weights: weights)
        return sum > 0 ? correct / sum : 0
    }

    /// The weight sum of the correctly predicted jets and of all jets.
    static func accuracySums(logits: Matrix, labels: [Int32], weights: [Float]) -> (correct: Double, sum: Double) {
        var (correct, sum) = (0.0, 0.0)
        for jet in 0..<logits.rows {
            let row = logits.storage[(jet * logits.columns)..<((jet + 1) * logits.columns)]
            let predicted = logits.columns == 1 ? (row.first! > 0 ? 1 : 0) : row.indices.max { row[$0] < row[$1] }! - row.startIndex
            sum += Double(weights[jet])
            if predicted == Int(labels[jet]) { correct += Double(weights[jet]) }
        }
        return (correct, sum)
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

    /// The order of the training jets of data shard `shard` in `epoch`: a Fisher-Yates shuffle seeded by (seed,
    /// epoch, shard) alone, so a continued run draws the same orders (shard 0: the order of a one-shard run).
    public static func permutation(count: Int, seed: UInt64, epoch: Int, shard: Int = 0) -> [Int] {
        var generator = SeededGenerator(
            seed: seed ^ (0x9E37_79B9_7F4A_7C15 &* UInt64(epoch + 1)) ^ (0xC2B2_AE3D_27D4_EB4F &* UInt64(shard)))
        var order = Array(0..<count)
        for i in stride(from: count - 1, to: 0, by: -1) {
            order.swapAt(i, Int(generator.next() % UInt64(i + 1)))
        }
        return order
    }
}
