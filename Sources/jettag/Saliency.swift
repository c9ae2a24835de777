import ArgumentParser
import Foundation
import JetMetrics
import JetModels
import JetNN
import JetReport
import JetSaliency

/// `jettag saliency --model M FILES --out DIR`: which inputs the tagger's output is sensitive to.
struct Saliency: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Saliency maps of a trained tagger: gradients and integrated gradients per constituent rank and feature.",
        discussion: """
            Differentiates the logit (binary model) or the discriminant log(p_s / mean p_other) (multi-class) with \
            respect to the standardised inputs and averages the signed and absolute gradients over all jets, each \
            class, jets with exactly N constituents (--multiplicity) and jets passing or failing a working point \
            (--working-point: the score cut at that signal efficiency). --ig-steps adds integrated gradients with \
            a completeness check. Writes DIR/saliency.json, one CSV per map (gradient_<selection>.csv, \
            integrated_gradients_<selection>.csv, jet_<index>.csv) and signed and absolute heatmaps as SVG. For a \
            k-fold or ensemble model file the first member is differentiated.
            """)

    @Option(help: "The model file (RUN/model.h5).")
    var model: String

    @Argument(help: "Labelled input HDF5 files.")
    var files: [String]

    @Option(help: "Output directory.")
    var out: String

    @Option(name: .customLong("max-jets"), help: "Jets to analyse (read from the start of the files).")
    var maxJets = 5_000

    @Option(help: ArgumentHelp("Also average over jets with exactly N constituents (repeatable).", valueName: "N"))
    var multiplicity: [Int] = []

    @Option(
        name: .customLong("working-point"),
        help: ArgumentHelp("Also average over jets passing and failing the score cut at this signal efficiency (repeatable).", valueName: "eff"))
    var workingPoint: [Double] = []

    @Option(name: .customLong("ig-steps"), help: "Integrated-gradients steps (0: gradient saliency only).")
    var igSteps = 0

    @Option(
        name: .customLong("ig-baseline"),
        help: ArgumentHelp("Integrated-gradients baseline: one standardised value per feature, comma-separated (default all 0).", valueName: "v1,v2,..."))
    var igBaseline: String?

    @Option(help: ArgumentHelp("Keep the map of the jet at this position (repeatable).", valueName: "INDEX"))
    var jet: [Int] = []

    @Option(name: .customLong("signal-class"), help: "Signal class name (default: the last class).")
    var signalClass: String?

    @Option(help: "Threads for reading and BLAS.")
    var threads = 1

    func validate() throws {
        guard maxJets > 0 else { throw ValidationError("--max-jets must be positive") }
        guard igSteps >= 0 else { throw ValidationError("--ig-steps must be 0 or positive") }
        if let bad = multiplicity.first(where: { $0 < 1 }) { throw ValidationError("--multiplicity \(bad): expected 1 or more") }
        if let bad = workingPoint.first(where: { !($0 > 0 && $0 <= 1) }) {
            throw ValidationError("--working-point \(bad): expected a signal efficiency in (0, 1]")
        }
        if let bad = jet.first(where: { $0 < 0 || $0 >= maxJets }) {
            throw ValidationError("--jet \(bad): expected an index in 0..<\(maxJets) (--max-jets)")
        }
    }

    func run() throws {
        ComputeThreads.set(threads)
        guard FileManager.default.fileExists(atPath: model) else { throw ValidationError("model file \(model) does not exist") }
        let file = try ModelFile.read(from: model)
        let data = try ScoredJets.read(files: files, model: file, maxJets: maxJets, signalClass: signalClass, threads: threads)
        let featureNames = file.features.constituentVariables.map(\.name)
        let options = SaliencyOptions(
            target: data.discriminant.map { .discriminant($0) } ?? .binaryLogit, featureNames: featureNames,
            maxConstituents: file.features.maxConstituents, selections: try selections(data),
            jetIndices: jet.filter { $0 < data.jets.count },
            integratedGradients: igSteps > 0 ? IntegratedGradientsOptions(steps: igSteps, baseline: try baseline(featureCount: featureNames.count)) : nil)
        var network = try file.makeModels()[0]
        var analysis = try SaliencyAnalysis(options: options)
        try analysis.add(model: &network, jets: data.jets.batch(0..<data.jets.count), labels: data.labels, scores: data.scores)
        let report = analysis.report
        try SaliencyOutput(report: report).write(to: URL(fileURLWithPath: out))
        print(SaliencyOutput.summary(report))
    }

    /// All jets, each class, the asked multiplicities, and passing/failing each working point.
    private func selections(_ data: ScoredJets) throws -> [SaliencySelection] {
        var selections: [SaliencySelection] = [.all]
        selections += data.classNames.enumerated().map { SaliencySelection.label($0, name: "\($1) jets") }
        selections += multiplicity.map { SaliencySelection.multiplicity($0) }
        if !workingPoint.isEmpty {
            let roc = try data.rocCurve()
            for efficiency in workingPoint {
                let cut = try roc.workingPoint(signalEfficiency: efficiency).threshold
                let label = String(format: "%g%% signal efficiency", efficiency * 100)
                selections.append(.passing(threshold: cut, name: "passing \(label) (score >= \(String(format: "%.4g", cut)))"))
                selections.append(.failing(threshold: cut, name: "failing \(label) (score < \(String(format: "%.4g", cut)))"))
            }
        }
        return selections
    }

    private func baseline(featureCount: Int) throws -> [Float]? {
        guard let igBaseline else { return nil }
        let values = igBaseline.split(separator: ",").map { Float($0.trimmingCharacters(in: .whitespaces)) }
        guard values.count == featureCount, values.allSatisfy({ $0 != nil }) else {
            throw ValidationError("--ig-baseline '\(igBaseline)': expected \(featureCount) comma-separated numbers, one per input feature")
        }
        return values.map { $0! }
    }
}
