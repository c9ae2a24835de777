/// Precision, recall and F1 of one class, from weighted counts (scikit-learn's
/// `precision_recall_fscore_support` with `sample_weight`).
///
/// With TP, FP, FN the summed weights of true positives, false positives and false negatives:
/// precision = TP / (TP + FP), recall = TP / (TP + FN), F1 = 2 P R / (P + R); a zero denominator gives 0
/// and a ``MetricWarning/zeroDivision`` warning, as scikit-learn's default does.
///
/// JSON keys: `class_index`, `precision`, `recall`, `f1`, `support` (summed weight of the true class),
/// `warnings` (``MetricWarning`` list).
public struct PrecisionRecall: Codable, Equatable, Sendable {
    public var classIndex: Int
    public var precision: Double
    public var recall: Double
    public var f1: Double
    /// Summed weight of the jets truly in this class.
    public var support: Double
    /// Zero-denominator warnings.
    public var warnings: [MetricWarning]

    enum CodingKeys: String, CodingKey {
        case classIndex = "class_index"
        case precision, recall, f1, support, warnings
    }
}

extension ConfusionMatrix {
    /// Precision, recall and F1 of `classIndex` (class 1 = signal for a matrix made with a threshold).
    public func precisionRecall(classIndex: Int) throws(JetMetricsError) -> PrecisionRecall {
        guard (0..<classCount).contains(classIndex) else {
            throw .classOutOfRange(array: "classIndex", index: 0, value: classIndex, classCount: classCount)
        }
        return precisionRecall(validClass: classIndex)
    }

    /// ``precisionRecall(classIndex:)`` for every class, in class order.
    public func precisionRecallPerClass() -> [PrecisionRecall] {
        (0..<classCount).map(precisionRecall(validClass:))
    }

    private func precisionRecall(validClass classIndex: Int) -> PrecisionRecall {
        let truePositive = matrix[classIndex][classIndex]
        let predictedPositive = matrix.reduce(0) { $0 + $1[classIndex] }
        let actualPositive = matrix[classIndex].reduce(0, +)
        var warnings: [MetricWarning] = []
        func ratio(_ numerator: Double, _ denominator: Double, _ name: String) -> Double {
            if denominator != 0 { return numerator / denominator }
            warnings.append(MetricWarning(
                code: MetricWarning.zeroDivision,
                message: "The \(name) of class \(classIndex) has a zero denominator and is set to 0."))
            return 0
        }
        let precision = ratio(truePositive, predictedPositive, "precision")
        let recall = ratio(truePositive, actualPositive, "recall")
        let f1 = ratio(2 * precision * recall, precision + recall, "F1 score")
        return PrecisionRecall(
            classIndex: classIndex, precision: precision, recall: recall, f1: f1, support: actualPositive,
            warnings: warnings)
    }
}
