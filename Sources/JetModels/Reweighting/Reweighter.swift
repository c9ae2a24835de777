import JetData
import JetFeatures

/// Applies a trained reweighting run to jets: new weight = old weight * f / (1 - f) * normalisation, with f the
/// classifier's target probability (see ``DensityRatio``), batch by batch.
///
/// ```swift
/// var reweighter = try Reweighter(modelPath: "run/model.h5")
/// let stream = try JetStream(files: inputs, options: try reweighter.readOptions(batchSize: 10_000, threads: 1))
/// var counts = DensityRatio.Counts()
/// while let batch = try stream.next() { let (weights, f) = try reweighter.reweight(batch, counts: &counts) }
/// ```
public struct Reweighter {
    public let info: ReweightingInfo
    private let scorer: JetScorer
    private let inputs: ObservableInputs

    /// Reads the model file of a reweighting run (``ModelFile/readReweighting(from:)``).
    public init(modelPath: String) throws {
        let (model, info) = try ModelFile.readReweighting(from: modelPath)
        self.info = info
        scorer = try JetScorer(file: model)
        inputs = ObservableInputs(features: model.features)
    }

    /// The jet field holding the old weights (the source sample's).
    public var weightField: String { info.config.source.weightField }

    /// Read options for the classifier's inputs and the old weight.
    public func readOptions(split: JetSplit? = nil, batchSize: Int, threads: Int) throws -> JetReadOptions {
        try inputs.readOptions(jetFields: [weightField], split: split, batchSize: batchSize, threads: threads)
    }

    /// New weights [B] for the jets of `batch` (which must carry ``weightField``) and the classifier's target
    /// probabilities f [B]; clipping and capping are added to `counts`. With `globalRows` (each jet's row in the
    /// concatenated inputs) the classifier runs on fixed blocks of them, as ``JetScorer/score(_:features:globalRows:files:)``
    /// does, so any batching and sharding on block boundaries gives the same bits.
    public mutating func reweight(
        _ batch: JetBatch, globalRows: [Int64]? = nil, counts: inout DensityRatio.Counts
    ) throws -> (weights: [Float], targetProbabilities: [Float]) {
        guard let old = batch.jetFields[weightField] else {
            throw JetModelsError.invalidData("the jets have no weight field '\(weightField)' (the reweighting run's source.weightField)")
        }
        let f = try scorer.score(try inputs.augmented(batch), globalRows: globalRows).column(1)
        return (info.densityRatio.weights(old: old, scores: f, counts: &counts), f)
    }
}
