import Foundation
import JetCore
import JetData
import JetDistributed
import JetFeatures

/// The training and validation jets of a run read from the files as training goes (`data.inMemory: false`, or
/// `auto` above ``JetData/DataConfig/inMemoryLimit``), so memory is bounded by the shuffle buffer, not the split.
///
/// Every data shard this rank holds reads only its rows (``DataShard``). Opening makes one pass over each split's
/// jet fields (labels, event weights, binning fields; no constituents) for the jet counts and the `weights`
/// section, which sees the same columns as ``TrainingData`` and so gives the same weights; the standardisation is
/// fitted by its own pass first when the config has none.
///
/// Shuffling (docs/STREAMING.md): each file's shard rows are cut into C chunks, C = ceil(rows / `data.shuffleBuffer`)
/// over all files. In epoch e, round j takes chunk π_f(j) of every file f (π_f a permutation seeded by seed, epoch,
/// shard and file); a round's jets, in file order, are mixed by a permutation seeded by (seed ^ round, epoch,
/// shard), so every round holds jets of every file and no batch holds only one file's jets unless a file runs
/// short. With C = 1 (buffer covering the split) the one round is the whole split in file order and its
/// permutation is ``Trainer/permutation(count:seed:epoch:shard:)``: the order of the in-memory path, so both train
/// the same model. A reader thread builds the next rounds (read, extract) while the trainer computes.
public struct StreamedTrainingData: TrainingJets {
    public let features: FeatureSpec
    public let shards: ShardLayout
    let training: [StreamedShard]
    let validation: [StreamedShard]

    /// Opens the config's splits for streaming: fits the missing standardisation (a pass over the training
    /// split), then passes over each split's jet fields; `progress` is told before each pass. Arguments as for
    /// ``TrainingData/load(config:splits:features:communicator:)``.
    public static func open(
        config: RunConfig, splits: (training: JetSplit, validation: JetSplit)? = nil, features: FeatureSpec? = nil,
        communicator: Communicator = .solo, progress: (String) -> Void = { _ in }
    ) throws -> StreamedTrainingData {
        let (trainingSplit, validationSplit) = splits ?? config.data.split.splits
        if features == nil && !config.features.isStandardized {
            progress("streaming: a pass over the training split to fit the standardisation")
        }
        let spec = try features ?? TrainingData.fittedFeatures(config: config, split: trainingSplit, communicator: communicator)
        let extractor = try FeatureExtractor(spec: spec)
        let (shardCount, owned) = try TrainingData.shardPlan(config: config, communicator: communicator)
        func part(_ split: JetSplit, part: String) throws -> (shards: [StreamedShard], counts: [Int]) {
            progress(
                "streaming: a pass over the \(part) split's jet fields (labels, weights, binning) for the jet counts"
                    + (config.weights.weighting.method == .none && !config.weights.weighting.balanceClasses
                        ? "" : " and the weighting histograms"))
            let (plans, counts) = try ChunkPlan.plans(
                config: config, split: split, part: part, owned: owned, shardCount: shardCount, wholeFiles: false,
                communicator: communicator, progress: progress)
            return (plans.map { StreamedShard(config: config, extractor: extractor, split: split, plan: $0) }, counts)
        }
        let training = try part(trainingSplit, part: "training")
        let rounds = training.shards.reduce(0) { $0 + $1.plan.chunksPerFile }
        let entries = training.shards.reduce(0) { $0 + $1.plan.entryCount }
        progress(
            "streaming: \(entries) training jets in \(rounds) rounds of about \(entries / max(rounds, 1)) "
                + "(data.shuffleBuffer \(config.data.shuffleBuffer) rows; two rounds in memory at most)")
        let validation = try part(validationSplit, part: "validation")
        func ranges(_ shards: [StreamedShard]) -> [Range<Int>] {
            shards.reduce(into: []) { ranges, shard in
                let start = ranges.last?.upperBound ?? 0
                ranges.append(start..<(start + shard.plan.entryCount))
            }
        }
        return StreamedTrainingData(
            features: spec,
            shards: ShardLayout(
                count: shardCount, owned: owned, trainingRanges: ranges(training.shards),
                validationRanges: ranges(validation.shards), trainingCounts: training.counts),
            training: training.shards, validation: validation.shards)
    }

    public func trainingParts(position: Int, epoch: Int, seed: UInt64, partSize: Int, from step: Int) throws
        -> any TrainingPartReader
    {
        let shard = training[position]
        return StreamedParts(
            source: shard, rounds: shard.plan.rounds(seed: seed, epoch: epoch, shard: shards.owned[position]),
            size: partSize, skipping: step * partSize)
    }

    public func validationBatches(position: Int, batchSize: Int) throws -> any TrainingPartReader {
        let shard = validation[position]
        return StreamedParts(source: shard, rounds: shard.plan.inFileOrder(), size: batchSize, skipping: 0)
    }

    /// Whether `config` trains from memory: `data.inMemory`, or for `auto` whether the packed size of this rank's
    /// shards (every row of the files, at most `features.maxConstituents` constituents each) is at most
    /// ``JetData/DataConfig/inMemoryLimit``.
    public static func holdsInMemory(config: RunConfig, communicator: Communicator = .solo) throws -> Bool {
        if let inMemory = config.data.inMemory { return inMemory }
        let stream = try TrainingData.openStream(config: config, split: nil)
        let (shardCount, owned) = try TrainingData.shardPlan(config: config, communicator: communicator)
        let valuesPerJet = stream.maxConstituents * config.features.constituentVariables.count
            + config.features.jetVariables.count
        let bytes = Double(stream.totalJets) * Double(owned.count) / Double(shardCount) * Double(valuesPerJet * 4)
        return bytes <= Double(DataConfig.inMemoryLimit)
    }
}

extension TrainingRun {
    /// A member's jets, in memory or streamed as ``StreamedTrainingData/holdsInMemory(config:communicator:)`` says.
    static func trainingJets(
        config: RunConfig, splits: (training: JetSplit, validation: JetSplit)?, features: FeatureSpec?,
        communicator: Communicator, progress: (String) -> Void
    ) throws -> any TrainingJets {
        guard try !StreamedTrainingData.holdsInMemory(config: config, communicator: communicator) else {
            return try TrainingData.load(config: config, splits: splits, features: features, communicator: communicator)
        }
        return try StreamedTrainingData.open(
            config: config, splits: splits, features: features, communicator: communicator, progress: progress)
    }
}

/// One shard's jets of one split, streamed: its ``ChunkPlan`` and what turns rows into network inputs.
final class StreamedShard: Sendable {
    let config: RunConfig
    let extractor: FeatureExtractor
    let split: JetSplit
    let plan: ChunkPlan

    init(config: RunConfig, extractor: FeatureExtractor, split: JetSplit, plan: ChunkPlan) {
        (self.config, self.extractor, self.split, self.plan) = (config, extractor, split, plan)
    }

    /// Appends the round's entries (in file order) to `set` as inputs with labels and weights, read from `stream`
    /// `data.readBatchSize` rows at a time, so that only the entries pile up.
    func read(_ round: ChunkPlan.Round, into set: inout JetSet, stream: JetStream, labelMap: ClassLabelMap) throws {
        for index in round.chunks {
            let chunk = plan.chunks[index]
            guard chunk.entries > 0 else { continue }
            var (jets, entries) = (0, 0)
            var row = chunk.rows.lowerBound
            while row < chunk.rows.upperBound && jets < chunk.jets {
                let rows = row..<min(row + config.data.readBatchSize, chunk.rows.upperBound)
                row = rows.upperBound
                var batch = try stream.read(fileIndex: chunk.file, rows: rows)
                if jets + batch.count > chunk.jets { batch = batch.gathering(Array(0..<(chunk.jets - jets))) }
                jets += batch.count
                let (kept, weights) = try plan.weighting.entries(batch, labels: labelMap, files: stream.files)
                entries += kept.count
                guard !kept.isEmpty else { continue }
                if kept != Array(0..<batch.count) { batch = batch.gathering(kept) }
                set.append(
                    try extractor.extractPacked(batch, files: stream.files),
                    labels: try batch.classLabels(field: config.data.labelField, labels: labelMap, files: stream.files),
                    weights: weights, eventNumbers: batch.eventNumbers, fields: [:])
            }
            guard jets == chunk.jets && entries == chunk.entries else {
                throw JetDataError.invalidOption(
                    "\(plan.files[chunk.file]): rows \(chunk.rows.lowerBound)..<\(chunk.rows.upperBound) hold "
                        + "\(jets) jets of the split now, \(chunk.jets) when training started (the file changed)")
            }
        }
    }
}

extension StreamedShard: RoundSource {
    func entryCount(of round: ChunkPlan.Round) -> Int { plan.entryCount(of: round) }

    func emptySet() -> JetSet {
        JetSet(featureCount: extractor.spec.constituentVariables.count, jetFeatureCount: extractor.spec.jetVariables.count)
    }

    func makeRoundReader() throws -> RoundReader {
        let stream = try TrainingData.openStream(config: config, split: split)
        let labelMap = try ClassLabelMap(classNames: config.classNames, labelMap: config.data.labelMap, files: stream.files)
        return { try self.read($0, into: &$1, stream: stream, labelMap: labelMap) }
    }
}

/// Where a ``StreamedParts`` reads its rounds: the files of a run (``StreamedShard``) or a reweighting's scratch
/// file (``ReweightingScratch``).
protocol RoundSource: Sendable {
    /// The entries (training copies) of `round`.
    func entryCount(of round: ChunkPlan.Round) -> Int
    /// A set of the source's feature counts without jets.
    func emptySet() -> JetSet
    /// A reader of rounds for one thread.
    func makeRoundReader() throws -> RoundReader
}

/// Appends a round's entries, in file order, to a set.
typealias RoundReader = (_ round: ChunkPlan.Round, _ set: inout JetSet) throws -> Void

extension RoundSource {
    /// `round` read by `reader` into `reused` (emptied, its storage kept: the set of a finished round) or into a new
    /// set, with the entries' order in the round.
    func read(_ round: ChunkPlan.Round, with reader: RoundReader, reusing reused: JetSet?) throws
        -> (set: JetSet, order: [Int])
    {
        var set = reused ?? emptySet()
        set.removeAll()
        try reader(round, &set)
        return (set, round.order(count: set.count))
    }
}

/// Parts cut from the rounds of a ``RoundSource``, read ahead by a thread of its own (the next round read while
/// the trainer uses the current one), so that reading and extraction overlap training: at most two rounds in memory, and a
/// finished round's storage is handed back to the thread to hold a later round, so that after the first rounds
/// nothing the size of a round is allocated again (memory then stays at the largest rounds'). The thread stops
/// when the reader is released.
final class StreamedParts: TrainingPartReader {
    private let size: Int
    private let queue: RoundQueue
    private var current: (set: JetSet, order: [Int])?
    private var cursor = 0

    init(source: any RoundSource, rounds: [ChunkPlan.Round], size: Int, skipping: Int) {
        self.size = size
        // Whole rounds before the first part are never read.
        var rounds = rounds[...]
        var skip = skipping
        while let first = rounds.first, source.entryCount(of: first) <= skip {
            skip -= source.entryCount(of: first)
            rounds = rounds.dropFirst()
        }
        cursor = skip
        queue = RoundQueue(source: source, rounds: Array(rounds))
    }

    deinit { queue.cancel() }

    func next() throws -> TrainingPart {
        var part = TrainingPart(
            jets: PackedJets(featureCount: 0, jetFeatureCount: 0), labels: [], weights: [], eventNumbers: [])
        var first = true
        while part.count < size {
            if current == nil || cursor == current!.order.count {
                if let finished = current?.set {
                    current = nil
                    queue.recycle(finished)
                    cursor = 0
                }
                guard let round = try queue.take() else { break }
                current = round
                continue
            }
            let (set, order) = current!
            let indices = order[cursor..<min(cursor + size - part.count, order.count)]
            cursor = indices.endIndex
            let jets = set.batch(indices)
            if first { part.jets = jets } else { part.jets.append(contentsOf: jets) }
            first = false
            part.labels += indices.map { set.labels[$0] }
            part.weights += indices.map { set.weights[$0] }
            part.eventNumbers += indices.map { set.eventNumbers[$0] }
        }
        return part
    }
}

/// The rounds a background thread has read, in order: it reads the next round while the trainer uses the
/// current one, then waits until that round is taken (so at most two rounds exist), refilling the set of the
/// round the trainer finished.
private final class RoundQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var ready: [Result<(set: JetSet, order: [Int]), Error>] = []
    private var recycled: JetSet?
    private var finished = false
    private var cancelled = false

    init(source: any RoundSource, rounds: [ChunkPlan.Round]) {
        let thread = Thread { [self] in
            do {
                let reader = try source.makeRoundReader()
                for round in rounds {
                    guard let spare = waitUntilTaken() else { return }
                    guard put(.success(try source.read(round, with: reader, reusing: spare))) else { return }
                }
            } catch {
                _ = put(.failure(error))
            }
            condition.withLock {
                finished = true
                recycled = nil
                condition.broadcast()
            }
        }
        thread.name = "jettag stream reader"
        thread.start()
    }

    /// Waits until no read round is waiting (the trainer took the last one); then the finished round's set to
    /// refill, if the trainer handed one back, or nil when the reader was released (`.none`).
    private func waitUntilTaken() -> JetSet?? {
        condition.withLock {
            while !ready.isEmpty && !cancelled { condition.wait() }
            guard !cancelled else { return .none }
            let spare = recycled
            recycled = nil
            return .some(spare)
        }
    }

    /// False when the reader was released.
    private func put(_ round: Result<(set: JetSet, order: [Int]), Error>) -> Bool {
        condition.withLock {
            guard !cancelled else { return false }
            ready.append(round)
            condition.broadcast()
            return true
        }
    }

    /// Hands a finished round's set back for the thread to refill (one is kept; any other, and every set once the
    /// thread has read its last round, is freed).
    func recycle(_ set: JetSet) {
        condition.withLock {
            if recycled == nil && !finished && !cancelled { recycled = set }
        }
    }

    /// The next round, nil after the last; rethrows the thread's error.
    func take() throws -> (set: JetSet, order: [Int])? {
        let next: Result<(set: JetSet, order: [Int]), Error>? = condition.withLock {
            while ready.isEmpty && !finished { condition.wait() }
            guard !ready.isEmpty else { return nil }
            condition.broadcast()
            return ready.removeFirst()
        }
        return try next?.get()
    }

    func cancel() {
        condition.withLock {
            cancelled = true
            recycled = nil
            condition.broadcast()
        }
    }
}
