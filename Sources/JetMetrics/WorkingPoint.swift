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
