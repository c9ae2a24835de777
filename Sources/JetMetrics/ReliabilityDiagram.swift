/// The calibration of one class's predicted probability (reliability diagram, Guo et al. arXiv:1706.04599): the
/// jets binned in p(class), and per bin the weighted mean predicted probability against the weighted fraction of
/// jets of that class, with the binomial error of a fraction over the bin's effective count
/// (``BinomialUncertainty``); a calibrated tagger lies on the diagonal.
///
/// The expected calibration error is ECE = sum_b (W_b / W) |observed_b - predicted_b| with W_b the bin's sum of
/// signed weights and W the sum over the bins with W_b > 0 (a bin whose weights do not sum to a positive number
/// has no fraction and is left out; its values are NaN).
///
/// JSON keys: `class_name`, `bins` (`lower_edge`, `upper_edge`, `jets`, `sum_weights`, `effective_count`,
/// `mean_predicted`, `observed_fraction`, `observed_fraction_error`), `expected_calibration_error`.
public struct ReliabilityDiagram: Codable, Sendable, Equatable {
    public struct Bin: Codable, Sendable, Equatable {
        public var lowerEdge: Double
        public var upperEdge: Double
        /// Jets in the bin (unweighted).
        public var jets: Int
        public var sumWeights: Double
        /// Kish's (sum w)^2 / sum w^2.
        public var effectiveCount: Double
        /// sum w p / sum w.
        public var meanPredicted: Double
        /// sum w [label == class] / sum w.
        public var observedFraction: Double
        public var observedFractionError: Double

        enum CodingKeys: String, CodingKey {
            case jets
            case lowerEdge = "lower_edge", upperEdge = "upper_edge", sumWeights = "sum_weights"
            case effectiveCount = "effective_count", meanPredicted = "mean_predicted"
            case observedFraction = "observed_fraction", observedFractionError = "observed_fraction_error"
        }
    }

    public var className: String
    public var bins: [Bin]
    public var expectedCalibrationError: Double

    enum CodingKeys: String, CodingKey {
        case bins
        case className = "class_name", expectedCalibrationError = "expected_calibration_error"
    }

    /// The diagram of class `classIndex` in `binCount` equal bins of [0, 1] (p = 1 in the last).
    ///
    /// - Parameters:
    ///   - probabilities: [jets, classCount] class probabilities, row-major.
    ///   - labels: the true class of each jet; weights: its signed weight.
    /// - Throws: on arrays of different lengths, non-finite values, labels outside the classes, or fewer than one bin.
    public init(
        probabilities: [Float], classCount: Int, classIndex: Int, className: String, labels: [Int], weights: [Float],
        binCount: Int = 10
    ) throws(JetMetricsError) {
        guard binCount >= 1 else { throw .invalidArgument(name: "binCount", value: "\(binCount)", expected: "at least 1") }
        try checkLength("probabilities", count: probabilities.count, expected: labels.count * classCount)
        try checkFinite("probabilities", probabilities)
        try checkWeights(weights, expected: labels.count)
        var sums = [WeightSums](repeating: WeightSums(), count: binCount)
        var predicted = [Double](repeating: 0, count: binCount)
        var observed = [Double](repeating: 0, count: binCount)
        for (jet, label) in labels.enumerated() {
            guard (0..<classCount).contains(label) else {
                throw .classOutOfRange(array: "labels", index: jet, value: label, classCount: classCount)
            }
            let p = Double(probabilities[jet * classCount + classIndex])
            let w = Double(weights[jet])
            let bin = min(max(Int(p * Double(binCount)), 0), binCount - 1)
            sums[bin].add(w)
            predicted[bin] += w * p
            if label == classIndex { observed[bin] += w }
        }
        bins = (0..<binCount).map { b in
            let w = sums[b].sumWeights
            let fraction = w > 0 ? observed[b] / w : .nan
            return Bin(
                lowerEdge: Double(b) / Double(binCount), upperEdge: Double(b + 1) / Double(binCount), jets: sums[b].count,
                sumWeights: w, effectiveCount: sums[b].effectiveSampleSize, meanPredicted: w > 0 ? predicted[b] / w : .nan,
                observedFraction: fraction,
                observedFractionError: w > 0
                    ? BinomialUncertainty.efficiencyError(fraction, effectiveCount: sums[b].effectiveSampleSize) : .nan)
        }
        let filled = bins.filter { $0.sumWeights > 0 }
        let total = filled.reduce(0) { $0 + $1.sumWeights }
        expectedCalibrationError =
            total > 0 ? filled.reduce(0) { $0 + $1.sumWeights / total * abs($1.observedFraction - $1.meanPredicted) } : .nan
        self.className = className
    }

    /// One diagram per class.
    public static func perClass(
        probabilities: [Float], classNames: [String], labels: [Int], weights: [Float], binCount: Int = 10
    ) throws(JetMetricsError) -> [ReliabilityDiagram] {
        var diagrams: [ReliabilityDiagram] = []
        for (c, name) in classNames.enumerated() {
            diagrams.append(try ReliabilityDiagram(
                probabilities: probabilities, classCount: classNames.count, classIndex: c, className: name, labels: labels,
                weights: weights, binCount: binCount))
        }
        return diagrams
    }

    /// The bins as CSV: `lower_edge`, `upper_edge`, `jets`, `sum_weights`, `effective_count`, `mean_predicted`,
    /// `observed_fraction`, `observed_fraction_error`.
    public var csvTable: CSVTable {
        CSVTable(columns: [
            ("lower_edge", bins.map(\.lowerEdge)), ("upper_edge", bins.map(\.upperEdge)),
            ("jets", bins.map { Double($0.jets) }), ("sum_weights", bins.map(\.sumWeights)),
            ("effective_count", bins.map(\.effectiveCount)), ("mean_predicted", bins.map(\.meanPredicted)),
            ("observed_fraction", bins.map(\.observedFraction)), ("observed_fraction_error", bins.map(\.observedFractionError)),
        ])
    }
}
