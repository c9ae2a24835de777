import ArgumentParser
import Foundation
import JetTagKit

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
        let report = try SaliencyRun(
            model: model, files: files, directory: URL(fileURLWithPath: out), maxJets: maxJets,
            multiplicities: multiplicity, workingPoints: workingPoint, integratedGradientSteps: igSteps,
            baseline: igBaseline, keptJets: jet, signalClass: signalClass, threads: threads
        ).run()
        print(SaliencyOutput.summary(report))
    }
}
