/// A weighted receiver-operating-characteristic curve with signed event weights.
///
/// Jets are selected by `score >= threshold`. For every distinct score, from the highest down, the curve
/// holds the signal efficiency eps_S (selected signal weight / total signal weight) and the background
/// efficiency eps_B; jets with equal scores enter together as one threshold step. The first point is
/// (0, 0) at threshold +inf and the last is (1, 1) at the lowest score, as in scikit-learn's `roc_curve`
/// with `drop_intermediate=False`.
///
/// Weights are signed: cumulative sums may dip below zero or above the total. That is reported in
/// `warnings`, never clipped.
///
/// Cost: a radix sort of each class's scores (linear in n) and one merging pass; the curve has at most
/// n + 1 points.
public struct ROCCurve: Sendable {
    /// Score thresholds, strictly decreasing; `thresholds[0]` is +inf.
    public let thresholds: [Double]
    /// eps_S at each threshold.
    public let signalEfficiency: [Double]
    /// eps_B at each threshold.
    public let backgroundEfficiency: [Double]
    /// Area under the curve by the trapezoid rule in (eps_B, eps_S). For unit weights it equals the
    /// Mann-Whitney statistic P(s_sig > s_bkg) + P(s_sig == s_bkg) / 2.
    public let auc: Double
    /// Statistical error of `auc` from the finite number of jets (DeLong et al. 1988, with weights); see
    /// ``aucStandardError(auc:signalEfficiency:backgroundEfficiency:signalSquares:backgroundSquares:signal:background:)``.
    public let aucError: Double
    /// Signal jets and weight sums (the efficiency denominators).
    public let signal: WeightSums
    /// Background jets and weight sums.
    public let background: WeightSums
    /// Negative cumulative weights or efficiencies above one found along the curve.
    public let warnings: [MetricWarning]

    /// Number of points (thresholds).
    public var count: Int { thresholds.count }

    /// Background rejection 1 / eps_B at each threshold (+inf where eps_B is 0).
    public var backgroundRejection: [Double] { backgroundEfficiency.map { 1 / $0 } }

    /// The standard signal-efficiency working points (docs/DESIGN.md section 6).
    public static let standardWorkingPoints: [Double] = [0.3, 0.5, 0.7, 0.77]

    /// A binary ROC curve.
    ///
    /// - Parameters:
    ///   - scores: one score per jet, higher means more signal-like; NaN is an error.
    ///   - isSignal: true for signal jets, false for background jets.
    ///   - weights: signed event weights, one per jet; `nil` means unit weights.
    public init(scores: [Float], isSignal: [Bool], weights: [Float]? = nil) throws(JetMetricsError) {
        try checkLength("isSignal", count: isSignal.count, expected: scores.count)
        try self.init(scores: scores, roles: isSignal.map { $0 ? 1 : 0 }, weights: weights)
    }

    /// A one-class-versus-others ROC curve from multi-class labels.
    ///
    /// - Parameters:
    ///   - scores: one score per jet for the signal class (a probability or a discriminant).
    ///   - labels: true class index of each jet.
    ///   - signalClass: the class counted as signal.
    ///   - backgroundClasses: the classes counted as background; `nil` means all other classes
    ///     (jets of classes in neither set are ignored, e.g. b-jets vs light jets only).
    ///   - weights: signed event weights, one per jet; `nil` means unit weights.
    public init(
        scores: [Float], labels: [Int], signalClass: Int, backgroundClasses: Set<Int>? = nil, weights: [Float]? = nil
    ) throws(JetMetricsError) {
        try checkLength("labels", count: labels.count, expected: scores.count)
        if let backgroundClasses, backgroundClasses.contains(signalClass) {
            throw .invalidArgument(
                name: "backgroundClasses", value: "\(backgroundClasses.sorted())",
                expected: "classes other than the signal class \(signalClass)")
        }
        let roles: [Int8] = labels.map { label in
            if label == signalClass { return 1 }
            return backgroundClasses.map { $0.contains(label) ? 0 : -1 } ?? 0
        }
        try self.init(scores: scores, roles: roles, weights: weights)
    }

    /// Core: `roles[i]` is 1 for signal, 0 for background and -1 for a jet that takes no part.
    init(scores: [Float], roles: [Int8], weights: [Float]?) throws(JetMetricsError) {
        try checkWeights(weights, expected: scores.count)
        let signalJets = try SortedWeightedValues(scores, weights: weights, array: "scores") { roles[$0] == 1 }
        let backgroundJets = try SortedWeightedValues(scores, weights: weights, array: "scores") { roles[$0] == 0 }

        // Merge the two sorted lists from the highest score down; equal scores form one step. Cumulative sums
        // first, divided at the end so that the last point is exactly (1, 1).
        let capacity = signalJets.keys.count + backgroundJets.keys.count + 1
        var thresholds = [Double.infinity]
        var cumulativeSignal = [0.0]
        var cumulativeBackground = [0.0]
        thresholds.reserveCapacity(capacity)
        cumulativeSignal.reserveCapacity(capacity)
        cumulativeBackground.reserveCapacity(capacity)
        var signal = WeightSums()
        var background = WeightSums()
        var signalSquares: [Double] = []
        var backgroundSquares: [Double] = []
        signalSquares.reserveCapacity(capacity)
        backgroundSquares.reserveCapacity(capacity)
        SortedWeightedValues.forEachDistinctValueDescending(signalJets, backgroundJets) { score, inSignal, inBackground in
            signal.add(inSignal)
            background.add(inBackground)
            signalSquares.append(inSignal.sumWeightsSquared)
            backgroundSquares.append(inBackground.sumWeightsSquared)
            thresholds.append(Double(score))
            cumulativeSignal.append(signal.sumWeights)
            cumulativeBackground.append(background.sumWeights)
        }
        for (sums, name) in [(signal, "signal"), (background, "background")] {
            guard sums.count > 0 else { throw .emptyClass(name: name) }
            guard sums.sumWeights > 0 else {
                throw .nonPositiveWeightSum(name: name, sumOfWeights: sums.sumWeights, count: sums.count)
            }
        }
        var warnings = Self.cumulativeWarnings(cumulativeSignal, total: signal.sumWeights, thresholds, "signal")
        warnings += Self.cumulativeWarnings(cumulativeBackground, total: background.sumWeights, thresholds, "background")
        self.thresholds = thresholds
        for k in cumulativeSignal.indices {
            cumulativeSignal[k] /= signal.sumWeights
            cumulativeBackground[k] /= background.sumWeights
        }
        self.signalEfficiency = cumulativeSignal
        self.backgroundEfficiency = cumulativeBackground
        self.signal = signal
        self.background = background
        self.warnings = warnings
        self.auc = Self.trapezoidArea(x: backgroundEfficiency, y: signalEfficiency)
        self.aucError = Self.aucStandardError(
            auc: auc, signalEfficiency: cumulativeSignal, backgroundEfficiency: cumulativeBackground,
            signalSquares: signalSquares, backgroundSquares: backgroundSquares, signal: signal, background: background)
    }

    /// DeLong's standard error of the AUC, generalised to signed weights.
    ///
    /// The AUC is the weighted mean over signal jets of their placement V_i (the background weight fraction
    /// below the jet's score, ties counted half), and equally the weighted mean over background jets of the
    /// signal weight fraction above theirs. Linearising both means,
    ///
    ///     sigma^2 = sum_sig w_i^2 (V_i - AUC)^2 / (W_S^2 - sum_sig w^2) + the same over background jets,
    ///
    /// with W = sum w; for unit weights this is DeLong's S10 / n_S + S01 / n_B. Jets of one score share one
    /// placement, so the sums run over the curve's steps: `signalSquares[k - 1]` is the sum of w^2 of the signal
    /// jets at threshold k. +inf when a class has an effective sample size of 1 or less.
    static func aucStandardError(
        auc: Double, signalEfficiency: [Double], backgroundEfficiency: [Double], signalSquares: [Double],
        backgroundSquares: [Double], signal: WeightSums, background: WeightSums
    ) -> Double {
        var signalSum = 0.0
        var backgroundSum = 0.0
        for k in 1..<signalEfficiency.count {
            let signalPlacement = 1 - (backgroundEfficiency[k] + backgroundEfficiency[k - 1]) / 2
            let backgroundPlacement = (signalEfficiency[k] + signalEfficiency[k - 1]) / 2
            signalSum += signalSquares[k - 1] * (signalPlacement - auc) * (signalPlacement - auc)
            backgroundSum += backgroundSquares[k - 1] * (backgroundPlacement - auc) * (backgroundPlacement - auc)
        }
        func variance(_ sum: Double, _ sums: WeightSums) -> Double {
            let denominator = sums.sumWeights * sums.sumWeights - sums.sumWeightsSquared
            return denominator > 0 ? sum / denominator : .infinity
        }
        return (variance(signalSum, signal) + variance(backgroundSum, background)).squareRoot()
    }

    /// Warnings for partial sums below zero or above `total`, naming the first threshold where it happens.
    private static func cumulativeWarnings(
        _ cumulative: [Double], total: Double, _ thresholds: [Double], _ name: String
    ) -> [MetricWarning] {
        let tolerance = 1e-9 * total
        var warnings: [MetricWarning] = []
        let negative = cumulative.indices.filter { cumulative[$0] < -tolerance }
        if let first = negative.first {
            warnings.append(MetricWarning(
                code: MetricWarning.negativeCumulativeWeight,
                message: "The cumulative \(name) weight is negative at \(negative.count) of \(cumulative.count) "
                    + "thresholds (first at score >= \(thresholds[first]): \(cumulative[first])); "
                    + "the \(name) efficiency is negative there because of negative event weights."))
        }
        let aboveTotal = cumulative.indices.filter { cumulative[$0] > total + tolerance }
        if let first = aboveTotal.first {
            warnings.append(MetricWarning(
                code: MetricWarning.efficiencyAboveOne,
                message: "The \(name) efficiency exceeds 1 at \(aboveTotal.count) of \(cumulative.count) thresholds "
                    + "(first at score >= \(thresholds[first]): \(cumulative[first] / total)) because of negative "
                    + "event weights at lower scores."))
        }
        return warnings
    }

    /// Trapezoid-rule integral of y over x along the points in order.
    static func trapezoidArea(x: [Double], y: [Double]) -> Double {
        var area = 0.0
        for k in 1..<x.count {
            area += (x[k] - x[k - 1]) * (y[k] + y[k - 1]) / 2
        }
        return area
    }
}
