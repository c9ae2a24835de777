import ArgumentParser
import Foundation
import JetData
import JetModels
import JetNN

/// `jettag predict --model M FILES --out OUT.h5`: per-jet class probabilities aligned with the input rows.
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score jets with a trained model.",
        discussion: """
            Writes a 1-D compound dataset 'jets' with jet_index (the jet's position in the input files, in \
            order), event_number and <tagger>_p<class> (plus <tagger>_p<class>_std for a seed ensemble), \
            streaming in batches; each output is written under a temporary name and renamed when complete. \
            With --out the shard splits the rows of all inputs; with --out-dir (one OUT per input, same file \
            name) it splits the file list.
            """)

    @Option(help: "The model file (RUN/model.h5).")
    var model: String

    @Argument(help: "Input HDF5 files.")
    var files: [String]

    @Option(help: "One output file for all inputs.")
    var out: String?

    @Option(name: .customLong("out-dir"), help: "A directory for one output per input file.")
    var outDirectory: String?

    @Option(
        help: ArgumentHelp("This job's part, i/N (i from 0); default from SLURM_ARRAY_TASK_ID/COUNT.", valueName: "i/N")
    )
    var shard: Shard?

    @Option(name: .customLong("batch-size"), help: "Jets per batch (memory is bounded by it).")
    var batchSize = 10_000

    @Option(help: "Threads for reading and BLAS.")
    var threads = 1

    func validate() throws {
        guard (out == nil) != (outDirectory == nil) else {
            throw ValidationError("give exactly one of --out and --out-dir")
        }
        guard batchSize > 0, threads > 0 else { throw ValidationError("--batch-size and --threads must be positive") }
    }

    func run() throws {
        ComputeThreads.set(threads)
        let scorer = try JetScorer(file: try ModelFile.read(from: model))
        let shard = shard ?? Shard.fromSlurm() ?? Shard(index: 0, count: 1)
        if let out {
            try write(files, to: out, rows: shard, scorer: scorer)
        } else {
            try FileManager.default.createDirectory(atPath: outDirectory!, withIntermediateDirectories: true)
            for file in shard.items(files) {
                let name = URL(fileURLWithPath: file).lastPathComponent
                try write(
                    [file], to: URL(fileURLWithPath: outDirectory!).appendingPathComponent(name).path, rows: nil,
                    scorer: scorer)
            }
        }
    }

    /// Scores `inputs` as one stream into `path`, keeping the shard's rows when `rows` is given (only the files
    /// holding those rows are read).
    private func write(_ inputs: [String], to path: String, rows: Shard?, scorer: JetScorer) throws {
        let jets = try ShardedJets(
            files: inputs, options: scorer.readOptions(batchSize: batchSize, threads: threads), shard: rows)
        let prefix = scorer.file.tagger
        let classNames = scorer.file.classNames
        let ensemble = scorer.file.combination.hasSpread
        var fields = classNames.map { "\(prefix)_p\($0)" }
        if ensemble { fields += classNames.map { "\(prefix)_p\($0)_std" } }
        let writer = try JetOutputWriter(
            path: path, fields: fields,
            attributes: [
                "model": model, "tagger": prefix, "class_names": classNames.joined(separator: ","),
                "inputs": inputs.joined(separator: ","),
            ])
        while let (batch, indices) = try jets.next() {
            let scores = try scorer.score(batch)
            var values: [String: [Float]] = [:]
            for (c, name) in classNames.enumerated() {
                values["\(prefix)_p\(name)"] = scores.column(c)
                if ensemble { values["\(prefix)_p\(name)_std"] = scores.spreadColumn(c) }
            }
            try writer.append(jetIndices: indices, eventNumbers: batch.eventNumbers, values: values)
        }
        try writer.finish()
    }
}
