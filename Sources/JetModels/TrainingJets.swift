import JetFeatures
import JetNN

/// The jets a ``Trainer`` trains on, by data shard: held in memory (``TrainingData``) or read from the files as
/// training goes (``StreamedTrainingData``). Both give a shard's jets in the same order for the same seed when the
/// stream's shuffle buffer covers the split, so they train the same model.
public protocol TrainingJets {
    /// The spec with every centre and scale set (what the model file stores).
    var features: FeatureSpec { get }
    /// The data shards this process holds and their jet counts.
    var shards: ShardLayout { get }
    /// The parts of held shard `position` (an index into `shards.owned`) in `epoch`: consecutive runs of
    /// `partSize` jets of the shard's seeded epoch order, starting with part `step`.
    func trainingParts(position: Int, epoch: Int, seed: UInt64, partSize: Int, from step: Int) throws
        -> any TrainingPartReader
    /// The validation jets of held shard `position` in file order, `batchSize` at a time.
    func validationBatches(position: Int, batchSize: Int) throws -> any TrainingPartReader
}

/// Jets of one step's part (or one validation batch) packed for a model, with their labels, training weights and
/// event numbers (which tell where a jet came from).
public struct TrainingPart {
    public var jets: PackedJets
    public var labels: [Int32]
    public var weights: [Float]
    public var eventNumbers: [Int64]

    public var count: Int { labels.count }
}

/// Parts read one after another.
public protocol TrainingPartReader: AnyObject {
    /// The next part: the reader's part size, fewer jets at the end, none after it.
    func next() throws -> TrainingPart
}

extension TrainingData: TrainingJets {
    public func trainingParts(position: Int, epoch: Int, seed: UInt64, partSize: Int, from step: Int) throws
        -> any TrainingPartReader
    {
        let range = shards.trainingRanges[position]
        let order = Trainer.permutation(count: range.count, seed: seed, epoch: epoch, shard: shards.owned[position])
        return HeldParts(set: training, order: order.map { $0 + range.lowerBound }, size: partSize, from: step * partSize)
    }

    public func validationBatches(position: Int, batchSize: Int) throws -> any TrainingPartReader {
        HeldParts(set: validation, order: Array(shards.validationRanges[position]), size: batchSize, from: 0)
    }
}

/// Parts of a held ``JetSet`` in a given order.
private final class HeldParts: TrainingPartReader {
    let set: JetSet
    let order: [Int]
    let size: Int
    var cursor = 0

    init(set: JetSet, order: [Int], size: Int, from start: Int) {
        (self.set, self.order, self.size, cursor) = (set, order, size, min(start, order.count))
    }

    func next() throws -> TrainingPart {
        let indices = order[cursor..<min(cursor + size, order.count)]
        cursor = indices.endIndex
        return TrainingPart(
            jets: set.batch(indices), labels: indices.map { set.labels[$0] }, weights: indices.map { set.weights[$0] },
            eventNumbers: indices.map { set.eventNumbers[$0] })
    }
}
