import Foundation
import JetNN

extension JetSet {
    /// p(label 1 | x) of a binary model for every jet [B], in evaluation mode; the mean over `models` (an
    /// ensemble) when there are several.
    public func probabilities(models: inout [any JetModel], batchSize: Int = 2048) throws -> [Float] {
        var result = [Float](repeating: 0, count: count)
        for m in models.indices {
            precondition(models[m].logitCount == 1, "JetSet.probabilities: a binary model (one logit) is needed")
            for start in stride(from: 0, to: count, by: batchSize) {
                let range = start..<min(start + batchSize, count)
                let logits = try models[m].forward(batch(range), training: false)
                for (row, jet) in range.enumerated() {
                    result[jet] += 1 / (1 + exp(-logits.storage[row])) / Float(models.count)
                }
            }
        }
        return result
    }
}
