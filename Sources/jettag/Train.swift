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
            (a requeued batch job), continues it: see Configs/batch/train-mpi.sbatch. Under `mpirun -np N` or `srun` (or with --mpi) the N ranks train one model \
            (training.dataShards, training.distribute); rank 0 writes the run files, and an error on any rank \
            ends the whole job (MPI_Abort) with the rank in the message.
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

    @Flag(help: "Use MPI (Open MPI's libmpi.so.40) even when no launcher variables (OMPI_COMM_WORLD_SIZE, PMIX_RANK, PMI_RANK) are set.")
    var mpi = false

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
        let communicator = try Communicator.world(force: mpi)
        do {
            try train(communicator: communicator)
            communicator.finalize()
        } catch let error as JetModelsError where communicator.size > 1 {
            guard case .interrupted = error else { abort(communicator, error) }
            communicator.finalize()
            throw ExitCode(130)
        } catch where communicator.size > 1 {
            abort(communicator, error)
        }
    }

    /// Ends every rank of the job after printing `error` with this rank.
    private func abort(_ communicator: Communicator, _ error: any Error) -> Never {
        FileHandle.standardError.write(
            Data("Error: rank \(communicator.rank) of \(communicator.size): \(error)\n".utf8))
        communicator.abort(code: error is JetTagKitError ? 64 : 1)
    }

    private func train(communicator: Communicator) throws {
        let run: TrainingRun
        if let resume {
            run = try TrainingRun(resuming: URL(fileURLWithPath: resume), communicator: communicator)
        } else if resumeIfExists {
            let found = try TrainingRun.resumingIfExists(
                config: try RunConfig.load(path: config!, overrides: overrides), configFile: config!,
                directory: URL(fileURLWithPath: out!), communicator: communicator)
            run = found.run
            if found.resumed && !quiet && !printConfig {
                FileHandle.standardError.write(Data("resuming the run in \(out!)\n".utf8))
            }
        } else {
            run = TrainingRun(
                config: try RunConfig.load(path: config!, overrides: overrides), directory: URL(fileURLWithPath: out!),
                communicator: communicator)
        }
        if printConfig {
            guard communicator.rank == 0 else { return }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(run.config), as: UTF8.self))
            return
        }
        let quiet = quiet || communicator.rank != 0
        let progress = TrainingProgress(epochs: run.config.training.epochs, quiet: quiet)
        do {
            let model = try run.run(
                progress: { progress.report(member: $0, members: $1, event: $2) },
                shouldStop: { stopRequested.load(ordering: .relaxed) })
            if !quiet {
                let path = run.directory.appendingPathComponent("model.h5").path
                FileHandle.standardError.write(
                    Data("wrote \(path) (\(model.tagger), classes \(model.classNames.joined(separator: ", ")))\n".utf8))
                if communicator.usesMPI {
                    let phases = communicator.collectiveTime.sorted { $0.key < $1.key }.map {
                        String(format: "%@ %.3f s in %d calls", $0.key, $0.value.seconds, $0.value.calls)
                    }
                    FileHandle.standardError.write(
                        Data("MPI: \(communicator.size) ranks; rank 0 in collectives: \(phases.joined(separator: ", "))\n".utf8))
                }
            }
            if communicator.rank == 0 { try htmlReport.write(for: run.directory.path) }
        } catch let error as JetModelsError {
            guard case .interrupted = error else { throw error }
            if communicator.rank == 0 { FileHandle.standardError.write(Data("\n\(error)\n".utf8)) }
            guard communicator.size == 1 else { throw error }
            throw ExitCode(130)
        }
    }
}
