import JetMetrics

extension SaliencySelection {
    /// Whether the selection needs per-jet class labels.
    var needsLabels: Bool { label != nil }
    /// Whether the selection needs per-jet scores.
    var needsScores: Bool { minScore != nil || maxScore != nil }

    /// Whether a jet with these properties is selected (`label` and `score` must be given when needed).
    func contains(label jetLabel: Int?, multiplicity jetMultiplicity: Int, score: Float?) -> Bool {
        if let label, jetLabel != label { return false }
        if let multiplicity, jetMultiplicity != multiplicity { return false }
        if let minScore, !(score.map { Double($0) >= minScore } ?? false) { return false }
        if let maxScore, !(score.map { Double($0) < maxScore } ?? false) { return false }
        return true
    }
}
