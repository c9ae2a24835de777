import Foundation
import JetNN
import JetTestSupport
import Testing

/// One decaying weight and one non-decaying bias, both starting at 1.
private func weightAndBias() -> (Parameters, ParameterSlice, ParameterSlice) {
    var rng = SeededGenerator(seed: 0)
    var parameters = Parameters()
    let weight = parameters.add("w", shape: [1], decays: true, initializer: .constant(1), fanIn: 1, fanOut: 1, rng: &rng)
    let bias = parameters.add("b", shape: [1], decays: false, initializer: .constant(1), fanIn: 1, fanOut: 1, rng: &rng)
    return (parameters, weight, bias)
}

/// Runs `optimizer` for the given gradient sequence (same gradient on weight and bias); returns (w, b).
private func run(_ optimizer: some Optimizer, gradients: [Float]) -> (Float, Float) {
    var optimizer = optimizer
    var (parameters, weight, bias) = weightAndBias()
    for g in gradients {
        parameters.setGradients([g], of: weight)
        parameters.setGradients([g], of: bias)
        optimizer.step(&parameters)
    }
    return (parameters.values(of: weight)[0], parameters.values(of: bias)[0])
}

@Suite struct OptimizerTests {
    @Test func adamFirstStepIsLearningRateTimesSign() {
        // m = 0.05, v = 0.00025; bias-corrected 0.5 and 0.25, so the step is lr * 0.5 / (0.5 + eps).
        let (w, b) = run(Adam(learningRate: 0.1), gradients: [0.5])
        expectClose(w, 0.9, tolerance: .closedForm, "Adam weight")
        expectClose(b, 0.9, tolerance: .closedForm, "Adam bias")
    }

    @Test func adamTwoStepsWithCoupledDecayMatchHandComputation() {
        let (lr, b1, b2, eps, wd) = (0.01, 0.9, 0.999, 1e-8, 0.1)
        func expected(decays: Bool) -> Double {
            var (p, m, v) = (1.0, 0.0, 0.0)
            for (t, g0) in [0.5, -0.2].enumerated() {
                let g = g0 + (decays ? wd * p : 0)
                m = b1 * m + (1 - b1) * g
                v = b2 * v + (1 - b2) * g * g
                let mHat = m / (1 - pow(b1, Double(t + 1)))
                let vHat = v / (1 - pow(b2, Double(t + 1)))
                p -= lr * mHat / (vHat.squareRoot() + eps)
            }
            return p
        }
        let (w, b) = run(Adam(learningRate: 0.01, weightDecay: 0.1), gradients: [0.5, -0.2])
        expectClose(w, Float(expected(decays: true)), tolerance: .closedForm, "Adam L2 weight")
        expectClose(b, Float(expected(decays: false)), tolerance: .closedForm, "Adam L2 bias (no decay)")
    }

    @Test func adamWDecaysWeightsOnlyAndDecoupled() {
        // Weight: 1 * (1 - 0.1 * 0.1) = 0.99, then the Adam step -0.1 -> 0.89. Bias: no decay -> 0.9.
        let (w, b) = run(Adam.adamW(learningRate: 0.1, weightDecay: 0.1), gradients: [0.5])
        expectClose(w, 0.89, tolerance: .closedForm, "AdamW weight")
        expectClose(b, 0.9, tolerance: .closedForm, "AdamW bias")
    }

    @Test func sgdMomentumAndNesterov() {
        let (plain, _) = run(SGD(learningRate: 0.1), gradients: [0.5, 0.5])
        expectClose(plain, 0.9, tolerance: .closedForm, "SGD")
        // Heavy ball: b1 = 0.5, p = 0.95; b2 = 0.9 * 0.5 + 0.5 = 0.95, p = 0.855.
        let (heavyBall, _) = run(SGD(learningRate: 0.1, momentum: 0.9), gradients: [0.5, 0.5])
        expectClose(heavyBall, 0.855, tolerance: .closedForm, "SGD momentum")
        // Nesterov: direction g + 0.9 b: 0.95 then 0.5 + 0.9 * 0.95 = 1.355: p = 0.905, then 0.7695.
        let (nesterov, _) = run(SGD(learningRate: 0.1, momentum: 0.9, nesterov: true), gradients: [0.5, 0.5])
        expectClose(nesterov, 0.7695, tolerance: .closedForm, "SGD Nesterov")
        // Coupled decay on the weight only: g = 0.5 + 0.2 * 1.
        let (w, b) = run(SGD(learningRate: 0.1, weightDecay: 0.2), gradients: [0.5])
        expectClose(w, 0.93, tolerance: .closedForm, "SGD decayed weight")
        expectClose(b, 0.95, tolerance: .closedForm, "SGD bias")
    }

    @Test func optimizersSkipNonTrainableEntries() {
        var rng = SeededGenerator(seed: 0)
        var parameters = Parameters()
        let state = parameters.add("running", shape: [2], decays: false, initializer: .constant(3), fanIn: 1, fanOut: 1, trainable: false, rng: &rng)
        parameters.setGradients([1, 1], of: state)
        var adam = Adam(learningRate: 0.1)
        adam.step(&parameters)
        var sgd = SGD(learningRate: 0.1)
        sgd.step(&parameters)
        #expect(parameters.values(of: state) == [3, 3])
    }

    /// kind 0: AdamW, 1: SGD with Nesterov momentum.
    @Test(arguments: [0, 1])
    func resumingFromExportedStateMatchesAnUninterruptedRun(kind: Int) throws {
        let gradients: [[Float]] = [[0.5, -0.2], [0.1, 0.3], [-0.4, 0.2]]
        func fresh() -> any Optimizer {
            kind == 0 ? Adam.adamW(learningRate: 0.1, weightDecay: 0.1) : SGD(learningRate: 0.1, momentum: 0.9, nesterov: true)
        }
        func step(_ optimizer: inout any Optimizer, _ parameters: inout Parameters, _ g: [Float], _ slices: (ParameterSlice, ParameterSlice)) {
            parameters.setGradients([g[0]], of: slices.0)
            parameters.setGradients([g[1]], of: slices.1)
            optimizer.step(&parameters)
        }
        var (straight, weight, bias) = weightAndBias()
        var straightOptimizer = fresh()
        for g in gradients { step(&straightOptimizer, &straight, g, (weight, bias)) }

        var (resumed, _, _) = weightAndBias()
        var first = fresh()
        for g in gradients.prefix(2) { step(&first, &resumed, g, (weight, bias)) }
        var second = fresh()
        try second.loadState(first.exportState(), parameterCount: resumed.count)
        step(&second, &resumed, gradients[2], (weight, bias))
        #expect(resumed.values == straight.values)

        var wrongModel = fresh()
        #expect(throws: JetNNError.self) { try wrongModel.loadState(first.exportState(), parameterCount: 3) }
    }

    @Test func optimizerStateErrorsNameTheTensor() {
        var adam = Adam()
        #expect(throws: JetNNError.optimizerState(optimizer: "Adam", tensor: "first_moment", expected: 2, got: nil)) {
            try adam.loadState([NamedTensor(name: "step", shape: [1], values: [1])], parameterCount: 2)
        }
        #expect(JetNNError.optimizerState(optimizer: "Adam", tensor: "first_moment", expected: 2, got: 3).description
            == "Adam state 'first_moment': expected 2 values, got 3; the checkpoint belongs to another model")
    }
}
