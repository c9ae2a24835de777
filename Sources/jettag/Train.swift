import ArgumentParser
import Foundation
import JetTagKit

/// `jettag train --config C.yaml --out RUN/`: trains a tagger as the config says.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a jet tagger from a YAML run config.",
        discussion: """
            Writes RUN/model.h5 (the model with the lowest validation loss), RUN/last.h5 (a checkpoint after \
            every epoch), RUN/history.csv, RUN/history.json and RUN/config.json. SIGINT or SIGTERM finishes the \
            current step, writes RUN/last.h5 and exits with code 130; `jettag train --resume RUN/` continues \
            to the same model as an uninterrupted run. SIGUSR1 (Slurm's `--signal=USR1@SECONDS` warning) does \
            the same. With --resume-if-exists the same command starts the run or, when RUN/config.json exists \
            (a requeued batch job), continues it: see Configs/batch/train-mpi.sbatch.
            """)

    @Option(help: "The YAML run config.")
    var config: String?

    @Option(help: "The run directory to create.")
    var out: String?

    @Option(
        name: .customLong("set"),
        help: ArgumentHelp(
            "Override a config value, e.g. --set training.epochs=3 (repeatable).", valueName: "key.path=value"))
    var overrides: [String] = []

    @Option(help: ArgumentHelp("Continue the stopped run in this directory.", valueName: "RUN"))
    var resume: String?

    @Flag(
        name: .customLong("resume-if-exists"),
        help: "Continue the run in --out if it has one (of this same config), else start it: for requeued jobs.")
    var resumeIfExists = false

    @Flag(help: "No progress output.")
    var quiet = false

    @Flag(
        name: .customLong("print-config"),
        help: "Check the config, print it with every default filled in (JSON), and exit.")
    var printConfig = false

    @OptionGroup var htmlReport: ReportOptions

    func validate() throws {
        if resume != nil {
            guard config == nil, out == nil, overrides.isEmpty, !resumeIfExists else {
                throw ValidationError("--resume takes the run directory only (its config.json is used)")
            }
        } else {
            guard config != nil, out != nil else { throw ValidationError("give --config and --out (or --resume RUN)") }
        }
    }

    func run() throws {
        StopSignal.install()
        let run: TrainingRun
        if let resume {
            run = try TrainingRun(resuming: URL(fileURLWithPath: resume))
        } else if resumeIfExists {
            let found = try TrainingRun.resumingIfExists(
                config: try RunConfig.load(path: config!, overrides: overrides), configFile: config!,
                directory: URL(fileURLWithPath: out!))
            run = found.run
            if found.resumed && !quiet && !printConfig {
                FileHandle.standardError.write(Data("resuming the run in \(out!)\n".utf8))
            }
        } else {
            run = TrainingRun(
                config: try RunConfig.load(path: config!, overrides: overrides), directory: URL(fileURLWithPath: out!))
        }
        if printConfig {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(run.config), as: UTF8.self))
            return
        }
        let progress = TrainingProgress(epochs: run.config.training.epochs, quiet: quiet)
        do {
            let model = try run.run(
                progress: { progress.report(member: $0, members: $1, event: $2) },
                shouldStop: { stopRequested.load(ordering: .relaxed) })
            if !quiet {
                let path = run.directory.appendingPathComponent("model.h5").path
                FileHandle.standardError.write(
                    Data("wrote \(path) (\(model.tagger), classes \(model.classNames.joined(separator: ", ")))\n".utf8))
            }
            try htmlReport.write(for: run.directory.path)
        } catch let error as JetModelsError {
            guard case .interrupted = error else { throw error }
            FileHandle.standardError.write(Data("\n\(error)\n".utf8))
            throw ExitCode(130)
        }
    }
}
