/// The classifier two-sample test: the weighted AUC of a fresh classifier separating the (reweighted) source
/// from the target, trained on one half of the held-out jets and evaluated on the other (and, as a second run,
/// the other way round); 0.5 means the classifier finds no difference.
///
/// The AUC of one run is noisy (the test half's effective sample size is small with steeply falling weights,
/// and the fresh classifier's training adds its own spread), so there are several runs: `auc_before` /
/// `auc_after` are the means over them and `auc_before_runs` / `auc_after_runs` list each.
///
/// JSON keys: `auc_before` (source with its old weights), `auc_after` (reweighted), `auc_before_runs`,
/// `auc_after_runs`, `training_jets` (jets of the first half), `test_jets` (jets of the second half).
public struct TwoSampleAUC: Codable, Equatable, Sendable {
    public var aucBeforeRuns: [Double]
    public var aucAfterRuns: [Double]
    public var trainingJets: Int
    public var testJets: Int

    public init(aucBeforeRuns: [Double], aucAfterRuns: [Double], trainingJets: Int, testJets: Int) {
        self.aucBeforeRuns = aucBeforeRuns
        self.aucAfterRuns = aucAfterRuns
        self.trainingJets = trainingJets
        self.testJets = testJets
    }

    /// Mean AUC over the runs, source with its old weights.
    public var aucBefore: Double { aucBeforeRuns.reduce(0, +) / Double(max(aucBeforeRuns.count, 1)) }
    /// Mean AUC over the runs, reweighted source.
    public var aucAfter: Double { aucAfterRuns.reduce(0, +) / Double(max(aucAfterRuns.count, 1)) }

    private enum CodingKeys: String, CodingKey {
        case aucBefore = "auc_before", aucAfter = "auc_after", aucBeforeRuns = "auc_before_runs", aucAfterRuns = "auc_after_runs"
        case trainingJets = "training_jets", testJets = "test_jets"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            aucBeforeRuns: try c.decode([Double].self, forKey: .aucBeforeRuns), aucAfterRuns: try c.decode([Double].self, forKey: .aucAfterRuns),
            trainingJets: try c.decode(Int.self, forKey: .trainingJets), testJets: try c.decode(Int.self, forKey: .testJets))
    }

    /// Writes the runs and, for convenience, their means.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(aucBefore, forKey: .aucBefore)
        try c.encode(aucAfter, forKey: .aucAfter)
        try c.encode(aucBeforeRuns, forKey: .aucBeforeRuns)
        try c.encode(aucAfterRuns, forKey: .aucAfterRuns)
        try c.encode(trainingJets, forKey: .trainingJets)
        try c.encode(testJets, forKey: .testJets)
    }
}
