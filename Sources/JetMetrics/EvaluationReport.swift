/// What `jettag evaluate` writes to `metrics.json` (stable, snake_case keys).
///
/// The signal score is p(signal class) for two classes, else the discriminant `discriminant`
/// (log p_s / sum_k f_k p_k over the other classes). `roc` is signal class versus all others;
/// `confusion_matrix` and `precision_recall` use `score >= threshold` for two classes and the most probable
/// class for more; `score_histograms` holds the signal score per true class; `calibration` the reliability
/// diagram and expected calibration error of each class's probability (``ReliabilityDiagram``, 10 bins), and
/// `spread`, for a seed ensemble or Monte-Carlo dropout, the probabilities' spread (``ScoreSpread``). Files
/// written before `calibration` and `spread` existed decode with them nil.
public struct EvaluationReport: Codable, Sendable {
    public var model: String
    public var tagger: String
    public var classNames: [String]
    public var signalClass: String
    public var jets: Int
    public var discriminant: TaggingDiscriminant?
    public var roc: ROCSummary
    public var threshold: Float?
    public var confusionMatrix: ConfusionMatrix
    public var precisionRecall: [PrecisionRecall]
    public var scoreHistograms: [String: Histogram]
    public var warnings: [MetricWarning]
    public var calibration: [ReliabilityDiagram]?
    public var spread: ScoreSpread?

    enum CodingKeys: String, CodingKey {
        case model, tagger, jets, discriminant, roc, threshold, warnings, calibration, spread
        case classNames = "class_names"
        case signalClass = "signal_class"
        case confusionMatrix = "confusion_matrix"
        case precisionRecall = "precision_recall"
        case scoreHistograms = "score_histograms"
    }
}

extension EvaluationReport {
    /// Evaluates scored, labelled jets: the signal score of every jet, the ROC curve of the signal class against
    /// all others, the confusion matrix, precision/recall/F1 and 50-bin score histograms per true class.
    ///
    /// - Parameters:
    ///   - probabilities: [jets, classes] class probabilities, row-major.
    ///   - labels: true class of each jet.
    ///   - weights: signed event weight of each jet.
    ///   - signal: index of the signal class.
    ///   - discriminant: required for more than two classes (the score is its value), ignored for two (the score
    ///     is p(signal)).
    ///   - threshold: the cut on p(signal) for the two-class confusion matrix.
    ///   - spread: per jet and class the standard deviation of the probabilities over ensemble members or
    ///     Monte-Carlo passes ([jets, classes]), with what it is over (`ensemble`, `mc_dropout`, ...); nil for none.
    ///   - model, tagger: recorded in the report.
    /// - Returns: the report and the full (not downsampled) ROC curve.
    public static func evaluating(
        probabilities: [Float], labels: [Int], weights: [Float], classNames: [String], signal: Int,
        discriminant: TaggingDiscriminant?, threshold: Float, spread: (values: [Float], source: String)? = nil,
        model: String, tagger: String
    ) throws(JetMetricsError) -> (report: EvaluationReport, roc: ROCCurve) {
        let classCount = classNames.count
        let discriminant = classCount > 2 ? discriminant : nil
        guard classCount == 2 || discriminant != nil else {
            throw .invalidArgument(name: "discriminant", value: "nil", expected: "a discriminant for \(classCount) classes")
        }
        let scores =
            try discriminant?.evaluate(probabilities: probabilities, classCount: classCount)
            ?? stride(from: signal, to: probabilities.count, by: classCount).map { probabilities[$0] }
        let roc = try ROCCurve(scores: scores, labels: labels, signalClass: signal, weights: weights)
        let confusion =
            classCount == 2
            ? try ConfusionMatrix(
                trueClasses: labels, predictedClasses: scores.map { $0 >= threshold ? signal : 1 - signal },
                classCount: 2, weights: weights)
            : try ConfusionMatrix(
                probabilities: probabilities, classCount: classCount, trueClasses: labels, weights: weights)
        let precisionRecall = confusion.precisionRecallPerClass()
        let (low, high) = classCount == 2 ? (0.0, 1.0) : (Double(scores.min() ?? 0), Double(scores.max() ?? 1) + 1e-6)
        let perClass = try Histogram.perClass(
            scores, labels: labels, weights: weights, classCount: classCount, binCount: 50, lowerEdge: low,
            upperEdge: high)
        let histograms = Dictionary(uniqueKeysWithValues: zip(classNames, perClass))
        let histogramWarnings = perClass.flatMap(\.warnings)
        let report = EvaluationReport(
            model: model, tagger: tagger, classNames: classNames, signalClass: classNames[signal], jets: labels.count,
            discriminant: discriminant, roc: try ROCSummary(roc), threshold: classCount == 2 ? threshold : nil,
            confusionMatrix: confusion, precisionRecall: precisionRecall, scoreHistograms: histograms,
            warnings: roc.warnings + precisionRecall.flatMap(\.warnings) + histogramWarnings,
            calibration: try ReliabilityDiagram.perClass(
                probabilities: probabilities, classNames: classNames, labels: labels, weights: weights),
            spread: try spread.map { spread throws(JetMetricsError) in
                try ScoreSpread(spread.values, source: spread.source, classNames: classNames, labels: labels, weights: weights)
            })
        return (report, roc)
    }
}
