import JetMetrics
import JetModels
import JetNN
import JetSaliency
import JetTestSupport
import Testing

@Suite struct SaliencyGradientTests {
    private let discriminant3 = try! TaggingDiscriminant(
        signalClass: 2, backgroundFractions: [(0, 0.3), (1, 0.7)])

    @Test func linearDeepSetsGradientIsTheProductOfItsWeights() throws {
        var (model, effective) = try linearDeepSets()
        let multiplicities: [Int32] = [3, 1, 4, 2]
        let jets = try randomJets(multiplicities: multiplicities, features: 3, seed: 1)
        let (values, gradients) = try model.saliencyGradients(jets, target: .binaryLogit)
        let rows = jets.offsets.constituentCount
        expectClose(gradients.storage, Array((0..<rows).map { _ in effective }.joined()), tolerance: .closedForm,
                    "linear Deep Sets gradient")

        // The logit itself: sum_p W_eff . x_p + n * W_head . b_phi + b_head, with W_head . b_phi = 20 * 1.5 = 30.
        for jet in 0..<jets.jetCount {
            var logit = -0.3 + 30 * Double(multiplicities[jet])
            for row in jets.offsets.rows(of: jet) {
                for f in 0..<3 { logit += Double(effective[f]) * Double(jets.constituents[row, f]) }
            }
            #expect(abs(values[jet] - logit) < 1e-4, "jet \(jet): logit \(values[jet]), by hand \(logit)")
        }
    }

    @Test(arguments: [false, true])
    func deepSetsGradientsMatchFiniteDifferences(batchNorm: Bool) throws {
        let config = DeepSetsConfig(
            inputFeatures: 4, jetFeatures: 2, constituentLayers: [8, 6], pooling: .sum, batchNorm: batchNorm,
            headLayers: [5], classes: 3)
        var model = try DeepSetsModel(config: config, seed: 7)
        try trainRunningStatistics(&model, features: 4, jetFeatures: 2)
        let jets = try randomJets(multiplicities: [3, 1, 5, 2], features: 4, jetFeatures: 2, seed: 2)
        for target in [SaliencyTarget.logit(index: 1), .discriminant(discriminant3)] {
            try checkAgainstFiniteDifferences(&model, jets: jets, target: target, label: "Deep Sets \(target)")
        }
    }

    @Test(arguments: [2, 3])
    func cnnGradientsMatchFiniteDifferences(classes: Int) throws {
        let config = CNN1DConfig(
            inputFeatures: 3, channels: [6, 6], kernelSize: 3, batchNorm: true, residual: true, headLayers: [4],
            classes: classes)
        var model = try CNN1DModel(config: config, seed: 3)
        try trainRunningStatistics(&model, features: 3)
        let jets = try randomJets(multiplicities: [4, 1, 6, 3], features: 3, seed: 4)
        let discriminant = classes == 2
            ? try TaggingDiscriminant(signalClass: 1, backgroundFractions: [(0, 1)])
            : discriminant3
        for target in [SaliencyTarget.binaryLogit, .discriminant(discriminant)] {
            try checkAgainstFiniteDifferences(&model, jets: jets, target: target, label: "CNN1D \(classes) classes \(target)")
        }
    }

    /// For one logit z, D = log(sigmoid(z) / (1 - sigmoid(z))) = z: the discriminant's value and gradient are the
    /// logit's.
    @Test func binaryDiscriminantEqualsTheLogit() throws {
        var model = try DeepSetsModel(
            config: DeepSetsConfig(inputFeatures: 3, constituentLayers: [5], headLayers: [4]), seed: 11)
        let jets = try randomJets(multiplicities: [2, 4, 1], features: 3, seed: 5)
        let logit = try model.saliencyGradients(jets, target: .binaryLogit)
        let discriminant = try model.saliencyGradients(
            jets, target: .discriminant(TaggingDiscriminant(signalClass: 1, backgroundFractions: [(0, 1)], epsilon: 1e-30)))
        expectClose(discriminant.values.map(Float.init), logit.values.map(Float.init), tolerance: .float32, "D vs logit")
        expectClose(discriminant.gradients.storage, logit.gradients.storage, tolerance: .float32, "dD/dx vs dz/dx")
    }

    /// Central differences of the sum of the targets over the batch: each jet's target depends on its own
    /// constituents only (evaluation mode), so this is every per-jet gradient at once.
    private func checkAgainstFiniteDifferences<Model: JetModel>(
        _ model: inout Model, jets: PackedJets, target: SaliencyTarget, label: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let analytic = try model.saliencyGradients(jets, target: target).gradients.storage
        var failure: Error?
        checkGradient(label, analytic: analytic, at: jets.constituents.storage, step: 1e-3,
                      sourceLocation: sourceLocation) { x in
            do {
                return try model.saliencyOutputs(replacingConstituents(of: jets, with: x), target: target).reduce(0, +)
            } catch {
                failure = error
                return .nan
            }
        }
        if let failure { throw failure }
    }
}
