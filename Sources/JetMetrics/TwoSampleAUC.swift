/// The classifier two-sample test: the weighted AUC of a fresh classifier separating the (reweighted) source
/// from the target, trained on one half of the held-out jets and evaluated on the other; 0.5 means the
/// classifier finds no difference.
///
/// JSON keys: `auc_before` (source with its old weights), `auc_after` (reweighted), `training_jets`, `test_jets`.
public struct TwoSampleAUC: Codable, Equatable, Sendable {
    public var aucBefore: Double
    public var aucAfter: Double
    public var trainingJets: Int
    public var testJets: Int

    public init(aucBefore: Double, aucAfter: Double, trainingJets: Int, testJets: Int) {
        self.aucBefore = aucBefore
        self.aucAfter = aucAfter
        self.trainingJets = trainingJets
        self.testJets = testJets
    }

    private enum CodingKeys: String, CodingKey {
        case aucBefore = "auc_before", aucAfter = "auc_after", trainingJets = "training_jets", testJets = "test_jets"
    }
}
