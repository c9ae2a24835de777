/// Binomial uncertainties of efficiencies and rejections measured with weighted jets.
///
/// An efficiency eps measured on jets with signed weights w_i has the uncertainty of a binomial fraction over
/// the effective number of jets N_eff = (sum w)^2 / sum w^2 (Kish's effective sample size of the denominator,
/// ``WeightSums/effectiveSampleSize``):
///
///     sigma_eps = sqrt(eps (1 - eps) / N_eff),   sigma_R = sigma_eps / eps^2 for the rejection R = 1 / eps.
///
/// With unit weights N_eff is the number of jets. With negative weights sum w shrinks while sum w^2 grows, so
/// N_eff, and with it the precision, drops. eps (1 - eps) is taken as 0 outside [0, 1] (negative weights can
/// push an efficiency there).
public enum BinomialUncertainty {
    /// sqrt(eps (1 - eps) / N_eff); +inf when `effectiveCount` is not positive.
    public static func efficiencyError(_ efficiency: Double, effectiveCount: Double) -> Double {
        guard effectiveCount > 0 else { return .infinity }
        return (max(efficiency * (1 - efficiency), 0) / effectiveCount).squareRoot()
    }

    /// The error of an efficiency whose denominator is the jets summed in `total`.
    public static func efficiencyError(_ efficiency: Double, total: WeightSums) -> Double {
        efficiencyError(efficiency, effectiveCount: total.effectiveSampleSize)
    }

    /// sigma_eps / eps^2, the error of the rejection 1 / eps; +inf when eps <= 0.
    public static func rejectionError(efficiency: Double, efficiencyError: Double) -> Double {
        efficiency > 0 ? efficiencyError / (efficiency * efficiency) : .infinity
    }
}
