import JetMetrics

/// What `jettag evaluate` writes to `metrics.json` (stable, snake_case keys).
///
/// The signal score is p(signal class) for two classes, else the discriminant `discriminant`
/// (log p_s / sum_k f_k p_k over the other classes). `roc` is signal class versus all others;
/// `confusion_matrix` and `precision_recall` use `score >= threshold` for two classes and the most probable
/// class for more; `score_histograms` holds the signal score per true class.
struct EvaluationReport: Codable {
    var model: String
    var tagger: String
    var classNames: [String]
    var signalClass: String
    var jets: Int
    var discriminant: TaggingDiscriminant?
    var roc: ROCSummary
    var threshold: Float?
    var confusionMatrix: ConfusionMatrix
    var precisionRecall: [PrecisionRecall]
    var scoreHistograms: [String: Histogram]
    var warnings: [MetricWarning]

    enum CodingKeys: String, CodingKey {
        case model, tagger, jets, discriminant, roc, threshold, warnings
        case classNames = "class_names"
        case signalClass = "signal_class"
        case confusionMatrix = "confusion_matrix"
        case precisionRecall = "precision_recall"
        case scoreHistograms = "score_histograms"
    }
}
