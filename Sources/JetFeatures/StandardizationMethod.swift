/// How `StandardizationFitter` fills in a variable's missing centre and scale (`features.standardization`).
public enum StandardizationMethod: String, Codable, Sendable, CaseIterable {
    /// Centre the mean, scale 1 / standard deviation.
    case meanStd
    /// weaver-core's "auto": centre the median, scale 1 / max(p84 - median, median - p16), robust to the long
    /// tails of the constituent variables.
    case robust
}
