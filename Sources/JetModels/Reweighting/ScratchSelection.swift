import JetData
import JetFeatures

/// One classifier's training or validation jets in a ``ReweightingScratch``: the jets of some of its parts (in
/// part order) whose fold is kept, with the training weights of the in-memory path, rule for rule: the
/// negative-weight strategy, the flattening, the bootstrap count, then class balancing over the selection (or a
/// Neural Resampler's sign problem: ``Rule/signs``).
///
/// Like a ``ChunkPlan`` with the parts as files: each part's jets cut into C chunks, C = ceil(jets /
/// `data.shuffleBuffer`), per chunk its entry count only. Opening makes one pass over the weight columns (the
/// entry counts and the class sums).
final class ScratchSelection: RoundSource {
    struct Chunk: Sendable {
        var part: Int
        var jets: Range<Int>
        var entries = 0
    }

    struct Rule: Sendable {
        var strategy: NegativeWeightStrategy
        var flattening: WeightFlattening?
        var replica: BootstrapReplica?
        /// Folds kept (nil: all), by `event_number % modulus`.
        var folds: Set<Int>?
        var modulus: Int
        /// The Neural Resampler's sign problem (``NeuralResampler/signProblem(_:)``): label sign(w) > 0, weight |w|,
        /// not class-balanced; the strategy, flattening and replica do not apply.
        var signs = false

        /// The jet's label and weight before class balancing; nil when it is not selected.
        func entry(label: Int32, weight: Float, eventNumber: Int64, value: Float) -> (label: Int32, weight: Float)? {
            if let folds, !folds.contains(JetSplit.fold(of: eventNumber, modulus: modulus)) { return nil }
            if signs { return (weight > 0 ? 1 : 0, Swift.abs(weight)) }
            guard var weight = strategy.transformed(weight) else { return nil }
            if let flattening { weight = flattening.flattened(weight, value: value) }
            if let replica { weight *= Float(replica.count(sample: label, eventNumber: eventNumber)) }
            return (label, weight)
        }
    }

    let scratch: ReweightingScratch
    let parts: [Int]
    let rule: Rule
    let chunksPerPart: Int
    let chunks: [Chunk]
    let sums: BinaryClassifierTraining.ClassSums

    var entryCount: Int { chunks.reduce(0) { $0 + $1.entries } }

    init(scratch: ReweightingScratch, parts: [Int], rule: Rule, shuffleBuffer: Int) throws {
        (self.scratch, self.parts, self.rule) = (scratch, parts, rule)
        let total = parts.reduce(0) { $0 + scratch.parts[$1].jetCount }
        chunksPerPart = max(1, (total + shuffleBuffer - 1) / shuffleBuffer)
        var chunks: [Chunk] = []
        var sums = BinaryClassifierTraining.ClassSums()
        for part in parts {
            let count = scratch.parts[part].jetCount
            for k in 0..<chunksPerPart {
                chunks.append(Chunk(part: part, jets: (k * count / chunksPerPart)..<((k + 1) * count / chunksPerPart)))
            }
        }
        let reader = try ReweightingScratch.Reader(scratch)
        var chunk = 0
        for part in parts {
            let label = scratch.parts[part].label
            var first = 0
            for block in scratch.parts[part].blocks {
                let head = try reader.head(block)
                for jet in 0..<block.jets {
                    while chunks[chunk].part != part || !chunks[chunk].jets.contains(first + jet) { chunk += 1 }
                    guard let entry = rule.entry(
                        label: label, weight: head.weights[jet], eventNumber: head.eventNumbers[jet],
                        value: head.observable.isEmpty ? 0 : head.observable[jet])
                    else { continue }
                    chunks[chunk].entries += 1
                    sums.add(label: entry.label, weight: entry.weight)
                }
                first += block.jets
            }
        }
        if !rule.signs { try sums.check() }
        (self.chunks, self.sums) = (chunks, sums)
    }

    func entryCount(of round: ChunkPlan.Round) -> Int { round.chunks.reduce(0) { $0 + chunks[$1].entries } }

    /// The rounds of `epoch` (``ChunkPlan/rounds(fileCount:chunksPerFile:seed:epoch:shard:)``).
    func rounds(seed: UInt64, epoch: Int) -> [ChunkPlan.Round] {
        ChunkPlan.rounds(fileCount: parts.count, chunksPerFile: chunksPerPart, seed: seed, epoch: epoch, shard: 0)
    }

    /// Every chunk in order, not permuted (validation).
    func inOrder() -> [ChunkPlan.Round] { chunks.indices.map { ChunkPlan.Round(chunks: [$0], permutationSeed: nil) } }

    func emptySet() -> JetSet { JetSet(featureCount: scratch.featureCount, jetFeatureCount: scratch.jetFeatureCount) }

    func makeRoundReader() throws -> RoundReader {
        let reader = try ReweightingScratch.Reader(scratch)
        return { round, set in
            for index in round.chunks { try self.read(self.chunks[index], reader: reader, into: &set) }
        }
    }

    /// Appends the selected jets of `chunk`, with their training weights, to `set`.
    private func read(_ chunk: Chunk, reader: ReweightingScratch.Reader, into set: inout JetSet) throws {
        let part = scratch.parts[chunk.part]
        var first = 0
        var entries = 0
        for block in part.blocks {
            defer { first += block.jets }
            let (lower, upper) = (max(first, chunk.jets.lowerBound), min(first + block.jets, chunk.jets.upperBound))
            guard lower < upper else { continue }
            let selected = selection(of: try reader.contents(block, part: chunk.part), label: part.label, jets: (lower - first)..<(upper - first))
            entries += selected.count
            set.append(contentsOf: selected)
        }
        guard entries == chunk.entries else {
            throw JetModelsError.invalidData(
                "\(scratch.path): jets \(chunk.jets.lowerBound)..<\(chunk.jets.upperBound) of part \(chunk.part) select "
                    + "\(entries) jets now, \(chunk.entries) when training started (the scratch file changed)")
        }
    }

    /// The selected jets among `jets` of a block's `contents`, with their labels and training weights (class-balanced
    /// unless the rule is the sign problem's).
    private func selection(of contents: ReweightingScratch.Contents, label: Int32, jets: Range<Int>) -> JetSet {
        var (kept, labels, weights) = ([Int](), [Int32](), [Float]())
        for jet in jets {
            guard let entry = rule.entry(
                label: label, weight: contents.jets.weights[jet], eventNumber: contents.jets.eventNumbers[jet],
                value: contents.observable.isEmpty ? 0 : contents.observable[jet])
            else { continue }
            kept.append(jet)
            labels.append(entry.label)
            weights.append(rule.signs ? entry.weight : sums.balanced(entry.weight, label: entry.label))
        }
        var selected = contents.jets.subset(kept, weights: weights)
        selected.labels = labels
        return selected
    }

    /// The probabilities of `models` for every selected jet, in the selection's order (parts, then blocks), with its
    /// label and training weight: forwarded in the jet ranges of a forward over the whole selection at once, so equal,
    /// bit for bit, to ``JetSet/probabilities(models:)`` of the in-memory set. Holds 12 bytes per selected jet.
    func probabilities(models: [any JetModel]) throws -> (probabilities: [Float], labels: [Int32], weights: [Float]) {
        var (probabilities, labels, weights) = ([Float](), [Int32](), [Float]())
        var pending = emptySet()
        func forward(_ count: Int) throws {
            let head = Array(0..<count)
            let rest = Array(count..<pending.count)
            let jets = pending.subset(head, weights: head.map { pending.weights[$0] })
            probabilities += try jets.probabilities(models: models)
            labels += jets.labels
            weights += jets.weights
            pending = pending.subset(rest, weights: rest.map { pending.weights[$0] })
        }
        let reader = try ReweightingScratch.Reader(scratch)
        for part in parts {
            for block in scratch.parts[part].blocks {
                pending.append(contentsOf: selection(
                    of: try reader.contents(block, part: part), label: scratch.parts[part].label, jets: 0..<block.jets))
                try forward(pending.count / defaultJetsPerForward * defaultJetsPerForward)
            }
        }
        try forward(pending.count)
        return (probabilities, labels, weights)
    }
}

/// A classifier's training and validation jets streamed from a ``ReweightingScratch``: one data shard, read
/// ahead by a thread (``StreamedParts``), shuffled as ``StreamedTrainingData`` shuffles (so with a buffer covering
/// the selection the one round is the in-memory set in its order, permuted as ``TrainingData`` permutes).
struct ScratchTrainingJets: TrainingJets {
    let features: FeatureSpec
    let training: ScratchSelection
    let validation: ScratchSelection

    var shards: ShardLayout {
        ShardLayout(
            count: 1, owned: [0], trainingRanges: [0..<training.entryCount], validationRanges: [0..<validation.entryCount],
            trainingCounts: [training.entryCount])
    }

    func trainingParts(position: Int, epoch: Int, seed: UInt64, partSize: Int, from step: Int) throws
        -> any TrainingPartReader
    {
        StreamedParts(source: training, rounds: training.rounds(seed: seed, epoch: epoch), size: partSize, skipping: step * partSize)
    }

    func validationBatches(position: Int, batchSize: Int) throws -> any TrainingPartReader {
        StreamedParts(source: validation, rounds: validation.inOrder(), size: batchSize, skipping: 0)
    }
}
