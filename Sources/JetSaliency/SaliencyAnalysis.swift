import JetMetrics
import JetModels
import JetNN

/// Saliency maps of a jet tagger (docs/DESIGN.md section 6): the gradient of the logit or discriminant with respect to
/// the standardised inputs, and optionally integrated gradients, as (constituent rank x feature) maps averaged
/// over selections of jets, plus the maps of chosen jets.
///
/// One call: ``run(model:jets:labels:scores:options:)``. Streaming over batches:
/// `var analysis = try SaliencyAnalysis(options: options)`, `try analysis.add(model: &model, jets: batch, ...)`
/// per batch, then ``report``. The model runs in evaluation mode (running BatchNorm statistics, no dropout).
public struct SaliencyAnalysis: Sendable {
    public let options: SaliencyOptions
    /// Number of jets added so far.
    public private(set) var jetCount = 0
    private var gradient: SaliencyAccumulator
    /// Integrated-gradients settings and attribution sums, when asked for.
    private var integrated: (settings: IntegratedGradientsOptions, accumulator: SaliencyAccumulator)?
    private var outputs: [Double] = []
    private var baselineOutputs: [Double] = []
    private var attributionSums: [Double] = []

    /// - Throws: ``JetMetrics/JetMetricsError/invalidArgument(name:value:expected:)`` for options out of range.
    public init(options: SaliencyOptions) throws(JetMetricsError) {
        try options.validate()
        self.options = options
        gradient = SaliencyAccumulator(
            selections: options.selections, featureNames: options.featureNames, rankCount: options.maxConstituents,
            recordedJets: Set(options.jetIndices))
        if let settings = options.integratedGradients { integrated = (settings, gradient) }
    }

    /// Gradient saliency and integrated gradients of `jets` in one call.
    ///
    /// - Parameters:
    ///   - model: the trained tagger (copied; the caller's value is not changed).
    ///   - jets: standardised inputs as the model reads them, B jets.
    ///   - labels: [B] class labels, needed when a selection names a label.
    ///   - scores: [B] tagger scores, needed when a selection is a working-point cut.
    /// - Throws: ``JetMetrics/JetMetricsError`` for bad options or arrays, ``JetModels/JetModelsError`` when the
    ///   jets do not fit the model.
    public static func run<Model: JetModel>(
        model: Model, jets: PackedJets, labels: [Int]? = nil, scores: [Float]? = nil, options: SaliencyOptions
    ) throws -> SaliencyReport {
        var model = model
        var analysis = try SaliencyAnalysis(options: options)
        try analysis.add(model: &model, jets: jets, labels: labels, scores: scores)
        return analysis.report
    }

    /// Adds one batch of jets; they are numbered after the jets added before (``SaliencyOptions/jetIndices``
    /// count across batches).
    ///
    /// - Parameters:
    ///   - model: the tagger; its layer caches and parameter gradients change.
    ///   - jets: standardised inputs, B jets; processed ``SaliencyOptions/batchSize`` jets at a time.
    ///   - labels: [B] class labels, needed when a selection names a label.
    ///   - scores: [B] tagger scores, needed when a selection is a working-point cut.
    public mutating func add<Model: JetModel>(
        model: inout Model, jets: PackedJets, labels: [Int]? = nil, scores: [Float]? = nil
    ) throws {
        try checkInputs(jets: jets, labels: labels, scores: scores)
        try options.target.validate(logitCount: model.logitCount)
        for start in stride(from: 0, to: jets.jetCount, by: options.batchSize) {
            let range = start..<min(start + options.batchSize, jets.jetCount)
            let batch = jets.jets(range)
            let context = range.map { jet in
                JetContext(
                    index: jetCount + jet, label: labels?[jet], score: scores?[jet],
                    multiplicity: jets.offsets.multiplicity(of: jet))
            }
            let (values, gradients) = try model.saliencyGradients(batch, target: options.target)
            gradient.add(gradients, offsets: batch.offsets, jets: context, outputs: values)
            if let settings = integrated?.settings {
                let result = try model.integratedGradients(batch, target: options.target, options: settings)
                integrated?.accumulator.add(
                    result.attributions, offsets: batch.offsets, jets: context, outputs: result.values)
                outputs += result.values
                baselineOutputs += result.baselineValues
                attributionSums += result.attributionSums
            }
        }
        jetCount += jets.jetCount
    }

    /// The maps of all jets added so far.
    public var report: SaliencyReport {
        SaliencyReport(
            target: options.target, featureNames: options.featureNames, maxConstituents: options.maxConstituents,
            jetCount: jetCount, gradient: gradient.maps,
            integratedGradients: integrated.map { settings, accumulator in
                IntegratedGradientsResult(
                    options: settings, maps: accumulator.maps,
                    completeness: CompletenessCheck(
                        output: outputs, baselineOutput: baselineOutputs, attributionSum: attributionSums))
            })
    }

    private func checkInputs(jets: PackedJets, labels: [Int]?, scores: [Float]?) throws(JetMetricsError) {
        guard jets.constituents.columns == options.featureNames.count else {
            throw .invalidArgument(
                name: "constituent features", value: "\(jets.constituents.columns) per constituent",
                expected: "\(options.featureNames.count), one per feature name (\(options.featureNames.joined(separator: ", ")))")
        }
        if let labels {
            try checkLength("labels", count: labels.count, expected: jets.jetCount)
        } else if let selection = options.selections.first(where: \.needsLabels) {
            throw .invalidArgument(name: "labels", value: "none", expected: "per-jet labels for the selection '\(selection.name)'")
        }
        if let scores {
            try checkLength("scores", count: scores.count, expected: jets.jetCount)
            try checkFinite("scores", scores)
        } else if let selection = options.selections.first(where: \.needsScores) {
            throw .invalidArgument(name: "scores", value: "none", expected: "per-jet scores for the selection '\(selection.name)'")
        }
    }
}
