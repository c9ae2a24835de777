import Foundation
import JetNN

extension JetSet {
    /// p(label 1 | x) of a binary model for every jet [B], in inference mode (see
    /// ``JetModel/inferenceLogits(jetCount:jetsPerForward:jets:)``); the mean over `models` (an ensemble) when there
    /// are several.
    public func probabilities(models: [any JetModel]) throws -> [Float] {
        var result = [Float](repeating: 0, count: count)
        for model in models {
            precondition(model.logitCount == 1, "JetSet.probabilities: a binary model (one logit) is needed")
            let logits = try model.inferenceLogits(jetCount: count) { batch($0) }
            for jet in 0..<count { result[jet] += 1 / (1 + exp(-logits.storage[jet])) / Float(models.count) }
        }
        return result
    }
}
