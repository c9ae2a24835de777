import Foundation

/// Adam (Kingma & Ba) with bias correction, and AdamW (Loshchilov & Hutter) when `decoupledWeightDecay` is true.
///
/// With g the gradient, t the step count (from 1):
/// m = beta1 m + (1 - beta1) g, v = beta2 v + (1 - beta2) g^2,
/// p -= lr * (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + epsilon), as PyTorch's `Adam`/`AdamW`.
/// Weight decay applies only to entries with `decays` (weights, not biases or norm parameters):
/// coupled (Adam) adds weightDecay * p to g; decoupled (AdamW) first multiplies p by (1 - lr * weightDecay).
public struct Adam: Optimizer {
    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    public var weightDecay: Float
    public var decoupledWeightDecay: Bool
    /// Number of steps taken.
    public private(set) var stepCount = 0
    private var firstMoment: [Float] = []
    private var secondMoment: [Float] = []

    public init(
        learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
        weightDecay: Float = 0, decoupledWeightDecay: Bool = false
    ) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
    }

    /// AdamW: Adam with decoupled weight decay (PyTorch's default decay 0.01).
    public static func adamW(
        learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
        weightDecay: Float = 0.01
    ) -> Adam {
        Adam(
            learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
            weightDecay: weightDecay, decoupledWeightDecay: true)
    }

    public mutating func step(_ parameters: inout Parameters) {
        if firstMoment.isEmpty {
            firstMoment = [Float](repeating: 0, count: parameters.count)
            secondMoment = firstMoment
        }
        precondition(
            firstMoment.count == parameters.count,
            "Adam: parameter count changed from \(firstMoment.count) to \(parameters.count) since the first step")
        stepCount += 1
        let t = Float(stepCount)
        let entries = parameters.entries
        let settings = AdamStep(
            beta1: beta1, beta2: beta2, epsilon: epsilon, stepSize: learningRate / (1 - pow(beta1, t)),
            inverseSqrtCorrection2: 1 / (1 - pow(beta2, t)).squareRoot())
        let (weightDecay, decoupled, shrink) = (weightDecay, decoupledWeightDecay, 1 - learningRate * weightDecay)
        parameters.values.withUnsafeMutableBufferPointer { p in
            parameters.gradients.withUnsafeBufferPointer { g in
                firstMoment.withUnsafeMutableBufferPointer { m in
                    secondMoment.withUnsafeMutableBufferPointer { v in
                        for entry in entries where entry.trainable {
                            let decays = entry.decays && weightDecay != 0
                            adamUpdate(
                                p.baseAddress! + entry.offset, g.baseAddress! + entry.offset,
                                m.baseAddress! + entry.offset, v.baseAddress! + entry.offset, count: entry.count,
                                settings: settings, coupledDecay: decays && !decoupled ? weightDecay : 0,
                                shrink: decays && decoupled ? shrink : 1)
                        }
                    }
                }
            }
        }
    }
}

extension Adam {
    /// "first_moment" and "second_moment" [P], "step" [1] (the step count, exact up to 2^24 steps).
    public func exportState() -> [NamedTensor] {
        guard stepCount > 0 else { return [] }
        return [
            NamedTensor(name: "first_moment", shape: [firstMoment.count], values: firstMoment),
            NamedTensor(name: "second_moment", shape: [secondMoment.count], values: secondMoment),
            NamedTensor(name: "step", shape: [1], values: [Float(stepCount)]),
        ]
    }

    public mutating func loadState(_ tensors: [NamedTensor], parameterCount: Int) throws(JetNNError) {
        guard !tensors.isEmpty else {
            (firstMoment, secondMoment, stepCount) = ([], [], 0)
            return
        }
        let first = try stateTensor("first_moment", count: parameterCount, in: tensors, optimizer: "Adam")
        let second = try stateTensor("second_moment", count: parameterCount, in: tensors, optimizer: "Adam")
        let step = try stateTensor("step", count: 1, in: tensors, optimizer: "Adam")
        (firstMoment, secondMoment, stepCount) = (first, second, Int(step[0]))
    }
}

/// The per-step constants of an Adam update.
private struct AdamStep {
    let beta1: Float
    let beta2: Float
    let epsilon: Float
    /// lr / (1 - beta1^t)
    let stepSize: Float
    /// 1 / sqrt(1 - beta2^t)
    let inverseSqrtCorrection2: Float
}

/// One Adam update of `count` parameters: p *= shrink (decoupled decay), g' = g + coupledDecay * p, moments, step.
private func adamUpdate(
    _ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>,
    _ v: UnsafeMutablePointer<Float>, count: Int, settings: AdamStep, coupledDecay: Float, shrink: Float
) {
    let (beta1, beta2, epsilon) = (settings.beta1, settings.beta2, settings.epsilon)
    let (stepSize, inverseSqrtCorrection2) = (settings.stepSize, settings.inverseSqrtCorrection2)
    for i in 0..<count {
        p[i] *= shrink
        let gradient = g[i] + coupledDecay * p[i]
        m[i] = beta1 * m[i] + (1 - beta1) * gradient
        v[i] = beta2 * v[i] + (1 - beta2) * gradient * gradient
        p[i] -= stepSize * m[i] / (v[i].squareRoot() * inverseSqrtCorrection2 + epsilon)
    }
}
