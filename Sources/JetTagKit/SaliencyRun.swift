import Foundation
import JetMetrics
import JetModels
import JetNN
import JetReport
import JetSaliency

/// `jettag saliency`: which inputs a tagger's output is sensitive to. Differentiates the logit (binary model) or
/// the discriminant log(p_s / mean p_other) (multi-class) with respect to the standardised inputs of the first
/// `maxJets` jets, averaged over all jets, each class, jets with exactly N constituents and jets passing or
/// failing working points, optionally with integrated gradients; for a k-fold or ensemble model file the first
/// member is differentiated. Writes the ``SaliencyOutput`` files (`saliency.json`, CSVs, heatmaps).
public struct SaliencyRun {
    /// The model file.
    public var model: String
    /// Labelled input HDF5 files.
    public var files: [String]
    /// The output directory.
    public var directory: URL
    /// Jets to analyse, read from the start of the files.
    public var maxJets: Int
    /// Constituent multiplicities to average over as well.
    public var multiplicities: [Int]
    /// Signal efficiencies whose score cuts select passing and failing jets to average over as well.
    public var workingPoints: [Double]
    /// Integrated-gradients steps; 0 for gradient saliency only.
    public var integratedGradientSteps: Int
    /// The integrated-gradients baseline, one standardised value per feature, comma-separated; nil for all 0.
    public var baseline: String?
    /// Positions of jets whose own maps are kept.
    public var keptJets: [Int]
    /// The signal class; nil for the last class.
    public var signalClass: String?
    /// Threads for reading and BLAS (JetNN's `ComputeThreads`).
    public var threads: Int

    public init(
        model: String, files: [String], directory: URL, maxJets: Int = 5_000, multiplicities: [Int] = [],
        workingPoints: [Double] = [], integratedGradientSteps: Int = 0, baseline: String? = nil, keptJets: [Int] = [],
        signalClass: String? = nil, threads: Int = 1
    ) {
        (self.model, self.files, self.directory, self.maxJets, self.signalClass, self.threads) =
            (model, files, directory, maxJets, signalClass, threads)
        (self.multiplicities, self.workingPoints, self.keptJets) = (multiplicities, workingPoints, keptJets)
        (self.integratedGradientSteps, self.baseline) = (integratedGradientSteps, baseline)
    }

    /// Reads and scores the jets, computes the maps and writes the files; returns the report.
    ///
    /// - Throws: ``JetTagKitError`` for a missing model file, an unknown signal class or a baseline that is not
    ///   one number per feature.
    public func run() throws -> SaliencyReport {
        guard FileManager.default.fileExists(atPath: model) else { throw JetTagKitError.missingModelFile(path: model) }
        ComputeThreads.set(threads)
        let file = try ModelFile.read(from: model)
        try file.require(.tagger, path: model, command: "jettag saliency")
        let data = try ScoredJets.read(files: files, model: file, maxJets: maxJets, signalClass: signalClass, threads: threads)
        let featureNames = file.features.constituentVariables.map(\.name)
        let options = SaliencyOptions(
            target: data.discriminant.map { .discriminant($0) } ?? .binaryLogit, featureNames: featureNames,
            maxConstituents: file.features.maxConstituents, selections: try selections(data),
            jetIndices: keptJets.filter { $0 < data.jets.count },
            integratedGradients: integratedGradientSteps > 0
                ? IntegratedGradientsOptions(
                    steps: integratedGradientSteps,
                    baseline: try baseline.map { try Self.baseline($0, featureCount: featureNames.count) })
                : nil)
        var network = try file.makeModels()[0]
        var analysis = try SaliencyAnalysis(options: options)
        try analysis.add(model: &network, jets: data.jets.batch(0..<data.jets.count), labels: data.labels, scores: data.scores)
        let report = analysis.report
        try SaliencyOutput(report: report).write(to: directory)
        return report
    }

    /// All jets, each class, the asked multiplicities, and passing/failing each working point.
    private func selections(_ data: ScoredJets) throws -> [SaliencySelection] {
        var selections: [SaliencySelection] = [.all]
        selections += data.classNames.enumerated().map { SaliencySelection.label($0, name: "\($1) jets") }
        selections += multiplicities.map { SaliencySelection.multiplicity($0) }
        if !workingPoints.isEmpty {
            let roc = try data.rocCurve()
            for efficiency in workingPoints {
                let cut = try roc.workingPoint(signalEfficiency: efficiency).threshold
                let label = String(format: "%g%% signal efficiency", efficiency * 100)
                selections.append(.passing(threshold: cut, name: "passing \(label) (score >= \(String(format: "%.4g", cut)))"))
                selections.append(.failing(threshold: cut, name: "failing \(label) (score < \(String(format: "%.4g", cut)))"))
            }
        }
        return selections
    }

    /// Parses a comma-separated baseline of `featureCount` numbers.
    public static func baseline(_ text: String, featureCount: Int) throws(JetTagKitError) -> [Float] {
        let values = text.split(separator: ",").map { Float($0.trimmingCharacters(in: .whitespaces)) }
        guard values.count == featureCount, values.allSatisfy({ $0 != nil }) else {
            throw .invalidBaseline(text: text, featureCount: featureCount)
        }
        return values.map { $0! }
    }
}
