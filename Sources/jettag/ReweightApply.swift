import ArgumentParser
import Foundation
import JetTagKit

/// `jettag reweight apply --model M FILES --out OUT.h5`: new weights aligned with the input rows.
struct ReweightApply: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Write reweighted event weights for jets.",
        discussion: """
            Writes a 1-D compound dataset 'jets' with jet_index (the jet's position in the input files, in order), \
            event_number, weight (the new weight: old weight x f/(1-f) x normalisation) and classifier_output (f), \
            streaming in batches, under a temporary name renamed when complete (SIGINT, SIGTERM or SIGUSR1 removes it and exits \
            with code 130). Classifier outputs clipped to \
            [eps, 1-eps] and ratios capped are counted and printed. With --variations, also weight_var0, weight_var1, \
            ...: the weight of each ensemble member (training.ensemble) or bootstrap replica (reweighting.bootstrap), \
            each with its own normalisation and the nominal's clipping, for propagating the reweighting's \
            statistical uncertainty as weight variations.
            """)

    @Option(help: "The reweighting model (RUN/model.h5).")
    var model: String

    @Argument(help: "Input HDF5 files (the source sample).")
    var files: [String]

    @Option(help: "The output file.")
    var out: String

    @Option(help: ArgumentHelp("This job's part, i/N (i from 0); default from SLURM_ARRAY_TASK_ID/COUNT.", valueName: "i/N"))
    var shard: Shard?

    @Option(name: .customLong("batch-size"), help: "Jets per batch (memory is bounded by it).")
    var batchSize = 10_000

    @Option(help: "Threads for reading and BLAS.")
    var threads = 1

    @Flag(help: "Also write one weight per ensemble member or bootstrap replica (weight_var<i>).")
    var variations = false

    @Flag(help: "No summary output.")
    var quiet = false

    func validate() throws {
        guard batchSize > 0, threads > 0 else { throw ValidationError("--batch-size and --threads must be positive") }
    }

    func run() throws {
        let run = ReweightApplyRun(
            model: model, files: files, out: out, shard: try Shard.resolved(shard), batchSize: batchSize, threads: threads,
            variations: variations)
        let counts = try StopSignal.runningStoppable { try run.run(shouldStop: $0) }
        if !quiet {
            FileHandle.standardError.write(Data(
                ("wrote \(out): \(counts.jets) jets; classifier output clipped below eps: \(counts.clippedLow), above 1-eps: "
                    + "\(counts.clippedHigh); ratio capped: \(counts.capped)\n").utf8))
        }
    }
}
