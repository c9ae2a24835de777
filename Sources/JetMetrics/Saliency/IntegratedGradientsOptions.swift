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
}
