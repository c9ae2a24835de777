import ArgumentParser
import JetTagKit

/// `jettag predict --model M FILES --out OUT.h5`: per-jet class probabilities aligned with the input rows.
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score jets with a trained model.",
        discussion: """
            Writes a 1-D compound dataset 'jets' with jet_index (the jet's position in the input files, in \
            order), event_number and <tagger>_p<class> (plus <tagger>_p<class>_std for a seed ensemble or \
            --mc-dropout N: the standard deviation over the members or passes, the probability being their mean), \
            streaming in batches; each output is written under a temporary name and renamed when complete \
            (SIGINT, SIGTERM or SIGUSR1 removes the unfinished one and exits with code 130). \
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

    @OptionGroup var monteCarloDropout: MonteCarloDropoutOptions

    func validate() throws {
        guard (out == nil) != (outDirectory == nil) else {
            throw ValidationError("give exactly one of --out and --out-dir")
        }
        guard batchSize > 0, threads > 0 else { throw ValidationError("--batch-size and --threads must be positive") }
    }

    func run() throws {
        let run = PredictionRun(
            model: model, files: files, output: out.map(PredictionRun.Output.file) ?? .directory(outDirectory!),
            shard: try Shard.resolved(shard), batchSize: batchSize, threads: threads,
            monteCarloDropout: try monteCarloDropout.resolved())
        try StopSignal.runningStoppable { try run.run(shouldStop: $0) }
    }
}
