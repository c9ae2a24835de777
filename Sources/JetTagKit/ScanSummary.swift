import Foundation
import JetMetrics
import JetReport

/// `jettag scan summarize SCAN/`: every trial of a scan directory, complete or not, in one table. Writes into the
/// directory `summary.csv`, `summary.html` (with `plots/<n>.svg`) and, for a random search with a complete trial,
/// `best.yaml` (the best trial's config).
///
/// The best trial has the lowest mean validation loss over its folds; a trial is "within one standard error" when
/// its mean is at most the best mean plus the best's standard error of the mean (the one-standard-error rule: any of
/// them is as good as the best within the folds' statistics). A random search draws the mean validation loss and
/// AUC (error bars: standard error) against each hyperparameter (log axis for `logUniform` keys); a learning curve
/// draws them against the number of training jets, one line per config.
public struct ScanSummary {
    /// The state of one trial.
    public enum Status: Equatable, Sendable {
        case complete(TrialResult)
        /// The trial's error message (`failure.txt`).
        case failed(String)
        /// A trial directory without `trial.json`: running, or killed (rerun the task to continue it).
        case incomplete
        /// No trial directory: never started.
        case missing

        public var name: String {
            switch self {
            case .complete: "complete"
            case .failed: "failed"
            case .incomplete: "incomplete"
            case .missing: "missing"
            }
        }
    }

    public let run: ScanRun
    public let statuses: [Status]

    /// Reads the scan in `directory`.
    ///
    /// - Throws: ``JetTagKitError/scanDirectory(path:reason:)`` without a readable `scan.json`.
    public init(directory: URL) throws {
        run = ScanRun(plan: try ScanRun.plan(in: directory), directory: directory)
        statuses = (0..<run.plan.trialCount).map { [run] index in
            if let result = run.result(of: index) { return .complete(result) }
            if let failure = run.failure(of: index) { return .failed(failure.trimmingCharacters(in: .whitespacesAndNewlines)) }
            return FileManager.default.fileExists(atPath: run.trialDirectory(index).path) ? .incomplete : .missing
        }
    }

    /// The complete trials' results.
    public var results: [TrialResult] {
        statuses.compactMap { if case .complete(let result) = $0 { result } else { nil } }
    }

    /// The trials that are not complete, with their status.
    public var unfinished: [(trial: Int, status: Status)] {
        statuses.enumerated().compactMap { index, status in
            if case .complete = status { nil } else { (index, status) }
        }
    }

    /// The trial with the lowest mean validation loss (the lower index on a tie).
    public var best: TrialResult? {
        results.min { ($0.validationLoss.mean, $0.trial) < ($1.validationLoss.mean, $1.trial) }
    }

    /// The complete trials whose mean validation loss is within one standard error of the best's.
    public var withinOneStandardError: [Int] {
        guard let best else { return [] }
        return results.filter { $0.validationLoss.mean <= best.validationLoss.mean + best.validationLoss.standardError }
            .map(\.trial)
    }

    /// The table: one row per trial, in order; numbers in full (`exact`, the CSV) or to 4 digits (the page).
    public func table(exact: Bool = true) -> HTMLReport.Table {
        let number: (Double) -> String = exact ? { "\($0)" } : format
        let keys = parameterKeys
        let header =
            ["trial", "status"] + (run.plan.isLearningCurve ? ["config"] : []) + keys
            + ["folds", "training_jets", "val_loss_mean", "val_loss_std", "val_loss_se", "auc_mean", "auc_std", "auc_se", "best", "within_1se"]
        let bestTrial = best?.trial
        let within = Set(withinOneStandardError)
        let rows = statuses.enumerated().map { index, status -> [String] in
            let values = run.plan.trial(index).values
            var row = [ScanRun.trialName(index), status.name]
            if run.plan.isLearningCurve { row.append(run.plan.configs[run.plan.trial(index).config]) }
            row += keys.map { key in
                values.first { $0.key == key }.map { item in
                    if case .double(let value) = item.value { number(value) } else { "\(item.value)" }
                } ?? ""
            }
            if case .complete(let r) = status {
                row += [
                    "\(r.folds.count)", number(r.trainingJets), number(r.validationLoss.mean),
                    number(r.validationLoss.standardDeviation), number(r.validationLoss.standardError), number(r.auc.mean),
                    number(r.auc.standardDeviation), number(r.auc.standardError),
                    index == bestTrial ? "yes" : "", within.contains(index) ? "yes" : "",
                ]
            } else {
                row += [String](repeating: "", count: 10)
            }
            return row
        }
        return HTMLReport.Table(header: header, rows: rows)
    }

    /// The scanned key paths, in order.
    private var parameterKeys: [String] {
        run.plan.space?.parameters.map(\.key) ?? ["training.trainFraction"]
    }

    /// Writes `summary.csv`, `summary.html`, `plots/` and `best.yaml`; returns the page's URL.
    @discardableResult
    public func write() throws -> URL {
        let table = table()
        let csv = CSVTable(
            textColumns: table.header.indices.map { column in
                CSVTable.TextColumn(name: table.header[column], values: table.rows.map { $0[column] })
            },
            columns: [])
        try AtomicFile.write(csv.text, to: run.directory.appendingPathComponent("summary.csv"))
        if !run.plan.isLearningCurve, let best {
            try AtomicFile.write(
                try String(contentsOf: run.trialDirectory(best.trial).appendingPathComponent("config.yaml"), encoding: .utf8),
                to: run.directory.appendingPathComponent("best.yaml"))
        }
        let page = html()
        let url = run.directory.appendingPathComponent("summary.html")
        try page.write(to: url)
        try page.writePlots(to: run.directory.appendingPathComponent("plots"))
        return url
    }

    /// The page.
    public func html() -> HTMLReport {
        let plan = run.plan
        var overview = [
            "\(plan.trialCount) trials, \(results.count) complete. "
                + (plan.isLearningCurve
                    ? "A learning curve: \(plan.configs.joined(separator: ", ")) at training fractions "
                        + plan.trainFractions!.map { "\($0)" }.joined(separator: ", ") + " (nested seeded subsets of each fold's training split)."
                    : "A random search over \(plan.spaceFile ?? "the space") for \(plan.configs[0]), seed \(plan.seed)."),
            "Each trial is a k-fold training (training.kfold, \(plan.defaultFolds) folds when the config sets none); its "
                + "score is the mean over the folds of the best epoch's validation loss and of the validation AUC, with "
                + "their standard deviation and standard error of the mean (se).",
        ]
        if let best {
            overview.append(
                "Best: \(ScanRun.trialName(best.trial)) (validation loss \(format(best.validationLoss.mean)) +- "
                    + "\(format(best.validationLoss.standardError)), AUC \(format(best.auc.mean)) +- \(format(best.auc.standardError)))"
                    + (plan.isLearningCurve ? "." : ", its config in best.yaml. ")
                    + "Within one standard error of it: \(withinOneStandardError.map(ScanRun.trialName).joined(separator: ", ")).")
        }
        var blocks = overview.map(HTMLReport.Block.paragraph)
        let unfinished = unfinished
        if !unfinished.isEmpty {
            blocks.append(.paragraph(
                "Not complete (rerun the scan, or the array tasks, to run or continue them): "
                    + unfinished.map { "\(ScanRun.trialName($0.trial)) \($0.status.name)" }.joined(separator: ", ") + "."))
            let failures = unfinished.compactMap { item -> [String]? in
                if case .failed(let message) = item.status { [ScanRun.trialName(item.trial), message] } else { nil }
            }
            if !failures.isEmpty { blocks.append(.table(HTMLReport.Table(header: ["trial", "error"], rows: failures))) }
        }
        blocks.append(.table(table(exact: false)))
        var sections = [HTMLReport.Section(title: "Trials", blocks: blocks)]
        if !results.isEmpty {
            sections.append(HTMLReport.Section(title: plan.isLearningCurve ? "Learning curve" : "Score against each hyperparameter", blocks: plots()))
        }
        return HTMLReport(title: "JetTag scan: \(run.directory.standardizedFileURL.lastPathComponent)", sections: sections)
    }

    /// Loss and AUC against each hyperparameter, or against the training jets.
    private func plots() -> [HTMLReport.Block] {
        let scores: [(name: String, value: (TrialResult) -> TrialResult.Spread)] = [
            ("mean validation loss", \.validationLoss), ("mean validation AUC", \.auc),
        ]
        if run.plan.isLearningCurve {
            return scores.map { score in
                let series = run.plan.configs.indices.flatMap { config -> [PlotSeries] in
                    let points = results.filter { run.plan.trial($0.trial).config == config }.sorted { $0.trainingJets < $1.trainingJets }
                    let (name, color) = (run.plan.configs[config], Plot.palette[config % Plot.palette.count])
                    let (x, y) = (points.map(\.trainingJets), points.map { score.value($0).mean })
                    return [
                        .line(name: name, x: x, y: y, color: color),
                        .points(name: "\(name) +- se", x: x, y: y, errors: points.map { score.value($0).standardError }, color: color),
                    ]
                }
                let plot = Plot(
                    title: "Learning curve: \(score.name)", xAxis: Axis(label: "training jets", scale: .logarithmic),
                    yAxis: Axis(label: score.name), series: series)
                return .figure(plot, caption: "The \(score.name) against the number of training jets (mean over the folds; "
                    + "error bars: standard error of the mean). Flat at the right: more data will not help; a gap between configs: "
                    + "the model's capacity matters.")
            }
        }
        let bestTrial = best?.trial
        return run.plan.space!.parameters.flatMap { parameter -> [HTMLReport.Block] in
            let choices: [ScanValue]? =
                if case .choice(let values) = parameter.distribution, values.contains(where: { $0.number == nil }) {
                    values
                } else { nil }
            func x(_ result: TrialResult) -> Double {
                let value = result.values[parameter.key]!
                return choices.map { Double($0.firstIndex(of: value) ?? 0) } ?? value.number ?? 0
            }
            let isLog = if case .logUniform = parameter.distribution { true } else { false }
            return scores.map { score in
                let others = results.filter { $0.trial != bestTrial }
                let best = results.filter { $0.trial == bestTrial }
                let plot = Plot(
                    title: "\(score.name) against \(parameter.key)",
                    xAxis: Axis(
                        label: parameter.key + (choices == nil ? "" : " (choice index)"), scale: isLog ? .logarithmic : .linear,
                        range: choices.map { -0.5...(Double($0.count) - 0.5) }),
                    yAxis: Axis(label: score.name),
                    series: [
                        .points(name: "trials", x: others.map(x), y: others.map { score.value($0).mean }, errors: others.map { score.value($0).standardError }),
                        .points(name: "best", x: best.map(x), y: best.map { score.value($0).mean }, errors: best.map { score.value($0).standardError }, color: "#d62728"),
                    ])
                let legend = choices.map { values in
                    " Choices: " + values.enumerated().map { "\($0.offset) = \($0.element)" }.joined(separator: ", ") + "."
                } ?? ""
                return .figure(plot, caption: "The \(score.name) (error bars: standard error over the folds) against "
                    + "\(parameter.key) (\(parameter.distribution.name)).\(legend)")
            }
        }
    }

    private func format(_ value: Double) -> String { String(format: "%.4g", value) }
}
