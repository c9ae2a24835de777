import JetMetrics
import JetModels
import JetNN
import JetSaliency
import JetTestSupport
import Testing

@Suite struct IntegratedGradientsTests {
    /// The gradient of a linear model is constant, so every rule and step count gives W_eff * (x - x') exactly.
    @Test(arguments: [IntegratedGradientsOptions.Rule.midpoint, .trapezoid])
    func linearModelAttributionsAreWeightsTimesDisplacement(rule: IntegratedGradientsOptions.Rule) throws {
        var (model, effective) = try linearDeepSets()
        let jets = try randomJets(multiplicities: [3, 1, 4], features: 3, seed: 21)
        let baseline: [Float] = [0.3, -0.2, 0.5]
        let result = try model.integratedGradients(
            jets, target: .binaryLogit, options: IntegratedGradientsOptions(steps: 3, rule: rule, baseline: baseline))
        var expected: [Float] = []
        for row in 0..<jets.constituents.rows {
            for f in 0..<3 { expected.append(effective[f] * (jets.constituents[row, f] - baseline[f])) }
        }
        expectClose(result.attributions.storage, expected, tolerance: .float32, "linear attributions (\(rule))")
        for jet in 0..<jets.jetCount {
            let difference = result.values[jet] - result.baselineValues[jet]
            #expect(abs(result.attributionSums[jet] - difference) < 1e-4,
                    "jet \(jet): sum \(result.attributionSums[jet]), output difference \(difference)")
        }
    }

    /// One trapezoid step averages the gradients at the baseline and at the input: (x - x') (g(x') + g(x)) / 2.
    @Test func oneTrapezoidStepAveragesTheEndGradients() throws {
        var model = try DeepSetsModel(
            config: DeepSetsConfig(inputFeatures: 3, constituentLayers: [6], headLayers: [4], classes: 3), seed: 5)
        let jets = try randomJets(multiplicities: [2, 3], features: 3, seed: 22)
        let target = SaliencyTarget.logit(index: 2)
        let atInput = try model.saliencyGradients(jets, target: target).gradients.storage
        let zero = replacingConstituents(of: jets, with: [Float](repeating: 0, count: jets.constituents.count))
        let atBaseline = try model.saliencyGradients(zero, target: target).gradients.storage
        let result = try model.integratedGradients(
            jets, target: target, options: IntegratedGradientsOptions(steps: 1, rule: .trapezoid))
        let expected = jets.constituents.storage.indices.map { i in
            jets.constituents.storage[i] * (atInput[i] + atBaseline[i]) / 2
        }
        expectClose(result.attributions.storage, expected, tolerance: .float32, "one trapezoid step")
    }

    /// Completeness on a nonlinear model: the reported error shrinks as the number of steps grows and is below
    /// 1% of |output(x) - output(x')| for every jet with 2048 midpoint steps. (ReLU kinks on the path make the
    /// error fall like 1/m rather than the 1/m^2 of a smooth integrand.)
    @Test func completenessErrorShrinksWithMoreSteps() throws {
        let config = DeepSetsConfig(
            inputFeatures: 4, constituentLayers: [16, 8], pooling: .sum, batchNorm: true, headLayers: [8], classes: 3)
        var model = try DeepSetsModel(config: config, seed: 9)
        try trainRunningStatistics(&model, features: 4)
        let jets = try randomJets(multiplicities: [6, 2, 9, 4, 7, 3], features: 4, seed: 23)
        let target = SaliencyTarget.discriminant(
            try TaggingDiscriminant(signalClass: 0, backgroundFractions: [(1, 0.5), (2, 0.5)]))
        var meanErrors: [Double] = []
        var last: CompletenessCheck?
        for steps in [1, 4, 16, 256, 2048] {
            let options = SaliencyOptions(
                target: target, featureNames: ["a", "b", "c", "d"], maxConstituents: 9,
                integratedGradients: IntegratedGradientsOptions(steps: steps))
            let report = try SaliencyAnalysis.run(model: model, jets: jets, options: options)
            let check = try #require(report.integratedGradients?.completeness)
            meanErrors.append(check.meanAbsoluteError)
            last = check
        }
        #expect(zip(meanErrors, meanErrors.dropFirst()).allSatisfy { $1 < $0 }, "mean |error| by steps: \(meanErrors)")
        let check = try #require(last)
        #expect(check.maxRelativeError < 1e-2, "relative errors with 2048 steps: \(check.relativeError)")
        #expect(check.absoluteError.count == jets.jetCount)
        #expect(meanErrors[0] > 100 * meanErrors[4], "mean |error| by steps: \(meanErrors)")
    }
}
