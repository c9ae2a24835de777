/// Stochastic gradient descent with optional momentum (heavy-ball or Nesterov) and coupled L2 weight decay,
/// as PyTorch's `SGD` with dampening 0:
/// g += weightDecay * p (entries with `decays` only); b = momentum * b + g (b = g on the first step);
/// update direction g + momentum * b (Nesterov) or b; p -= lr * direction.
public struct SGD: Optimizer {
    public var learningRate: Float
    public var momentum: Float
    public var nesterov: Bool
    public var weightDecay: Float
    private var velocity: [Float] = []

    public init(learningRate: Float, momentum: Float = 0, nesterov: Bool = false, weightDecay: Float = 0) {
        precondition(!nesterov || momentum > 0, "SGD: Nesterov needs momentum > 0")
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
    }

    public mutating func step(_ parameters: inout Parameters) {
        let firstStep = velocity.isEmpty
        if firstStep { velocity = [Float](repeating: 0, count: parameters.count) }
        precondition(
            velocity.count == parameters.count,
            "SGD: parameter count changed from \(velocity.count) to \(parameters.count) since the first step")
        let (learningRate, momentum, nesterov, weightDecay) = (learningRate, momentum, nesterov, weightDecay)
        let entries = parameters.entries
        parameters.values.withUnsafeMutableBufferPointer { p in
            parameters.gradients.withUnsafeBufferPointer { g in
                velocity.withUnsafeMutableBufferPointer { b in
                    for entry in entries where entry.trainable {
                        sgdUpdate(
                            p.baseAddress! + entry.offset, g.baseAddress! + entry.offset, b.baseAddress! + entry.offset,
                            count: entry.count, learningRate: learningRate, momentum: momentum, nesterov: nesterov,
                            decay: entry.decays ? weightDecay : 0, firstStep: firstStep)
                    }
                }
            }
        }
    }
}

extension SGD {
    /// "velocity" [P] (the momentum buffer).
    public func exportState() -> [NamedTensor] {
        velocity.isEmpty ? [] : [NamedTensor(name: "velocity", shape: [velocity.count], values: velocity)]
    }

    public mutating func loadState(_ tensors: [NamedTensor], parameterCount: Int) throws(JetNNError) {
        velocity = tensors.isEmpty ? [] : try stateTensor("velocity", count: parameterCount, in: tensors, optimizer: "SGD")
    }
}

/// One SGD update of `count` parameters with velocity b (see ``SGD``).
private func sgdUpdate(
    _ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ b: UnsafeMutablePointer<Float>, count: Int,
    learningRate: Float, momentum: Float, nesterov: Bool, decay: Float, firstStep: Bool
) {
    for i in 0..<count {
        let gradient = g[i] + decay * p[i]
        guard momentum != 0 else {
            p[i] -= learningRate * gradient
            continue
        }
        b[i] = firstStep ? gradient : momentum * b[i] + gradient
        p[i] -= learningRate * (nesterov ? gradient + momentum * b[i] : b[i])
    }
}
