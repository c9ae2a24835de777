/// The background rejection of a tagger at a fixed signal efficiency, with binomial uncertainties.
///
/// Uncertainties come from the effective counts N_eff = (sum w)^2 / sum w^2 of each class:
/// sigma_eps = sqrt(eps (1 - eps) / N_eff), and for the rejection R = 1 / eps_B,
/// sigma_R = sigma_eps_B / eps_B^2.
///
/// JSON keys: `signal_efficiency`, `signal_efficiency_error`, `threshold`, `background_efficiency`,
/// `background_efficiency_error`, `background_rejection`, `background_rejection_error`.
public struct WorkingPoint: Codable, Equatable, Sendable {
    /// The requested signal efficiency.
    public var signalEfficiency: Double
    /// Binomial uncertainty of the signal efficiency.
    public var signalEfficiencyError: Double
    /// The score cut (select `score >= threshold`), interpolated linearly between the two curve points.
    public var threshold: Double
    /// eps_B interpolated linearly in eps_S between the two curve points around the working point.
    public var backgroundEfficiency: Double
    /// Binomial uncertainty of eps_B.
    public var backgroundEfficiencyError: Double
    /// 1 / eps_B (+inf when no background passes; negative if negative weights make eps_B negative).
    public var backgroundRejection: Double
    /// sigma_eps_B / eps_B^2 (+inf when eps_B <= 0, where the rejection is undefined or infinite).
    public var backgroundRejectionError: Double

    enum CodingKeys: String, CodingKey {
        case signalEfficiency = "signal_efficiency"
        case signalEfficiencyError = "signal_efficiency_error"
        case threshold
        case backgroundEfficiency = "background_efficiency"
        case backgroundEfficiencyError = "background_efficiency_error"
        case backgroundRejection = "background_rejection"
        case backgroundRejectionError = "background_rejection_error"
    }
}

extension ROCCurve {
    /// The working point at signal efficiency `target`, interpolated between the first curve point with
    /// eps_S >= `target` and the point before it.
    ///
    /// - Parameter target: signal efficiency in (0, 1].
    public func workingPoint(signalEfficiency target: Double) throws(JetMetricsError) -> WorkingPoint {
        guard target > 0, target <= 1 else {
            throw .invalidArgument(name: "signal efficiency", value: "\(target)", expected: "a value in (0, 1]")
        }
        // The last point has eps_S == 1 exactly, so an index is always found.
        let k = signalEfficiency.firstIndex { $0 >= target } ?? count - 1
        let previous = max(k - 1, 0)
        let step = signalEfficiency[k] - signalEfficiency[previous]
        let fraction = step > 0 ? (target - signalEfficiency[previous]) / step : 1
        func interpolate(_ values: [Double]) -> Double {
            values[previous] + fraction * (values[k] - values[previous])
        }
        let epsB = interpolate(backgroundEfficiency)
        let threshold = thresholds[previous].isFinite ? interpolate(thresholds) : thresholds[k]
        let epsBError = Self.binomialError(epsB, effectiveCount: background.effectiveSampleSize)
        return WorkingPoint(
            signalEfficiency: target,
            signalEfficiencyError: Self.binomialError(target, effectiveCount: signal.effectiveSampleSize),
            threshold: threshold,
            backgroundEfficiency: epsB,
            backgroundEfficiencyError: epsBError,
            backgroundRejection: 1 / epsB,
            backgroundRejectionError: epsB > 0 ? epsBError / (epsB * epsB) : .infinity)
    }

    /// Working points at each of `targets` (default: 0.3, 0.5, 0.7, 0.77).
    public func workingPoints(signalEfficiencies targets: [Double] = standardWorkingPoints) throws(JetMetricsError)
        -> [WorkingPoint]
    {
        var points: [WorkingPoint] = []
        for target in targets { points.append(try workingPoint(signalEfficiency: target)) }
        return points
    }

    /// sqrt(eps (1 - eps) / N_eff), with eps (1 - eps) taken as 0 outside [0, 1].
    static func binomialError(_ efficiency: Double, effectiveCount: Double) -> Double {
        (max(efficiency * (1 - efficiency), 0) / effectiveCount).squareRoot()
    }
}
