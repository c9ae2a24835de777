import JetData
import JetFeatures

/// Applies a trained reweighting run to jets: new weight = old weight * f / (1 - f) * normalisation, with f the
/// classifier's target probability (see ``DensityRatio``), batch by batch.
///
/// ```swift
/// var reweighter = try Reweighter(modelPath: "run/model.h5")
/// let stream = try JetStream(files: inputs, options: try reweighter.readOptions(batchSize: 10_000, threads: 1))
/// var counts = DensityRatio.Counts()
/// while let batch = try stream.next() { let (weights, f, _) = try reweighter.reweight(batch, counts: &counts) }
/// ```
public struct Reweighter {
    public let info: ReweightingInfo
    private let scorer: JetScorer
    /// One per weight variation (empty unless asked for).
    private let variationScorers: [JetScorer]
    private let inputs: ObservableInputs

    /// Reads the model file of a reweighting run (``ModelFile/readReweighting(from:)``).
    ///
    /// - Parameter variations: also compute the weight variations (``ReweightingInfo/variations``).
    /// - Throws: ``JetModelsError/invalidModelFile(file:reason:)`` with `variations` for a model without them.
    public init(modelPath: String, variations: Bool = false) throws {
        let (model, info) = try ModelFile.readReweighting(from: modelPath)
        self.info = info
        scorer = try JetScorer(file: model)
        variationScorers = variations ? try model.variationModels(path: modelPath).map { try JetScorer(file: $0) } : []
        inputs = ObservableInputs(features: model.features)
    }

    /// The number of weight variations ``reweight(_:globalRows:counts:)`` returns.
    public var variationCount: Int { variationScorers.count }

    /// The jet field holding the old weights (the source sample's).
    public var weightField: String { info.config.source.weightField }

    /// Read options for the classifier's inputs and the old weight.
    public func readOptions(split: JetSplit? = nil, batchSize: Int, threads: Int) throws -> JetReadOptions {
        try inputs.readOptions(jetFields: [weightField], split: split, batchSize: batchSize, threads: threads)
    }

    /// New weights [B] for the jets of `batch` (which must carry ``weightField``), the classifier's target
    /// probabilities f [B], and the weights [B] of each variation (``variationCount``, each with its own density
    /// ratio); the nominal's clipping and capping are added to `counts`. With `globalRows` (each jet's row in the
    /// concatenated inputs) the classifier runs on fixed blocks of them, as ``JetScorer/score(_:features:globalRows:files:)``
    /// does, so any batching and sharding on block boundaries gives the same bits.
    public mutating func reweight(
        _ batch: JetBatch, globalRows: [Int64]? = nil, counts: inout DensityRatio.Counts
    ) throws -> (weights: [Float], targetProbabilities: [Float], variations: [[Float]]) {
        guard let old = batch.jetFields[weightField] else {
            throw JetModelsError.invalidData("the jets have no weight field '\(weightField)' (the reweighting run's source.weightField)")
        }
        let augmented = try inputs.augmented(batch)
        let features = try scorer.extractor.extractPacked(augmented)
        let f = try scorer.score(augmented, features: features, globalRows: globalRows).column(1)
        var variationCounts = DensityRatio.Counts()
        let variations = try zip(variationScorers, info.variations?.densityRatios ?? []).map { scorer, ratio in
            ratio.weights(
                old: old, scores: try scorer.score(augmented, features: features, globalRows: globalRows).column(1),
                counts: &variationCounts)
        }
        return (info.densityRatio.weights(old: old, scores: f, counts: &counts), f, variations)
    }
}
