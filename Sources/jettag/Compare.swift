import ArgumentParser
import Foundation
import JetTagKit

/// `jettag compare --scores A.h5 B.h5 ... --labels FILES --reference A --out DIR`: several taggers on the same jets.
struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare taggers on the same labelled jets: ROC with ratio panels, performance in bins, a table.",
        discussion: """
            Reads jettag predict outputs (--scores, or the one in each --runs directory) and the labelled jets \
            they were computed on (--labels; default: the first score file's inputs), checks that every file \
            holds the same jets (rows, jet_index, event_number), and writes DIR/compare.html (one self-contained \
            page), DIR/plots/<n>.svg, DIR/summary.csv, DIR/roc_<tagger>_<background>.csv, DIR/binned.csv and, \
            for more than two classes, DIR/fraction_scan.csv. Errors are binomial from effective counts \
            (sum w)^2 / sum w^2. Details: docs/COMPARE.md.
            """)

    @Option(parsing: .upToNextOption, help: "jettag predict outputs, one per tagger.")
    var scores: [String] = []

    @Option(parsing: .upToNextOption, help: "Run directories; each one's jettag predict output is compared (before --scores), named after the run.")
    var runs: [String] = []

    @Option(parsing: .upToNextOption, help: "The labelled jet files the scores were computed on (default: the first score file's inputs).")
    var labels: [String] = []

    @Option(help: "The tagger of the ratio panels (default: the first).")
    var reference: String?

    @Option(help: ArgumentHelp("Rename a tagger: default name (tagger attribute, file stem or run) = shown name.", valueName: "A=label"))
    var name: [String] = []

    @Option(help: "Output directory.")
    var out: String

    @Option(name: .customLong("signal-class"), help: "Signal class name (default: the last class).")
    var signalClass: String?

    @Option(help: "Background fractions of the multi-class discriminant, e.g. --fractions c=0.2,light=0.8.")
    var fractions: String?

    @Option(help: ArgumentHelp("Bins of a jet variable (pt, eta, mass, multiplicity or any jet field); repeat for several.", valueName: "var=e0,e1,..."))
    var bins: [String] = []

    @Option(name: .customLong("working-points"), help: "Signal efficiencies of the working points.")
    var workingPoints = "0.5,0.7,0.77"

    @Option(name: .customLong("wp-mode"), help: "inclusive: one cut for all jets; flat: one cut per bin with the WP's signal efficiency.")
    var wpMode: WorkingPointMode = .inclusive

    @Option(name: .customLong("label-field"), help: "Jet field with the class index.")
    var labelField = "label"

    @Option(name: .customLong("weight-field"), help: "Jet field with the event weights.")
    var weightField = "weight"

    @Flag(name: .customLong("no-weights"), help: "Give every jet weight 1.")
    var noWeights = false

    func validate() throws {
        guard !(scores.isEmpty && runs.isEmpty) else { throw ValidationError("give --scores or --runs (or both)") }
    }

    func run() throws {
        var renames: [String: String] = [:]
        for item in name {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ValidationError("--name '\(item)': expected default=shown, e.g. --name deepsets=PFN")
            }
            renames[parts[0]] = parts[1]
        }
        let targets = workingPoints.split(separator: ",").map { Double($0) }
        guard !targets.isEmpty, targets.allSatisfy({ $0 != nil }) else {
            throw ValidationError("--working-points '\(workingPoints)': expected comma-separated efficiencies")
        }
        let binnings = try bins.isEmpty ? [ComparisonRun.Binning(variable: "pt")] : bins.map(ComparisonRun.Binning.init(parsing:))
        let files = try runs.map { try ComparedTaggers.scoreFile(inRun: $0, labelFiles: labels) } + scores
        let taggers = try ComparedTaggers(
            scoreFiles: files, defaultNames: runs.map { URL(fileURLWithPath: $0).standardizedFileURL.lastPathComponent },
            names: renames, labelFiles: labels, labelField: labelField, weightField: noWeights ? nil : weightField,
            variables: binnings.map(\.variable))
        let summary = try ComparisonRun(
            taggers: taggers, reference: reference, signalClass: signalClass, fractions: fractions, binnings: binnings,
            workingPoints: targets.map { $0! }, mode: wpMode, directory: URL(fileURLWithPath: out)
        ).run()
        print("\(taggers.count) jets, signal \(summary.signalClass), reference \(summary.reference)")
        for row in summary.rows {
            let points = row.workingPoints.map { String(format: "1/eB(%.2f) %.1f +- %.1f", $0.signalEfficiency, $0.backgroundRejection, $0.backgroundRejectionError) }
            print("\(row.tagger) vs \(row.background): AUC \(String(format: "%.4f +- %.4f", row.auc, row.aucError))  " + points.joined(separator: "  "))
        }
        print("wrote \(summary.page.path)")
    }
}
