import JetData
import JetFeatures
import JetModels

/// A model file applied to labelled jets, batch by batch: each batch with its jets' class labels, event weights
/// and class probabilities. The reading `jettag evaluate`, `saliency` and `report` share.
struct LabelledJetStream {
    let scorer: JetScorer
    /// The jet field with the class index.
    let labelField: String
    /// The jet field with the event weights; nil for unit weights.
    let weightField: String?
    private let jets: ShardedJets
    private let labels: ClassLabelMap

    /// The rows of the inputs read.
    var rows: OutputRows { jets.rows }

    /// One batch: the jets and, for each, its index in the concatenated inputs, label, event weight and
    /// probabilities.
    struct Batch {
        var jets: JetBatch
        var indices: [Int64]
        var labels: [Int32]
        var weights: [Float]
        /// The standardised network inputs of `jets`.
        var features: PackedFeatureBatch
        var scores: JetScorer.Scores
    }

    /// Opens `files` for the model's inputs and the label and weight fields, checking the files' `label_names`
    /// against the model's class names (through the training config's `data.labelMap`).
    ///
    /// - Parameters:
    ///   - labelField: the jet field with the class index; nil for the training config's `data.labelField`.
    ///   - part: the jets read, by the model's own split.
    ///   - split: the jets read, instead of `part` (a k-fold member's validation fold); nil for `part`.
    ///   - selection: a cut on jet fields applied with `part`; nil for none.
    ///   - shard: only this shard's rows of the inputs (``Shard/rows(of:blockSize:)``); nil reads all. Jets are
    ///     scored in blocks of their rows in the concatenated inputs, so a jet gets the same bits in any shard.
    ///   - monteCarloDropout: score with Monte-Carlo dropout (masks by the jets' rows in the concatenated
    ///     inputs, so also the same in any shard); nil for none.
    ///   - modelPath: the model file's path, named in errors.
    init(
        model: ModelFile, files: [String], labelField: String? = nil, weights: EventWeights, part: DataPart,
        split: JetSplit? = nil, selection: JetSelection? = nil, shard: Shard? = nil, batchSize: Int, threads: Int,
        monteCarloDropout: MonteCarloDropout? = nil, modelPath: String = "the model file"
    ) throws {
        scorer = try JetScorer(file: model, monteCarloDropout: monteCarloDropout, path: modelPath)
        let config = model.trainingConfig
        let labelField = labelField ?? config.data.labelField
        self.labelField = labelField
        weightField = weights.field(for: config)
        var options = scorer.readOptions(batchSize: batchSize, threads: threads)
        for field in [labelField] + (weightField.map { [$0] } ?? []) where !options.jetFields.contains(field) {
            options.jetFields.append(field)
        }
        options.split = split ?? part.split(in: config)
        options.selection = selection
        jets = try ShardedJets(files: files, options: options, shard: shard)
        labels = try ClassLabelMap(classNames: model.classNames, labelMap: config.data.labelMap, files: jets.files)
    }

    /// The next batch, cut to its first `limit` jets; nil at the end or when `limit` is 0.
    ///
    /// - Throws: `JetModelsError.invalidData` naming file, row and value of a label that is not a class index.
    func next(limit: Int = .max) throws -> Batch? {
        guard limit > 0, var (batch, indices) = try jets.next() else { return nil }
        if batch.count > limit {
            batch = batch.gathering(Array(0..<limit))
            indices = Array(indices.prefix(limit))
        }
        let labels = try batch.classLabels(field: labelField, labels: labels, files: jets.files)
        let features = try scorer.extractor.extractPacked(batch, files: jets.files)
        return Batch(
            jets: batch, indices: indices, labels: labels,
            weights: weightField.map { batch.jetFields[$0]! } ?? [Float](repeating: 1, count: batch.count),
            features: features,
            scores: try scorer.score(batch, features: features, globalRows: indices, files: jets.files))
    }
}
