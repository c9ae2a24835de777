import Foundation
import JetCore
import JetData
import JetMetrics
import JetModels

/// What a `jettag scan` directory trains: a random search over a ``ScanSpace`` for one config, or a learning
/// curve (every config at every training fraction). Written as `SCAN/scan.json` by the first task; every later
/// task checks that it asks for the same scan.
public struct ScanPlan: Codable, Equatable, Sendable {
    /// The base configs (paths as given) and the SHA-256 of each file, so an edited config is noticed.
    public var configs: [String]
    public var configDigests: [String]
    /// `--set` overrides applied to every config before the trial's values.
    public var overrides: [String]
    /// The random search's space (nil for a learning curve) and its file.
    public var space: ScanSpace?
    public var spaceFile: String?
    /// The learning curve's fractions of the training split (nil for a random search).
    public var trainFractions: [Double]?
    /// The seed of the trials' values (not of their training, which is each config's `training.seed`).
    public var seed: UInt64
    public var trialCount: Int
    /// The folds of a config without `training.kfold`.
    public var defaultFolds: Int

    /// The folds of a config that does not set `training.kfold`.
    public static let defaultFoldCount = 3

    /// A random search of `trials` trials over `space` for the config at `config`.
    ///
    /// - Throws: ``JetTagKitError`` for an unreadable config or space file, a bad space and a non-positive count.
    public static func search(
        config: String, overrides: [String] = [], spaceFile: String, trials: Int, seed: UInt64
    ) throws -> ScanPlan {
        guard trials > 0 else {
            throw JetTagKitError.invalidScanOption(option: "--trials", value: "\(trials)", reason: "expected a positive number of trials")
        }
        return ScanPlan(
            configs: [config], configDigests: [try digest(config)], overrides: overrides,
            space: try ScanSpace.load(path: spaceFile), spaceFile: spaceFile, trainFractions: nil, seed: seed,
            trialCount: trials, defaultFolds: defaultFoldCount)
    }

    /// A learning curve: each config trained at each fraction (trial c F + f is config c at fraction f).
    ///
    /// - Throws: ``JetTagKitError/invalidScanOption(option:value:reason:)`` for fractions outside (0, 1], not
    ///   increasing, or none.
    public static func learningCurve(configs: [String], overrides: [String] = [], fractions: [Double]) throws -> ScanPlan {
        let text = fractions.map { "\($0)" }.joined(separator: ",")
        guard !fractions.isEmpty, fractions.allSatisfy({ $0 > 0 && $0 <= 1 }), zip(fractions, fractions.dropFirst()).allSatisfy({ $0 < $1 })
        else {
            throw JetTagKitError.invalidScanOption(
                option: "--train-fraction", value: text, reason: "expected increasing fractions in (0, 1], e.g. 0.1,0.25,0.5,1")
        }
        guard !configs.isEmpty else {
            throw JetTagKitError.invalidScanOption(option: "--config", value: "", reason: "give at least one config")
        }
        return ScanPlan(
            configs: configs, configDigests: try configs.map(digest), overrides: overrides, space: nil, spaceFile: nil,
            trainFractions: fractions, seed: 0, trialCount: configs.count * fractions.count,
            defaultFolds: defaultFoldCount)
    }

    private static func digest(_ path: String) throws(JetTagKitError) -> String {
        guard let digest = try? SHA256.hexDigest(ofFileAt: path) else { throw .unreadableConfigFile(path: path) }
        return digest
    }

    /// Whether this is a learning curve (else a random search).
    public var isLearningCurve: Bool { trainFractions != nil }

    /// Trial `index`'s base config (an index into ``configs``) and values, in key order.
    public func trial(_ index: Int) -> (config: Int, values: [(key: String, value: ScanValue)]) {
        if let fractions = trainFractions {
            return (index / fractions.count, [("training.trainFraction", .double(fractions[index % fractions.count]))])
        }
        return (0, space!.values(seed: seed, trial: index))
    }

    /// Trial `index`'s config tree: the base config with the overrides, the trial's values set as `--set` sets
    /// them, and `training.kfold` set to ``defaultFolds`` when the config has none.
    public func configTree(trial index: Int) throws -> [String: Any] {
        let (config, values) = trial(index)
        var tree = try ConfigFile.tree(path: configs[config], overrides: overrides)
        for (key, value) in values { try ConfigFile.applyOverride(path: key, value: value.treeValue, to: &tree) }
        if (tree["training"] as? [String: Any])?["kfold"] == nil {
            try ConfigFile.applyOverride(path: "training.kfold", value: defaultFolds, to: &tree)
        }
        return tree
    }

    /// Trial `index`'s run config: what ``configTree(trial:)`` decodes to.
    ///
    /// - Throws: `JetModelsError` naming the key path of a value the config does not take (an unknown key in the
    ///   space, a wrong type), with the config file and trial; ``JetTagKitError/scanDirectory(path:reason:)`` for a
    ///   config with `training.ensemble` (a trial is a k-fold training).
    public func config(trial index: Int) throws -> RunConfig {
        let origin = configs[trial(index).config] + (spaceFile.map { " with trial \(index) of \($0)" } ?? "")
        let config = try RunConfig.load(tree: try configTree(trial: index), file: origin)
        guard config.training.ensemble == nil else {
            throw JetTagKitError.invalidScanOption(
                option: "--config", value: configs[trial(index).config],
                reason: "sets training.ensemble; a scan trial is a k-fold training (training.kfold)")
        }
        return config
    }
}

/// The result of one trial, written as `SCAN/trial-NNN/trial.json` when the trial is complete.
public struct TrialResult: Codable, Equatable, Sendable {
    /// One fold's validation scores.
    public struct Fold: Codable, Equatable, Sendable {
        public var fold: Int
        /// The best epoch's validation loss (the lowest, or at the best accuracy with `checkpointMetric: accuracy`).
        public var validationLoss: Double
        /// The ROC AUC of `model.h5` (the best epoch) on the fold's validation jets.
        public var auc: Double
        public var bestEpoch: Int
        public var trainingJets: Int
        public var validationJets: Int
    }

    /// Mean, sample standard deviation and standard error of the mean of a score over the folds.
    public struct Spread: Codable, Equatable, Sendable {
        public var mean: Double
        public var standardDeviation: Double
        public var standardError: Double

        public init(_ values: [Double]) {
            let n = Double(values.count)
            let mean = values.reduce(0, +) / n
            let variance = values.count > 1 ? values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1) : 0
            self.mean = mean
            standardDeviation = variance.squareRoot()
            standardError = standardDeviation / n.squareRoot()
        }
    }

    public var trial: Int
    /// The base config file.
    public var config: String
    /// The trial's values by key path.
    public var values: [String: ScanValue]
    public var folds: [Fold]
    public var validationLoss: Spread
    public var auc: Spread
    /// Mean over the folds of the training jets.
    public var trainingJets: Double
}

/// `jettag scan`: one trial (or all) of a ``ScanPlan`` in a scan directory. Trial i writes only
/// `SCAN/trial-NNN/`: `config.yaml` (its config), `run/` (the k-fold ``TrainingRun``), and, when complete,
/// `trial.json` (``TrialResult``, written atomically: the mark of completion). A failed trial writes
/// `failure.txt` instead. Running a complete trial again does nothing; an incomplete one continues its run (finished
/// folds are kept, an interrupted fold continues from its `last.h5`).
public struct ScanRun {
    public let plan: ScanPlan
    public let directory: URL

    public init(plan: ScanPlan, directory: URL) {
        self.plan = plan
        self.directory = directory
    }

    /// `trial-007`.
    public static func trialName(_ index: Int) -> String { String(format: "trial-%03d", index) }

    public func trialDirectory(_ index: Int) -> URL { directory.appendingPathComponent(Self.trialName(index)) }

    /// Checks every trial's config (so an unknown key or bad value stops the scan before any training) and writes
    /// `scan.json`, or checks that the one there describes the same scan.
    ///
    /// - Throws: ``JetTagKitError/scanDirectory(path:reason:)`` when `scan.json` describes another scan; the
    ///   config errors of ``ScanPlan/config(trial:)``.
    public func prepare() throws {
        for index in 0..<plan.trialCount { _ = try plan.config(trial: index) }
        let url = directory.appendingPathComponent("scan.json")
        // Compared as bytes (one encoder, sorted keys): a decoded 1.0 in a choice would come back as the integer 1.
        let bytes = try Self.encoder.encode(plan)
        func check(_ existing: Data) throws {
            guard existing == bytes else {
                throw JetTagKitError.scanDirectory(
                    path: directory.path,
                    reason: "its scan.json describes another scan (other configs, config contents, space, seed, "
                        + "trials or fractions); give a new --out")
            }
        }
        if let existing = try? Data(contentsOf: url) { return try check(existing) }
        try FileSystemError.wrapping(path: directory.path, action: "cannot create the scan directory") {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
        do {
            try AtomicFile.write(bytes, to: url)
        } catch {
            // Array tasks on other nodes write the same file at the same time: if this write fails, theirs will do.
            guard let existing = try? Data(contentsOf: url) else { throw error }
            try check(existing)
        }
    }

    /// Reads the plan of an existing scan directory.
    ///
    /// - Throws: ``JetTagKitError/scanDirectory(path:reason:)`` without a readable `scan.json`.
    public static func plan(in directory: URL) throws -> ScanPlan {
        let url = directory.appendingPathComponent("scan.json")
        guard let data = try? Data(contentsOf: url) else {
            throw JetTagKitError.scanDirectory(path: directory.path, reason: "has no scan.json (was it made by jettag scan?)")
        }
        do {
            return try JSONDecoder().decode(ScanPlan.self, from: data)
        } catch {
            throw JetTagKitError.scanDirectory(path: directory.path, reason: "scan.json cannot be read: \(error)")
        }
    }

    /// The result of a complete trial; nil when the trial has no `trial.json`.
    public func result(of index: Int) -> TrialResult? {
        let url = trialDirectory(index).appendingPathComponent("trial.json")
        return (try? Data(contentsOf: url)).flatMap { try? JSONDecoder().decode(TrialResult.self, from: $0) }
    }

    /// Trial `index`'s failure message (`failure.txt`), nil when it has none.
    public func failure(of index: Int) -> String? {
        try? String(contentsOf: trialDirectory(index).appendingPathComponent("failure.txt"), encoding: .utf8)
    }

    /// What ``run(trial:progress:shouldStop:)`` did.
    public enum Outcome {
        /// The trial was complete already.
        case skipped(TrialResult)
        case trained(TrialResult)

        public var result: TrialResult {
            switch self {
            case .skipped(let result), .trained(let result): result
            }
        }
    }

    /// Runs trial `index` (call ``prepare()`` first): skips it when complete, else trains (or continues) its
    /// k-fold run, scores every fold on its validation jets and writes `trial.json`. An error other than an
    /// interruption is written to `failure.txt` and thrown.
    ///
    /// - Throws: ``JetTagKitError/trialOutOfRange(trial:count:source:)`` for an index outside the plan; the
    ///   training's errors (`JetModelsError.interrupted` for a stop request).
    public func run(
        trial index: Int, source: String = "--trial", progress: (Int, Int, Trainer.Event) -> Void = { _, _, _ in },
        shouldStop: () -> Bool = { false }
    ) throws -> Outcome {
        guard (0..<plan.trialCount).contains(index) else {
            throw JetTagKitError.trialOutOfRange(trial: index, count: plan.trialCount, source: source)
        }
        if let result = result(of: index) { return .skipped(result) }
        let trialDirectory = trialDirectory(index)
        let failureURL = trialDirectory.appendingPathComponent("failure.txt")
        do {
            let config = try plan.config(trial: index)
            try FileSystemError.wrapping(path: trialDirectory.path, action: "cannot create the trial directory") {
                try FileManager.default.createDirectory(at: trialDirectory, withIntermediateDirectories: true)
            }
            try? FileManager.default.removeItem(at: failureURL)
            try AtomicFile.write(
                try ConfigFile.yaml(try plan.configTree(trial: index)), to: trialDirectory.appendingPathComponent("config.yaml"))
            let run = TrainingRun(config: config, directory: trialDirectory.appendingPathComponent("run"))
            try run.run(progress: progress, shouldStop: shouldStop)
            let result = TrialResult(
                trial: index, config: plan.configs[plan.trial(index).config],
                values: Dictionary(uniqueKeysWithValues: plan.trial(index).values.map { ($0.key, $0.value) }),
                folds: try Self.scoreFolds(config: config, run: run.directory))
            try AtomicFile.write(try Self.encoder.encode(result), to: trialDirectory.appendingPathComponent("trial.json"))
            return .trained(result)
        } catch let error as JetModelsError {
            if case .interrupted = error { throw error }
            try? AtomicFile.write("\(error)\n", to: failureURL)
            throw error
        } catch {
            try? AtomicFile.write("\(error)\n", to: failureURL)
            throw error
        }
    }

    /// The trial one task runs: `given` (`--trial`), else the Slurm array task's index (``Shard/fromSlurm(_:)``:
    /// `SLURM_ARRAY_TASK_ID` relative to `SLURM_ARRAY_TASK_MIN`), with the name of where it came from; nil for
    /// all trials in this process.
    public static func requestedTrial(
        _ given: Int?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> (index: Int, source: String)? {
        if let given { return (given, "--trial") }
        return try Shard.fromSlurm(environment).map { ($0.index, "the Slurm array task (SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN)") }
    }

    /// Runs every trial in order (complete ones are skipped), going on after a failed trial; `finished` gets each
    /// trial's outcome or error. Stops at an interruption (`JetModelsError.interrupted`, thrown).
    ///
    /// - Returns: the trials that failed.
    @discardableResult
    public func runAll(
        progress: (Int, Int, Int, Trainer.Event) -> Void = { _, _, _, _ in },
        finished: (Int, Result<Outcome, any Error>) -> Void = { _, _ in }, shouldStop: () -> Bool = { false }
    ) throws -> [Int] {
        var failed: [Int] = []
        for index in 0..<plan.trialCount {
            do {
                let outcome = try run(
                    trial: index, progress: { progress(index, $0, $1, $2) }, shouldStop: shouldStop)
                finished(index, .success(outcome))
            } catch let error as JetModelsError {
                if case .interrupted = error { throw error }
                failed.append(index)
                finished(index, .failure(error))
            } catch {
                failed.append(index)
                finished(index, .failure(error))
            }
        }
        return failed
    }

    /// Each fold's best validation loss (from its `last.h5`) and the AUC of its `model.h5` on its validation fold
    /// (the jets training validated on: `event_number % k == (fold + 1) % k`, with `data.selection` and at most
    /// `data.maxJets` jets, event weights as trained).
    static func scoreFolds(config: RunConfig, run: URL) throws -> [TrialResult.Fold] {
        let k = config.training.kfold!
        return try (0..<k).map { fold in
            let member = run.appendingPathComponent("fold\(fold)")
            let lastPath = member.appendingPathComponent("last.h5").path
            guard let state = try ModelFile.read(from: lastPath).trainingState,
                let loss = state.history.first(where: { $0.epoch == state.bestEpoch })?.validationLoss
            else {
                throw JetModelsError.invalidModelFile(file: lastPath, reason: "it has no training state with a best epoch")
            }
            let model = try ModelFile.read(from: member.appendingPathComponent("model.h5").path)
            let signal = try SignalScore(classNames: model.classNames)
            let stream = try LabelledJetStream(
                model: model, files: config.data.files, weights: .asTrained, part: .all,
                split: .eventNumber(modulus: k, folds: [(fold + 1) % k]),
                selection: try config.data.selection.map { try JetSelection($0) }, batchSize: config.data.readBatchSize,
                threads: config.training.threads)
            var (probabilities, labels, weights) = ([Float](), [Int](), [Float]())
            var remaining = config.data.maxJets ?? .max
            while let batch = try stream.next(limit: remaining) {
                remaining -= batch.jets.count
                probabilities += batch.scores.probabilities
                labels += batch.labels.map(Int.init)
                weights += batch.weights
            }
            let roc = try ROCCurve(
                scores: try signal.scores(probabilities: probabilities), labels: labels, signalClass: signal.signalClass,
                weights: weights)
            return TrialResult.Fold(
                fold: fold, validationLoss: loss, auc: roc.auc, bestEpoch: state.bestEpoch,
                trainingJets: state.trainingJets ?? 0, validationJets: labels.count)
        }
    }

    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}

extension TrialResult {
    /// The result with the spreads computed from `folds`.
    init(trial: Int, config: String, values: [String: ScanValue], folds: [Fold]) {
        self.init(
            trial: trial, config: config, values: values, folds: folds,
            validationLoss: Spread(folds.map(\.validationLoss)), auc: Spread(folds.map(\.auc)),
            trainingJets: Double(folds.map(\.trainingJets).reduce(0, +)) / Double(folds.count))
    }
}
