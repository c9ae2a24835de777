import Foundation
import JetCore
import JetData
import JetModels
import JetNN

/// `jettag predict`: per-jet class probabilities of a model, aligned with the input rows, streamed in batches
/// into files of the ``ScoreSchema`` (each written under a temporary name and renamed when complete).
public struct PredictionRun {
    /// Where the scores go.
    public enum Output: Equatable, Sendable {
        /// One file for all inputs; the shard splits the rows of all inputs.
        case file(String)
        /// One file per input in this directory, with the input's file name; the shard splits the file list.
        case directory(String)
    }

    /// The model file.
    public var model: String
    public var files: [String]
    public var output: Output
    public var shard: Shard
    /// Jets per batch (memory is bounded by it).
    public var batchSize: Int
    /// Threads for reading and BLAS (JetNN's `ComputeThreads`).
    public var threads: Int
    /// Stochastic passes with dropout on, written as the mean and `_std` per class; nil for none.
    public var monteCarloDropout: MonteCarloDropout?

    public init(
        model: String, files: [String], output: Output, shard: Shard = .whole, batchSize: Int = 10_000,
        threads: Int = 1, monteCarloDropout: MonteCarloDropout? = nil
    ) {
        (self.model, self.files, self.output, self.shard, self.batchSize, self.threads) =
            (model, files, output, shard, batchSize, threads)
        self.monteCarloDropout = monteCarloDropout
    }

    /// Scores the inputs; returns the paths written. `shouldStop` is asked between batches: when it says yes,
    /// the output being written is abandoned (its temporary file removed) and the run throws
    /// ``JetTagKitError/interrupted(output:)`` (outputs already complete stay).
    @discardableResult
    public func run(shouldStop: () -> Bool = { false }) throws -> [String] {
        ComputeThreads.set(threads)
        let file = try ModelFile.read(from: model)
        try file.require(.tagger, path: model, command: "jettag predict")
        let scorer = try JetScorer(file: file, monteCarloDropout: monteCarloDropout, path: model)
        switch output {
        case .file(let path):
            try write(files, to: path, rows: shard, scorer: scorer, shouldStop: shouldStop)
            return [path]
        case .directory(let directory):
            try FileSystemError.wrapping(path: directory, action: "cannot create the output directory") {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            return try shard.items(files).map { file in
                let path = URL(fileURLWithPath: directory).appendingPathComponent(
                    URL(fileURLWithPath: file).lastPathComponent
                ).path
                try write([file], to: path, rows: nil, scorer: scorer, shouldStop: shouldStop)
                return path
            }
        }
    }

    /// Scores `inputs` as one stream into `path`, keeping the shard's rows when `rows` is given (only the files
    /// holding those rows are read).
    private func write(
        _ inputs: [String], to path: String, rows: Shard?, scorer: JetScorer, shouldStop: () -> Bool
    ) throws {
        let jets = try ShardedJets(
            files: inputs, options: scorer.readOptions(batchSize: batchSize, threads: threads), shard: rows)
        let schema = ScoreSchema(scorer: scorer)
        let writer = try JetOutputWriter(
            path: path, fields: schema.fields, attributes: schema.attributes(model: model, inputs: inputs, rows: jets.rows))
        while let (batch, indices) = try jets.next() {
            try writer.stopIfAsked(shouldStop)
            let scores = try scorer.score(batch, globalRows: indices, files: jets.files)
            try writer.append(jetIndices: indices, eventNumbers: batch.eventNumbers, values: schema.values(scores))
        }
        try writer.finish()
    }
}
