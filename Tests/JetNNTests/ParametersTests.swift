import JetCore
import JetNN
import JetTestSupport
import Testing

@Suite struct ParametersTests {
    func makeParameters() -> (Parameters, ParameterSlice, ParameterSlice) {
        var rng = SeededGenerator(seed: 81)
        var parameters = Parameters()
        let weight = parameters.add("fc.weight", shape: [2, 3], decays: true, initializer: .heNormal, fanIn: 3, fanOut: 2, rng: &rng)
        let bias = parameters.add("fc.bias", shape: [2], decays: false, initializer: .constant(0.5), fanIn: 3, fanOut: 2, rng: &rng)
        return (parameters, weight, bias)
    }

    @Test func layoutIsFlatInRegistrationOrder() {
        let (parameters, weight, bias) = makeParameters()
        #expect(parameters.count == 8 && parameters.gradients.count == 8)
        #expect(weight.range == 0..<6 && bias.range == 6..<8)
        #expect(parameters.values(of: bias) == [0.5, 0.5])
        #expect(parameters.entry(named: "fc.bias") == bias)
    }

    /// Frozen entries: every optimizer leaves their values (no decay either) and its own state for them untouched,
    /// and gradient clipping ignores their gradients; the other entries still move.
    @Test func frozenEntriesAreLeftAloneByOptimizersAndClipping() {
        let optimizers: [any Optimizer] = [
            Adam(learningRate: 0.1, weightDecay: 0.5), Adam.adamW(learningRate: 0.1, weightDecay: 0.5),
            SGD(learningRate: 0.1, momentum: 0.9, weightDecay: 0.5),
        ]
        for var optimizer in optimizers {
            var (parameters, weight, bias) = makeParameters()
            parameters.freeze(["fc.weight", "no.such.entry"])
            #expect(parameters.entry(named: "fc.weight")?.trainable == false)
            #expect(parameters.entry(named: "fc.bias")?.trainable == true)
            let before = parameters.values
            for step in 0..<3 {
                parameters.setGradients((0..<6).map { Float($0 + step) * 10 }, of: weight)
                parameters.setGradients([0.3, -0.4], of: bias)
                // Only the bias counts: |(0.3, -0.4)| = 0.5.
                #expect(abs(parameters.clipGradientNorm(to: 100) - 0.5) < 1e-6)
                optimizer.step(&parameters)
            }
            #expect(parameters.values(of: weight).map(\.bitPattern) == before[weight.range].map(\.bitPattern))
            #expect(parameters.values(of: bias) != Array(before[bias.range]))
            for tensor in optimizer.exportState() where tensor.values.count == parameters.count {
                #expect(tensor.values[weight.range].allSatisfy { $0 == 0 }, "\(type(of: optimizer)) \(tensor.name)")
                #expect(tensor.values[bias.range].contains { $0 != 0 })
            }
        }
    }

    @Test func exportAndLoadRoundTripAndRejectMismatches() throws {
        let (parameters, weight, _) = makeParameters()
        let tensors = parameters.exportTensors()
        #expect(tensors.map(\.name) == ["fc.weight", "fc.bias"])
        #expect(tensors[0].shape == [2, 3] && tensors[0].values == parameters.values(of: weight))

        var (other, _, _) = makeParameters()
        other.setValues([Float](repeating: 9, count: 6), of: weight)
        try other.load(tensors)
        #expect(other.values == parameters.values)

        var wrongShape = tensors
        wrongShape[0].shape = [3, 2]
        #expect(throws: JetNNError.parameterShape(name: "fc.weight", expected: [2, 3], got: [3, 2])) { try other.load(wrongShape) }
        #expect(throws: JetNNError.missingParameter(name: "fc.bias")) { try other.load([tensors[0]]) }
        let unknown = NamedTensor(name: "conv.weight", shape: [1], values: [0])
        #expect(throws: JetNNError.unknownParameter(name: "conv.weight")) { try other.load(tensors + [unknown]) }
        #expect(JetNNError.parameterShape(name: "fc.weight", expected: [2, 3], got: [3, 2]).description
            == "parameter 'fc.weight': expected shape [2, 3], got [3, 2]")
    }

    @Test func initializersHaveTheirScale() {
        var rng = SeededGenerator(seed: 82)
        var parameters = Parameters()
        let n = 200 * 300
        let glorot = parameters.add("g", shape: [200, 300], decays: true, initializer: .glorotUniform, fanIn: 300, fanOut: 200, rng: &rng)
        let he = parameters.add("h", shape: [200, 300], decays: true, initializer: .heNormal, fanIn: 300, fanOut: 200, rng: &rng)
        let bound = (6.0 / 500).squareRoot()
        let glorotValues = parameters.values(of: glorot)
        #expect(glorotValues.allSatisfy { abs(Double($0)) <= bound })
        // Variance bound^2 / 3 = 2 / 500 for Glorot uniform, 2 / fanIn for He normal; 2% is > 5 standard errors.
        func variance(_ v: [Float]) -> Double { v.reduce(0) { $0 + Double($1) * Double($1) } / Double(n) }
        #expect(abs(variance(glorotValues) / (2.0 / 500) - 1) < 0.02)
        #expect(abs(variance(parameters.values(of: he)) / (2.0 / 300) - 1) < 0.02)
    }

    @Test func penaltiesApplyToDecayingWeightsOnly() {
        var (parameters, weight, bias) = makeParameters()
        parameters.setValues([1, -2, 0, 0.5, 3, -1], of: weight)
        let penalty = parameters.addPenaltyGradients(l1: 0.1, l2: 0.01)
        // l1 * 7.5 + l2 * (1 + 4 + 0 + 0.25 + 9 + 1)
        expectClose(penalty, 0.75 + 0.1525, tolerance: .closedForm, "penalty")
        expectClose(parameters.gradients(of: weight), [0.12, -0.14, 0, 0.11, 0.16, -0.12], tolerance: .closedForm, "penalty gradient")
        #expect(parameters.gradients(of: bias) == [0, 0])
    }

    @Test func clippingScalesToTheMaximumNorm() {
        var (parameters, weight, bias) = makeParameters()
        parameters.setGradients([3, 0, 0, 0, 0, 0], of: weight)
        parameters.setGradients([0, 4], of: bias)
        #expect(parameters.gradientNorm() == 5)
        let norm = parameters.clipGradientNorm(to: 1)
        #expect(norm == 5)
        expectClose(parameters.gradients, [0.6, 0, 0, 0, 0, 0, 0, 0.8], tolerance: .closedForm, "clipped gradients")
        let unchanged = parameters.gradients
        parameters.clipGradientNorm(to: 2)
        #expect(parameters.gradients == unchanged, "below the maximum nothing changes")
    }
}
