/// Where a fine-tuning run (`training.initFrom`) takes the centres and scales that its config does not write
/// (`features.standardizationSource`); a run without a parent model fits them.
public enum StandardizationSource: String, Codable, Sendable, CaseIterable {
    /// The parent model's fitted values: the transferred network sees its inputs standardised as in its first
    /// training, and a small fine-tuning sample does not have to estimate them.
    case parent
    /// Fitted on the new training split, as a run without a parent does (`features.standardization`).
    case refit
}
