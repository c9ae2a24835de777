import ArgumentParser
import Foundation
import JetTagKit

/// `jettag scan [run] ...` (the default) and `jettag scan summarize SCAN/`.
struct Scan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Random hyperparameter search or learning curve, each trial a k-fold training.",
        subcommands: [ScanTrials.self, ScanSummarize.self], defaultSubcommand: ScanTrials.self)
}

/// `jettag scan --config C.yaml --space S.yaml --trials N --out SCAN/`: a random hyperparameter search (or, with
/// `--train-fraction`, a learning curve), each trial a k-fold training; `jettag scan summarize SCAN/` tabulates it.
struct ScanTrials: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the trials of a scan (the default of jettag scan).",
        discussion: """
            Trial i's values depend only on --seed and i. Every trial writes only SCAN/trial-NNN/ (config.yaml, \
            run/, and trial.json when complete); a complete trial is skipped when run again, an interrupted one \
            continues its run. Without --trial all trials run in this process; with --trial i, or in a Slurm \
            array task (SLURM_ARRAY_TASK_ID relative to SLURM_ARRAY_TASK_MIN), only trial i. A config without \
            training.kfold is trained with 3 folds. Details: docs/SCAN.md.
            """)

    @Option(help: "The YAML run config (repeat with --train-fraction for one learning curve per config).")
    var config: [String] = []

    @Option(help: "The YAML scan space: key.path: {logUniform: [a, b]} | {uniform: [a, b]} | {intUniform: [a, b]} | {choice: [...]}.")
    var space: String?

    @Option(help: "Number of random-search trials.")
    var trials: Int?

    @Option(help: "Seed of the trials' values.")
    var seed: UInt64 = 0

    @Option(name: .customLong("train-fraction"), help: ArgumentHelp("A learning curve at these fractions of the training split.", valueName: "f1,f2,..."))
    var trainFraction: String?

    @Option(help: "Run only this trial (default: SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN in an array task, else all).")
    var trial: Int?

    @Option(help: "The scan directory.")
    var out: String?

    @Option(
        name: .customLong("set"),
        help: ArgumentHelp("Override a value of every config, e.g. --set training.epochs=3 (repeatable).", valueName: "key.path=value"))
    var overrides: [String] = []

    @Flag(help: "No progress output.")
    var quiet = false

    func validate() throws {
        guard !config.isEmpty, out != nil else { throw ValidationError("give --config and --out") }
        if trainFraction != nil {
            guard space == nil, trials == nil else {
                throw ValidationError("--train-fraction makes a learning curve: give it without --space and --trials")
            }
        } else {
            guard space != nil, trials != nil else { throw ValidationError("give --space and --trials (or --train-fraction)") }
            guard config.count == 1 else { throw ValidationError("a random search takes one --config") }
        }
    }

    func run() throws {
        let plan: ScanPlan
        if let trainFraction {
            let fractions = try trainFraction.split(separator: ",").map { text in
                guard let value = Double(text.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("--train-fraction '\(trainFraction)': expected comma-separated fractions")
                }
                return value
            }
            plan = try ScanPlan.learningCurve(configs: config, overrides: overrides, fractions: fractions)
        } else {
            plan = try ScanPlan.search(config: config[0], overrides: overrides, spaceFile: space!, trials: trials!, seed: seed)
        }
        let scan = ScanRun(plan: plan, directory: URL(fileURLWithPath: out!))
        try scan.prepare()
        StopSignal.install()
        var current: (trial: Int, progress: TrainingProgress)?
        func progress(_ index: Int, _ member: Int, _ members: Int, _ event: Trainer.Event) {
            if current?.trial != index {
                let epochs = (try? plan.config(trial: index).training.epochs) ?? 0
                current = (index, TrainingProgress(epochs: epochs, quiet: quiet))
            }
            current!.progress.report(member: member, members: members, event: event)
        }
        func describe(_ index: Int) -> String {
            let (config, values) = plan.trial(index)
            return "\(ScanRun.trialName(index))" + (plan.configs.count > 1 ? " \(plan.configs[config])" : "") + ": "
                + values.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
        func report(_ index: Int, _ result: Result<ScanRun.Outcome, any Error>) {
            switch result {
            case .success(let outcome):
                let r = outcome.result
                let skipped = if case .skipped = outcome { " (complete already)" } else { "" }
                print(
                    describe(index) + String(
                        format: "  val loss %.4f +- %.4f (se)  AUC %.4f +- %.4f  %d folds, %.0f training jets",
                        r.validationLoss.mean, r.validationLoss.standardError, r.auc.mean, r.auc.standardError,
                        r.folds.count, r.trainingJets) + skipped)
            case .failure(let error):
                print("\(describe(index))  FAILED: \(error)")
            }
        }
        do {
            if let (index, source) = try ScanRun.requestedTrial(trial) {
                let outcome = try scan.run(
                    trial: index, source: source, progress: { progress(index, $0, $1, $2) },
                    shouldStop: StopSignal.requested)
                report(index, .success(outcome))
            } else {
                let failed = try scan.runAll(
                    progress: progress, finished: report,
                    shouldStop: StopSignal.requested)
                guard failed.isEmpty else {
                    FileHandle.standardError.write(Data(
                        ("Error: \(failed.count) of \(plan.trialCount) trials failed (\(failed.map(ScanRun.trialName).joined(separator: ", "))"
                            + "; see their failure.txt); run again to retry them\n").utf8))
                    throw ExitCode(1)
                }
            }
        } catch let error as JetModelsError {
            guard case .interrupted = error else { throw error }
            FileHandle.standardError.write(Data("\n\(error)\n".utf8))
            throw ExitCode(130)
        }
    }
}

/// `jettag scan summarize SCAN/`: the table, plots and best config of a scan.
struct ScanSummarize: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summarize",
        abstract: "Tabulate a scan: SCAN/summary.csv, SCAN/summary.html (+ plots/), SCAN/best.yaml.",
        discussion: "Lists trials that are missing, incomplete or failed instead of failing. Details: docs/SCAN.md.")

    @Argument(help: "The scan directory.")
    var directory: String

    func run() throws {
        let summary = try ScanSummary(directory: URL(fileURLWithPath: directory))
        let page = try summary.write()
        print("\(summary.results.count) of \(summary.run.plan.trialCount) trials complete")
        for (index, status) in summary.unfinished {
            let message = if case .failed(let message) = status { ": \(message)" } else { "" }
            print("\(ScanRun.trialName(index)): \(status.name)\(message)")
        }
        if let best = summary.best {
            print(
                String(format: "best: %@ (val loss %.4f +- %.4f, AUC %.4f +- %.4f); within one standard error: %@",
                    ScanRun.trialName(best.trial), best.validationLoss.mean, best.validationLoss.standardError,
                    best.auc.mean, best.auc.standardError,
                    summary.withinOneStandardError.map(ScanRun.trialName).joined(separator: ", ")))
        }
        print("wrote \(page.path)")
    }
}
