/// How the score cut of a working point is chosen when performance is shown in bins of a jet variable.
public enum WorkingPointMode: String, Codable, Sendable, CaseIterable {
    /// One cut for all jets, the one giving the target signal efficiency on all jets: the signal efficiency
    /// then varies from bin to bin.
    case inclusive
    /// One cut per bin, each giving the target signal efficiency on that bin's signal jets ("flat" in the
    /// variable): every bin has the working point's signal efficiency and the rejection shows the tagger's
    /// separation at fixed efficiency.
    case flat
}

/// Signal efficiency and background rejection of a tagger at one working point in bins of a jet variable
/// (pt, eta, mass, multiplicity), with binomial errors from each bin's effective counts
/// (``BinomialUncertainty``).
///
/// Jets are selected by `score >= threshold`. A bin is `[edges[k], edges[k + 1])`; jets outside the edges
/// take no part in any bin (the inclusive cut is still fitted on all jets). A bin without signal, or
/// without background, or with a non-positive weight sum has NaN efficiencies.
public struct BinnedWorkingPoint: Sendable, Equatable {
    /// One bin's cut, counts and efficiencies.
    public struct Bin: Sendable, Equatable {
        /// The score cut used in this bin.
        public var threshold: Double
        /// The bin's signal and background jets (the efficiency denominators).
        public var signal: WeightSums
        public var background: WeightSums
        public var signalEfficiency: Double
        public var signalEfficiencyError: Double
        public var backgroundEfficiency: Double
        public var backgroundEfficiencyError: Double
        /// 1 / eps_B and its error sigma_eps_B / eps_B^2.
        public var backgroundRejection: Double
        public var backgroundRejectionError: Double
    }

    /// The working point's signal efficiency.
    public let targetSignalEfficiency: Double
    public let mode: WorkingPointMode
    /// Bin edges, strictly increasing.
    public let edges: [Double]
    /// One entry per bin.
    public let bins: [Bin]

    /// - Parameters:
    ///   - scores: one score per jet, higher meaning more signal-like.
    ///   - labels: the true class of each jet.
    ///   - signalClass: the class counted as signal.
    ///   - backgroundClasses: the classes counted as background; nil for all others.
    ///   - weights: signed event weights; nil for unit weights.
    ///   - variable: the binned jet variable, one value per jet.
    ///   - edges: at least two strictly increasing finite edges.
    ///   - signalEfficiency: the working point, in (0, 1].
    /// - Throws: ``JetMetricsError`` for misaligned arrays, bad edges or efficiency, NaN scores, and (inclusive
    ///   mode) when all jets together have no signal or no background.
    public init(
        scores: [Float], labels: [Int], signalClass: Int, backgroundClasses: Set<Int>? = nil, weights: [Float]? = nil,
        variable: [Float], edges: [Double], signalEfficiency: Double, mode: WorkingPointMode
    ) throws(JetMetricsError) {
        try checkLength("labels", count: labels.count, expected: scores.count)
        try checkLength("variable", count: variable.count, expected: scores.count)
        try checkWeights(weights, expected: scores.count)
        guard edges.count >= 2, edges.allSatisfy(\.isFinite), zip(edges, edges.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw .invalidArgument(
                name: "bin edges", value: "\(edges)", expected: "at least two finite, strictly increasing edges")
        }
        guard signalEfficiency > 0, signalEfficiency <= 1 else {
            throw .invalidArgument(name: "signal efficiency", value: "\(signalEfficiency)", expected: "a value in (0, 1]")
        }
        let roles: [Int8] = labels.map { label in
            if label == signalClass { return 1 }
            return backgroundClasses.map { $0.contains(label) ? 0 : -1 } ?? 0
        }
        var binOfJet = [Int](repeating: -1, count: scores.count)
        for i in variable.indices {
            let value = Double(variable[i])
            guard value >= edges[0], value < edges[edges.count - 1] else { continue }
            binOfJet[i] = edges.lastIndex { $0 <= value }!
        }
        let inclusiveThreshold: Double?
        switch mode {
        case .inclusive:
            inclusiveThreshold = try ROCCurve(scores: scores, roles: roles, weights: weights)
                .workingPoint(signalEfficiency: signalEfficiency).threshold
        case .flat:
            inclusiveThreshold = nil
        }
        var bins: [Bin] = []
        for bin in 0..<(edges.count - 1) {
            let binRoles = roles.indices.map { binOfJet[$0] == bin ? roles[$0] : -1 }
            if let threshold = inclusiveThreshold {
                bins.append(Self.counting(scores, binRoles, weights, threshold: threshold))
            } else {
                bins.append(Self.flat(scores, binRoles, weights, signalEfficiency: signalEfficiency))
            }
        }
        self.targetSignalEfficiency = signalEfficiency
        self.mode = mode
        self.edges = edges
        self.bins = bins
    }

    /// The bin of the jets with role 0 or 1 at the cut `score >= threshold`.
    private static func counting(_ scores: [Float], _ roles: [Int8], _ weights: [Float]?, threshold: Double) -> Bin {
        var (signal, background, signalPassing, backgroundPassing) = (WeightSums(), WeightSums(), 0.0, 0.0)
        for i in scores.indices where roles[i] >= 0 {
            let w = Double(weights?[i] ?? 1)
            let passes = Double(scores[i]) >= threshold
            if roles[i] == 1 {
                signal.add(w)
                if passes { signalPassing += w }
            } else {
                background.add(w)
                if passes { backgroundPassing += w }
            }
        }
        let epsS = signal.sumWeights > 0 ? signalPassing / signal.sumWeights : .nan
        let epsB = background.sumWeights > 0 ? backgroundPassing / background.sumWeights : .nan
        return bin(threshold: threshold, signal: signal, background: background, epsS: epsS, epsB: epsB)
    }

    /// The bin of the jets with role 0 or 1 at its own cut for `signalEfficiency` (the ROC working point).
    private static func flat(_ scores: [Float], _ roles: [Int8], _ weights: [Float]?, signalEfficiency: Double) -> Bin {
        guard let roc = try? ROCCurve(scores: scores, roles: roles, weights: weights),
            let point = try? roc.workingPoint(signalEfficiency: signalEfficiency)
        else {
            var (signal, background) = (WeightSums(), WeightSums())
            for i in scores.indices where roles[i] >= 0 {
                if roles[i] == 1 { signal.add(Double(weights?[i] ?? 1)) } else { background.add(Double(weights?[i] ?? 1)) }
            }
            return bin(threshold: .nan, signal: signal, background: background, epsS: .nan, epsB: .nan)
        }
        return bin(
            threshold: point.threshold, signal: roc.signal, background: roc.background, epsS: signalEfficiency,
            epsB: point.backgroundEfficiency)
    }

    private static func bin(threshold: Double, signal: WeightSums, background: WeightSums, epsS: Double, epsB: Double) -> Bin {
        let epsBError = BinomialUncertainty.efficiencyError(epsB, total: background)
        return Bin(
            threshold: threshold, signal: signal, background: background, signalEfficiency: epsS,
            signalEfficiencyError: BinomialUncertainty.efficiencyError(epsS, total: signal),
            backgroundEfficiency: epsB, backgroundEfficiencyError: epsBError, backgroundRejection: 1 / epsB,
            backgroundRejectionError: BinomialUncertainty.rejectionError(efficiency: epsB, efficiencyError: epsBError))
    }
}
