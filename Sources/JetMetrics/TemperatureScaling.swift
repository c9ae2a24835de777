import Foundation

/// The fit of temperature scaling (Guo et al., arXiv:1706.04599): the one T > 0 that minimises the weighted mean
/// negative log-likelihood of the true classes when the logits z are divided by it,
///
///     NLL(T) = -sum_i w_i log p_i(y_i; T) / sum_i w_i,   p(T) = mean_s softmax(z_s / T)  (sigmoid for one logit),
///
/// the mean over the samples s of a jet (the members of a seed ensemble; one sample otherwise). Signed weights
/// enter as they are. The minimiser is deterministic and needs no derivative: NLL on 81 points of log T evenly
/// spaced over [log 0.01, log 100], then a golden-section search of log T between the best point's neighbours to
/// 1e-9, so the global minimum of a function with several local ones is found when the grid resolves it.
public enum TemperatureScaling {
    /// The range T is searched in.
    public static let range: ClosedRange<Double> = 0.01...100

    /// NLL(T) of `logits` (one array [jets, logitCount] row-major per sample).
    public static func negativeLogLikelihood(
        logits: [[Float]], logitCount: Int, labels: [Int], weights: [Float], temperature: Double
    ) -> Double {
        let samples = Double(logits.count)
        var sum = 0.0
        var weightSum = 0.0
        var logProbabilities = [Double](repeating: 0, count: logits.count)
        for (jet, label) in labels.enumerated() {
            for (s, sample) in logits.enumerated() {
                let z = sample[(jet * logitCount)..<((jet + 1) * logitCount)].map { Double($0) / temperature }
                if logitCount == 1 {
                    // log sigmoid(+-z) = -log(1 + exp(-+z)), written to stay finite for large |z|.
                    let x = label == 1 ? z[0] : -z[0]
                    logProbabilities[s] = -(max(-x, 0) + log1p(exp(-abs(x))))
                } else {
                    let maximum = z.max()!
                    logProbabilities[s] = z[label] - maximum - log(z.reduce(0) { $0 + exp($1 - maximum) })
                }
            }
            let top = logProbabilities.max()!
            let logMean = top + log(logProbabilities.reduce(0) { $0 + exp($1 - top) } / samples)
            sum -= Double(weights[jet]) * logMean
            weightSum += Double(weights[jet])
        }
        return sum / weightSum
    }

    /// The fitted T with NLL at T = 1 and at T.
    ///
    /// - Throws: on arrays of different lengths, non-finite logits or weights, labels outside the classes
    ///   (`max(logitCount, 2)`), no jets, or a sum of weights that is not positive.
    public static func fit(
        logits: [[Float]], logitCount: Int, labels: [Int], weights: [Float]
    ) throws(JetMetricsError) -> (temperature: Double, nllBefore: Double, nllAfter: Double) {
        guard !logits.isEmpty, !labels.isEmpty else {
            throw .invalidArgument(name: "logits", value: "no jets", expected: "the logits of at least one jet")
        }
        for sample in logits {
            try checkLength("logits", count: sample.count, expected: labels.count * logitCount)
            try checkFinite("logits", sample)
        }
        try checkWeights(weights, expected: labels.count)
        let classCount = max(logitCount, 2)
        for (jet, label) in labels.enumerated() where !(0..<classCount).contains(label) {
            throw .classOutOfRange(array: "labels", index: jet, value: label, classCount: classCount)
        }
        let weightSum = weights.reduce(0.0) { $0 + Double($1) }
        guard weightSum > 0 else { throw .nonPositiveWeightSum(name: "calibration jets", sumOfWeights: weightSum, count: labels.count) }
        func nll(_ u: Double) -> Double {
            negativeLogLikelihood(logits: logits, logitCount: logitCount, labels: labels, weights: weights, temperature: exp(u))
        }
        let (low, high) = (log(range.lowerBound), log(range.upperBound))
        let points = 81
        let grid = (0..<points).map { low + (high - low) * Double($0) / Double(points - 1) }
        let values = grid.map(nll)
        let best = values.indices.min { values[$0] < values[$1] }!
        var (a, b) = (grid[max(best - 1, 0)], grid[min(best + 1, points - 1)])
        let ratio = (5.0.squareRoot() - 1) / 2
        var (c, d) = (b - ratio * (b - a), a + ratio * (b - a))
        var (fc, fd) = (nll(c), nll(d))
        while b - a > 1e-9 {
            if fc < fd {
                (b, d, fd) = (d, c, fc)
                c = b - ratio * (b - a)
                fc = nll(c)
            } else {
                (a, c, fc) = (c, d, fd)
                d = a + ratio * (b - a)
                fd = nll(d)
            }
        }
        var (u, value) = fc < fd ? (c, fc) : (d, fd)
        if values[best] < value { (u, value) = (grid[best], values[best]) }
        return (exp(u), nll(0), value)
    }
}
