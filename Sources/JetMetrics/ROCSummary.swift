/// What `jettag evaluate` writes about one ROC curve: AUC, class totals, working points, a down-sampled
/// curve and warnings.
///
/// JSON keys (stable): `auc`, `auc_error`, `signal` and `background` (``WeightSums``), `working_points`
/// (``WorkingPoint`` list), `curve` (object with the arrays `threshold`, `signal_efficiency`,
/// `background_efficiency`, `background_rejection`) and `warnings` (``MetricWarning`` list).
/// Infinities are written as the strings `"inf"`/`"-inf"` by ``MetricsJSON``.
public struct ROCSummary: Codable, Equatable, Sendable {
    /// The curve's points, one array entry per threshold.
    public struct Points: Codable, Equatable, Sendable {
        public var threshold: [Double]
        public var signalEfficiency: [Double]
        public var backgroundEfficiency: [Double]
        public var backgroundRejection: [Double]

        enum CodingKeys: String, CodingKey {
            case threshold
            case signalEfficiency = "signal_efficiency"
            case backgroundEfficiency = "background_efficiency"
            case backgroundRejection = "background_rejection"
        }
    }

    public var auc: Double
    /// ``ROCCurve/aucError``; `nil` only in files written before JetTag reported it.
    public var aucError: Double?
    public var signal: WeightSums
    public var background: WeightSums
    public var workingPoints: [WorkingPoint]
    public var curve: Points
    public var warnings: [MetricWarning]

    /// Summarises `roc` at the signal efficiencies `workingPoints`, with at most `maxCurvePoints` curve points.
    public init(
        _ roc: ROCCurve, workingPoints: [Double] = ROCCurve.standardWorkingPoints, maxCurvePoints: Int = 1000
    ) throws(JetMetricsError) {
        let small = roc.downsampled(maxPoints: maxCurvePoints)
        auc = roc.auc
        aucError = roc.aucError
        signal = roc.signal
        background = roc.background
        self.workingPoints = try roc.workingPoints(signalEfficiencies: workingPoints)
        curve = Points(
            threshold: small.thresholds, signalEfficiency: small.signalEfficiency,
            backgroundEfficiency: small.backgroundEfficiency, backgroundRejection: small.backgroundRejection)
        warnings = roc.warnings
    }

    enum CodingKeys: String, CodingKey {
        case auc
        case aucError = "auc_error"
        case signal, background
        case workingPoints = "working_points"
        case curve, warnings
    }
}
