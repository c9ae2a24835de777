import JetData
import JetModels
import JetNN

/// `jettag reweight apply`: new event weights of a reweighting run for the jets of the source sample, aligned
/// with the input rows, streamed in batches into a file of the ``WeightSchema`` (under a temporary name, renamed
/// when complete).
public struct ReweightApplyRun {
    /// The reweighting run's model file.
    public var model: String
    public var files: [String]
    /// The output file.
    public var out: String
    /// The part of the rows of all inputs written.
    public var shard: Shard
    /// Jets per batch (memory is bounded by it).
    public var batchSize: Int
    /// Threads for reading and BLAS (JetNN's `ComputeThreads`).
    public var threads: Int
    /// Also write one weight per variation (`weight_var<i>`, ``WeightSchema``); the model must have them.
    public var variations: Bool

    public init(
        model: String, files: [String], out: String, shard: Shard = .whole, batchSize: Int = 10_000, threads: Int = 1,
        variations: Bool = false
    ) {
        (self.model, self.files, self.out, self.shard, self.batchSize, self.threads, self.variations) =
            (model, files, out, shard, batchSize, threads, variations)
    }

    /// Writes the weights; returns how many jets were weighted and how many of the nominal classifier's outputs
    /// were clipped and ratios capped. `shouldStop` is asked between batches: when it says yes, the output is abandoned (its
    /// temporary file removed) and the run throws ``JetTagKitError/interrupted(output:)``.
    @discardableResult
    public func run(shouldStop: () -> Bool = { false }) throws -> DensityRatio.Counts {
        ComputeThreads.set(threads)
        var reweighter = try Reweighter(modelPath: model, variations: variations)
        let schema = WeightSchema(
            variations: reweighter.variationCount, variationKind: variations ? reweighter.info.variations?.kind.rawValue : nil)
        let jets = try ShardedJets(
            files: files, options: try reweighter.readOptions(batchSize: batchSize, threads: threads), shard: shard)
        let writer = try JetOutputWriter(
            path: out, fields: schema.fields, attributes: schema.attributes(model: model, inputs: files, rows: jets.rows))
        var counts = DensityRatio.Counts()
        while let (batch, indices) = try jets.next() {
            try writer.stopIfAsked(shouldStop)
            let (weights, f, variations) = try reweighter.reweight(batch, globalRows: indices, counts: &counts)
            try writer.append(
                jetIndices: indices, eventNumbers: batch.eventNumbers,
                values: schema.values(weights: weights, classifierOutputs: f, variations: variations))
        }
        try writer.finish()
        return counts
    }
}
