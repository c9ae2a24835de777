import Foundation
import JetMetrics
import JetNN

extension SaliencyTarget {
    /// Number of classes a model with `logitCount` logits predicts (a single logit stands for two classes).
    static func classCount(logitCount: Int) -> Int { logitCount == 1 ? 2 : logitCount }

    /// Throws unless the target can be computed from `logitCount` logits.
    func validate(logitCount: Int) throws(JetMetricsError) {
        switch self {
        case let .logit(index):
            guard (0..<logitCount).contains(index) else {
                throw .invalidArgument(
                    name: "saliency logit index", value: "\(index)",
                    expected: "an index below the model's \(logitCount) logits")
            }
        case let .discriminant(discriminant):
            let classCount = Self.classCount(logitCount: logitCount)
            let largest = ([discriminant.signalClass] + discriminant.backgroundClasses).max() ?? 0
            guard largest < classCount else {
                throw .classOutOfRange(
                    array: "saliency discriminant classes", index: 0, value: largest, classCount: classCount)
            }
        }
    }

    /// The target for every jet and its derivative with respect to the logits.
    ///
    /// For the discriminant the chain runs through the class probabilities p: with g = dD/dp
    /// (g_s = 1 / (p_s + eps), g_k -= f_k / (sum_k f_k p_k + eps)), softmax gives
    /// dD/dz_j = p_j (g_j - sum_i g_i p_i) and a single sigmoid logit dD/dz = (g_1 - g_0) p_0 p_1. Computed in Double.
    ///
    /// - Parameters:
    ///   - logits: [B, L] model outputs.
    ///   - values: set to the B target values.
    ///   - dLogits: set to d(target)/d(logits) [B, L].
    func evaluate(logits: Matrix, values: inout [Double], dLogits: inout Matrix) {
        let (jetCount, logitCount) = (logits.rows, logits.columns)
        values = [Double](repeating: 0, count: jetCount)
        dLogits = Matrix(rows: jetCount, columns: logitCount)
        switch self {
        case let .logit(index):
            for jet in 0..<jetCount {
                values[jet] = Double(logits[jet, index])
                dLogits[jet, index] = 1
            }
        case let .discriminant(discriminant):
            let classCount = Self.classCount(logitCount: logitCount)
            var p = [Double](repeating: 0, count: classCount)
            var g = p
            for jet in 0..<jetCount {
                Self.probabilities(logits, jet: jet, into: &p)
                let signal = p[discriminant.signalClass] + discriminant.epsilon
                var mix = discriminant.epsilon
                for (k, c) in discriminant.backgroundClasses.enumerated() {
                    mix += discriminant.backgroundFractions[k] * p[c]
                }
                values[jet] = log(signal / mix)
                for c in g.indices { g[c] = 0 }
                g[discriminant.signalClass] = 1 / signal
                for (k, c) in discriminant.backgroundClasses.enumerated() {
                    g[c] -= discriminant.backgroundFractions[k] / mix
                }
                if logitCount == 1 {
                    dLogits[jet, 0] = Float((g[1] - g[0]) * p[0] * p[1])
                } else {
                    var gp = 0.0
                    for c in 0..<classCount { gp += g[c] * p[c] }
                    for c in 0..<classCount { dLogits[jet, c] = Float(p[c] * (g[c] - gp)) }
                }
            }
        }
    }

    /// Class probabilities of one jet: softmax of its logits, or (1 - sigmoid(z), sigmoid(z)) for one logit.
    private static func probabilities(_ logits: Matrix, jet: Int, into p: inout [Double]) {
        if logits.columns == 1 {
            let z = Double(logits[jet, 0])
            let positive = z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
            p[0] = 1 - positive
            p[1] = positive
            return
        }
        var largest = -Double.infinity
        for c in 0..<logits.columns { largest = max(largest, Double(logits[jet, c])) }
        var sum = 0.0
        for c in 0..<logits.columns {
            p[c] = exp(Double(logits[jet, c]) - largest)
            sum += p[c]
        }
        for c in 0..<logits.columns { p[c] /= sum }
    }
}
