/// Settings of integrated gradients (Sundararajan, Taly and Yan 2017): attributions (x - x') times the average
/// gradient along the straight path from the baseline x' to the input x, approximated with `steps` intervals.
///
/// JSON keys: `steps`, `rule`, and `baseline` when one is given.
public struct IntegratedGradientsOptions: Codable, Equatable, Sendable {
    /// Quadrature of the path integral over alpha in [0, 1].
    public enum Rule: String, Codable, Sendable {
        /// `steps` gradients at alpha = (k + 1/2) / steps, k = 0..<steps, each weighted 1 / steps (error O(1/m^2)).
        case midpoint
        /// `steps + 1` gradients at alpha = k / steps, k = 0...steps, weighted 1 / (2 steps) at the two ends and
        /// 1 / steps between (error O(1/m^2)).
        case trapezoid
    }

    /// Number of intervals m of the path (50 by default).
    public var steps: Int
    public var rule: Rule
    /// Baseline value [F] of each standardised feature, used for every constituent of the jet (same
    /// constituents, same multiplicity). `nil` means 0 for every feature: each constituent at the training mean.
    public var baseline: [Float]?

    public init(steps: Int = 50, rule: Rule = .midpoint, baseline: [Float]? = nil) {
        self.steps = steps
        self.rule = rule
        self.baseline = baseline
    }

    /// The (alpha, weight) points of the rule; the weights sum to 1.
    var nodes: [(alpha: Float, weight: Double)] {
        let m = Double(steps)
        switch rule {
        case .midpoint:
            return (0..<steps).map { (Float((Double($0) + 0.5) / m), 1 / m) }
        case .trapezoid:
            return (0...steps).map { k in (Float(Double(k) / m), k == 0 || k == steps ? 0.5 / m : 1 / m) }
        }
    }

    /// Throws unless `steps` is positive and the baseline has one value per feature.
    func validate(featureCount: Int) throws(JetMetricsError) {
        guard steps > 0 else {
            throw .invalidArgument(name: "integrated gradients steps", value: "\(steps)", expected: "a positive integer")
        }
        if let baseline {
            try checkLength("integrated gradients baseline", count: baseline.count, expected: featureCount)
            try checkFinite("integrated gradients baseline", baseline)
        }
    }
}
