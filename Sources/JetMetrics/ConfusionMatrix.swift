/// A weighted multi-class confusion matrix (signed weights), laid out as scikit-learn's: row = true class,
/// column = predicted class.
///
/// JSON keys: `class_count`, `matrix` (array of rows; `matrix[t][p]` is the summed weight of jets of true
/// class t predicted as p).
public struct ConfusionMatrix: Codable, Equatable, Sendable {
    public let classCount: Int
    /// `matrix[t][p]`: summed weight of jets of true class `t` predicted as class `p`.
    public let matrix: [[Double]]

    /// Counts jets by true and predicted class.
    ///
    /// - Parameters:
    ///   - trueClasses: true class of each jet, in `0..<classCount`.
    ///   - predictedClasses: predicted class of each jet, in `0..<classCount`.
    ///   - classCount: number of classes C.
    ///   - weights: signed event weights; `nil` means unit weights.
    public init(trueClasses: [Int], predictedClasses: [Int], classCount: Int, weights: [Float]? = nil)
        throws(JetMetricsError)
    {
        guard classCount >= 2 else {
            throw .invalidArgument(name: "classCount", value: "\(classCount)", expected: "at least 2")
        }
        try checkLength("predictedClasses", count: predictedClasses.count, expected: trueClasses.count)
        try checkWeights(weights, expected: trueClasses.count)
        var matrix = [[Double]](repeating: [Double](repeating: 0, count: classCount), count: classCount)
        for i in trueClasses.indices {
            let t = trueClasses[i]
            let p = predictedClasses[i]
            guard (0..<classCount).contains(t) else {
                throw .classOutOfRange(array: "trueClasses", index: i, value: t, classCount: classCount)
            }
            guard (0..<classCount).contains(p) else {
                throw .classOutOfRange(array: "predictedClasses", index: i, value: p, classCount: classCount)
            }
            matrix[t][p] += weights.map { Double($0[i]) } ?? 1
        }
        self.classCount = classCount
        self.matrix = matrix
    }

    /// Predicts each jet's class as the argmax of its class probabilities (the first one on ties).
    ///
    /// - Parameters:
    ///   - probabilities: row-major [N, C] scores (probabilities or logits).
    ///   - classCount: C.
    ///   - trueClasses: N true classes.
    ///   - weights: N signed weights or `nil`.
    public init(probabilities: [Float], classCount: Int, trueClasses: [Int], weights: [Float]? = nil)
        throws(JetMetricsError)
    {
        guard classCount >= 2 else {
            throw .invalidArgument(name: "classCount", value: "\(classCount)", expected: "at least 2")
        }
        try checkLength("probabilities", count: probabilities.count, expected: trueClasses.count * classCount)
        try checkFinite("probabilities", probabilities)
        var predicted = [Int](repeating: 0, count: trueClasses.count)
        for row in predicted.indices {
            let base = row * classCount
            var best = 0
            for c in 1..<classCount where probabilities[base + c] > probabilities[base + best] { best = c }
            predicted[row] = best
        }
        try self.init(trueClasses: trueClasses, predictedClasses: predicted, classCount: classCount, weights: weights)
    }

    /// A 2 x 2 matrix from a cut `score >= threshold`: class 1 = signal (selected), class 0 = background.
    public init(scores: [Float], isSignal: [Bool], threshold: Float, weights: [Float]? = nil) throws(JetMetricsError) {
        try checkLength("isSignal", count: isSignal.count, expected: scores.count)
        try checkFinite("scores", scores)
        try self.init(
            trueClasses: isSignal.map { $0 ? 1 : 0 }, predictedClasses: scores.map { $0 >= threshold ? 1 : 0 },
            classCount: 2, weights: weights)
    }

    enum CodingKeys: String, CodingKey {
        case classCount = "class_count"
        case matrix
    }
}
