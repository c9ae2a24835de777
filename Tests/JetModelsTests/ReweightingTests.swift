import Foundation
import JetCore
import JetData
@testable import JetFeatures
@testable import JetModels
import JetNN
import JetTestSupport
import Testing

@Suite struct ReweightingTests {
    @Test func densityRatioClipsCapsAndCounts() {
        let ratio = DensityRatio(epsilon: 0.1, cap: 5, normalization: 2)
        var counts = DensityRatio.Counts()
        // f: 0.5 -> 1; 0.05 -> clipped to 0.1 -> 1/9; 0.95 -> clipped to 0.9 -> 9 -> capped 5; 0.8 -> 4; 0.85 -> 5.67 -> capped 5.
        let weights = ratio.weights(old: [1, -2, 1, 0.5, 1], scores: [0.5, 0.05, 0.95, 0.8, 0.85], counts: &counts)
        let expected: [Float] = [2, -4.0 / 9, 10, 4, 10]
        #expect(zip(weights, expected).allSatisfy { abs($0 - $1) < 1e-5 }, "\(weights)")
        #expect(counts.jets == 5 && counts.clippedLow == 1 && counts.clippedHigh == 1 && counts.capped == 2)
    }

    /// Labels drawn with p = sigmoid(2 z + 0.5) for logits z of the given probabilities: the fit recovers slope 2
    /// and offset 0.5 (20000 jets: statistical errors about 0.03; tolerance 0.1), and calibrating the calibrated
    /// probabilities changes nothing.
    @Test func logitCalibrationRecoversAKnownScale() {
        var generator = JetCore.SeededGenerator(seed: 9)
        func uniform() -> Float { Float(generator.next() >> 11) / Float(1 << 53) }
        let probabilities = (0..<20000).map { _ in 0.05 + 0.9 * uniform() }
        let labels = probabilities.map { p -> Int32 in
            let z = log(p / (1 - p))
            return uniform() < 1 / (1 + exp(-(2 * z + 0.5))) ? 1 : 0
        }
        let weights = [Float](repeating: 1, count: labels.count)
        let calibration = LogitCalibration.fit(probabilities: probabilities, labels: labels, weights: weights)
        #expect(abs(calibration.slope - 2) < 0.1 && abs(calibration.offset - 0.5) < 0.1, "\(calibration)")
        let again = LogitCalibration.fit(probabilities: probabilities.map { calibration($0) }, labels: labels, weights: weights)
        #expect(abs(again.slope - 1) < 1e-3 && abs(again.offset) < 1e-3, "\(again)")
        var counts = DensityRatio.Counts()
        let ratio = DensityRatio(calibration: calibration).ratio(0.5, counts: &counts)
        #expect(abs(ratio - Float(exp(calibration.offset))) < 1e-4)
    }

    /// Dropping negative weights keeps the observables, jet indices and the source count aligned with the jets.
    @Test func dropKeepsEverythingAligned() {
        let jets = samples(count: 200, negativeWeights: true, seed: 4)
        let data = ReweightingData(
            jets: jets, sourceCount: 200, observables: [.pt: jets.weights], jetIndices: (0..<Int64(jets.count)).map { $0 })
        let dropped = ReweightingRun.transformed(data, .drop)
        #expect(dropped.jets.count == jets.weights.filter { $0 >= 0 }.count)
        #expect(dropped.observables[.pt] == dropped.jets.weights)
        #expect(dropped.sourceCount == 200)
        #expect(dropped.jetIndices.map { jets.weights[Int($0)] } == dropped.jets.weights)
    }

    /// Cross-training: appending jets to a set loses nothing, and member i's split puts exactly the jets of its
    /// validation fold (event_number % modulus) in validation, in order, with their weights.
    @Test func crossTrainingSplitsThePoolByFold() {
        let jets = samples(count: 50, negativeWeights: true, seed: 6)
        var pool = jets.subset(Array(0..<60), weights: Array(jets.weights[0..<60]))
        pool.append(contentsOf: jets.subset(Array(60..<100), weights: Array(jets.weights[60..<100])))
        #expect(pool.count == 100 && pool.inputs.constituents == jets.inputs.constituents && pool.inputs.offsets == jets.inputs.offsets)
        #expect(pool.labels == jets.labels && pool.weights == jets.weights && pool.eventNumbers == jets.eventNumbers)
        let (training, validation) = ReweightingRun.split(pool, validationFold: 2, modulus: 4)
        let inFold = pool.eventNumbers.indices.filter { pool.eventNumbers[$0] % 4 == 2 }
        #expect(validation.weights == inFold.map { pool.weights[$0] })
        #expect(validation.inputs.constituents.storage == inFold.map { pool.inputs.constituents.storage[$0] })
        #expect(training.eventNumbers.allSatisfy { $0 % 4 != 2 } && training.count == pool.count - inFold.count)
    }

    /// Poisson(1) counts of 200000 events: mean and variance 1 (standard errors 0.0022 and 0.0035; tolerance
    /// 0.01 and 0.015) and P(0) = P(1) = 1/e, P(2) = 1/(2e) (standard errors about 0.001; tolerance 0.005).
    /// The count depends only on (seed, replica, sample, event number): the same in a shuffled set, and another
    /// replica or sample draws others.
    @Test func bootstrapCountsArePoissonOneAndDeterministic() {
        let replica = BootstrapReplica(seed: 7, index: 2)
        let counts = (0..<200_000).map { replica.count(sample: 1, eventNumber: Int64($0) * 3 + 1_000_000) }
        let mean = Double(counts.reduce(0, +)) / Double(counts.count)
        let variance = counts.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(counts.count - 1)
        #expect(abs(mean - 1) < 0.01 && abs(variance - 1) < 0.015, "mean \(mean), variance \(variance)")
        for (k, expected) in [(0, exp(-1.0)), (1, exp(-1.0)), (2, exp(-1.0) / 2)] {
            let fraction = Double(counts.filter { $0 == k }.count) / Double(counts.count)
            #expect(abs(fraction - expected) < 0.005, "P(\(k)) = \(fraction)")
        }
        #expect(counts.allSatisfy { $0 >= 0 } && counts.max()! < 12)
        let again = (0..<200_000).reversed().map { replica.count(sample: 1, eventNumber: Int64($0) * 3 + 1_000_000) }
        #expect(Array(again.reversed()) == counts)
        let other = BootstrapReplica(seed: 7, index: 3)
        let firstThousand = Array(counts.prefix(1000))
        #expect((0..<1000).map { other.count(sample: 1, eventNumber: Int64($0) * 3 + 1_000_000) } != firstThousand)
        #expect((0..<1000).map { replica.count(sample: 0, eventNumber: Int64($0) * 3 + 1_000_000) } != firstThousand)
        #expect((0..<1000).map { BootstrapReplica(seed: 8, index: 2).count(sample: 1, eventNumber: Int64($0) * 3 + 1_000_000) } != firstThousand)

        // resampled(_:) multiplies each jet's weight by its own event's count, whatever the jets' order.
        let jets = samples(count: 300, negativeWeights: true, seed: 8)
        let resampled = replica.resampled(jets)
        for jet in 0..<jets.count {
            #expect(resampled.weights[jet] == jets.weights[jet] * Float(replica.count(sample: jets.labels[jet], eventNumber: jets.eventNumbers[jet])))
        }
        let reversedOrder = Array((0..<jets.count).reversed())
        let shuffled = replica.resampled(jets.subset(reversedOrder, weights: reversedOrder.map { jets.weights[$0] }))
        #expect(Array(shuffled.weights.reversed()) == resampled.weights)
        #expect(resampled.weights != jets.weights)
    }

    @Test func strategiesTransformWeights() {
        #expect(NegativeWeightStrategy.signed.transformed(-2) == -2)
        #expect(NegativeWeightStrategy.abs.transformed(-2) == 2)
        #expect(NegativeWeightStrategy.drop.transformed(-2) == nil)
        #expect(NegativeWeightStrategy.drop.transformed(3) == 3)
    }

    /// Jets with one constituent carrying x: source x ~ N(0, 1) with weight 1, target x ~ N(0.5, 1), so
    /// p_T / p_S = exp(0.5 x - 0.125). With `negativeFraction` p(x) = 0.3 below x = 0.5 and 0.05 above, each
    /// target jet's weight is -1 / (1 - 2p) with probability p, else 1 / (1 - 2p): the signed density is
    /// unchanged, the density of |w| is not. With `jetFeature`, x is also the jet's one jet-level feature.
    private func samples(count: Int, negativeWeights: Bool, seed: UInt64, jetFeature: Bool = false) -> JetSet {
        var generator = JetCore.SeededGenerator(seed: seed)
        func uniform() -> Float { Float(generator.next() >> 11) / Float(1 << 53) }
        func gaussian() -> Float { (-2 * log(max(uniform(), 1e-12))).squareRoot() * cos(2 * .pi * uniform()) }
        var set = JetSet(featureCount: 1, jetFeatureCount: jetFeature ? 1 : 0)
        for label in [Int32(0), 1] {
            let x = (0..<count).map { _ in gaussian() + (label == 1 ? 0.5 : 0) }
            let weights = x.map { value -> Float in
                guard label == 1, negativeWeights else { return 1 }
                let p: Float = value < 0.5 ? 0.3 : 0.05
                return (uniform() < p ? -1 : 1) / (1 - 2 * p)
            }
            set.append(
                PackedFeatureBatch(
                    constituentFeatureCount: 1, jetFeatureCount: jetFeature ? 1 : 0, offsets: Array(0...count),
                    constituentFeatures: x, jetFeatures: jetFeature ? x : []),
                labels: [Int32](repeating: label, count: count), weights: weights,
                eventNumbers: (0..<count).map(Int64.init), fields: [:])
        }
        return set
    }

    private let config = RunConfig(
        data: DataConfig(files: ["synthetic"], classNames: ["source", "target"]),
        features: FeatureSpec(maxConstituents: 1, constituentVariables: [VariableSpec("x", subtractBy: 0, multiplyBy: 1)]),
        model: ModelArchitecture(deepSets: DeepSetsConfig(inputFeatures: 1, constituentLayers: [16], headLayers: [16])),
        training: TrainingConfig(learningRate: 3e-3, batchSize: 256, epochs: 12, patience: 0, seed: 3))

    /// As `config`, but an MLP on x given as the one jet-level feature.
    private let mlpConfig = RunConfig(
        data: DataConfig(files: ["synthetic"], classNames: ["source", "target"]),
        features: FeatureSpec(
            maxConstituents: 1, constituentVariables: [VariableSpec("x", subtractBy: 0, multiplyBy: 1)],
            jetVariables: [VariableSpec("x", subtractBy: 0, multiplyBy: 1)]),
        model: ModelArchitecture(mlp: MLPConfig(jetFeatures: 1, hiddenLayers: [16, 16])),
        training: TrainingConfig(learningRate: 3e-3, batchSize: 256, epochs: 12, patience: 0, seed: 3))

    /// x on a grid where both densities are well populated, one jet per point.
    private let grid: [Float] = stride(from: -1.5, through: 1.5, by: 0.25).map { Float($0) }

    private func gridSet(weights: [Float]? = nil, jetFeature: Bool = false) -> JetSet {
        var set = JetSet(featureCount: 1, jetFeatureCount: jetFeature ? 1 : 0)
        set.append(
            PackedFeatureBatch(
                constituentFeatureCount: 1, jetFeatureCount: jetFeature ? 1 : 0, offsets: Array(0...grid.count),
                constituentFeatures: grid, jetFeatures: jetFeature ? grid : []),
            labels: [Int32](repeating: 0, count: grid.count), weights: weights ?? [Float](repeating: 1, count: grid.count),
            eventNumbers: grid.indices.map(Int64.init), fields: [:])
        return set
    }

    /// Over the grid after training on the samples: the largest |log r_learned - log r_true|, the bias step
    /// (mean of log r_learned - log r_true for x <= -0.25 minus that for x >= 1), and the epochs' losses.
    /// With `mlp`, the classifier is an ``MLPModel`` seeing x as a jet-level feature only.
    private func ratioError(
        negativeWeights: Bool, strategy: NegativeWeightStrategy, name: String, mlp: Bool = false
    ) throws -> (error: Float, step: Float, losses: [Double]) {
        let directory = try SyntheticJetFile.temporaryDirectory("reweighting-\(name)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = mlp ? mlpConfig : config
        let jets = samples(count: 4000, negativeWeights: negativeWeights, seed: 1, jetFeature: mlp)
        let training = ReweightingRun.transformed(
            ReweightingData(jets: jets, sourceCount: 4000, observables: [:], jetIndices: (0..<Int64(jets.count)).map { $0 }), strategy).jets
        let validation = samples(count: 1000, negativeWeights: negativeWeights, seed: 2, jetFeature: mlp)
        let model = try BinaryClassifierTraining(config: config).train(
            training: training, validation: validation, features: config.features, directory: directory, progress: { _ in },
            shouldStop: { false })
        let models = try model.makeModels()
        let f = try gridSet(jetFeature: mlp).probabilities(models: models)
        var counts = DensityRatio.Counts()
        let residuals = zip(grid, f).map { x, f in log(DensityRatio().ratio(f, counts: &counts)) - (0.5 * x - 0.125) }
        func mean(_ selected: (Float) -> Bool) -> Float {
            let values = zip(grid, residuals).filter { selected($0.0) }.map(\.1)
            return values.reduce(0, +) / Float(values.count)
        }
        let state = try ModelFile.read(from: directory.appendingPathComponent("last.h5").path).trainingState!
        return (
            residuals.map(abs).max()!, mean { $0 <= -0.25 } - mean { $0 >= 1 },
            state.history.flatMap { [$0.trainingLoss, $0.validationLoss] }
        )
    }

    /// Tolerance: with 4000 jets per class the statistical error of a fitted log-ratio on |x| <= 1.5 is about
    /// 0.05-0.1 (binomial errors of f of a few percent where the densities are smallest), so 0.2 leaves room
    /// for the network's approximation error; signed weights with 16-30% negatives inflate the variance
    /// (effective sample size about half), hence 0.3 there.
    @Test func learnedRatioMatchesTheKnownDensityRatio() throws {
        let (error, _, losses) = try ratioError(negativeWeights: false, strategy: .signed, name: "positive")
        #expect(error < 0.2, "max |log r - log r_true| = \(error)")
        #expect(losses.allSatisfy { $0.isFinite })
    }

    /// The jet-level MLP learns the same ratio from x as a jet feature (same tolerance and reasoning); the model it
    /// returns was read back from the run's model.h5.
    @Test func mlpOnJetFeaturesLearnsTheKnownDensityRatio() throws {
        let (error, _, losses) = try ratioError(negativeWeights: false, strategy: .signed, name: "mlp", mlp: true)
        #expect(error < 0.2, "max |log r - log r_true| = \(error)")
        #expect(losses.allSatisfy { $0.isFinite })
    }

    @Test func signedNegativeWeightsStayUnbiasedAndFiniteAbsIsBiased() throws {
        let signed = try ratioError(negativeWeights: true, strategy: .signed, name: "signed")
        #expect(signed.error < 0.3, "signed: max |log r - log r_true| = \(signed.error)")
        #expect(abs(signed.step) < 0.25, "signed: bias step \(signed.step)")
        #expect(signed.losses.allSatisfy { $0.isFinite }, "\(signed.losses)")
        // |w| over-weights the target below x = 0.5 by (1 / 0.4) / (1 / 0.9) = 2.25 relative to above: a step of
        // log 2.25 = 0.81 in log r (smoothed by the network near x = 0.5).
        let absolute = try ratioError(negativeWeights: true, strategy: .abs, name: "abs")
        #expect(absolute.step > 0.5, "abs: bias step \(absolute.step)")
    }

    @Test func negativeWeightsGiveFiniteGradients() throws {
        var model = try config.model.makeModel(seed: 1)
        let jets = samples(count: 64, negativeWeights: true, seed: 5)
        #expect(jets.weights.contains { $0 < 0 })
        model.parameters.zeroGradients()
        let logits = try model.forward(jets.batch(0..<jets.count), training: true)
        var dLogits = Matrix(rows: 0, columns: 0)
        let loss = Trainer.loss(logits: logits, labels: jets.labels, weights: jets.weights, normalization: .absoluteWeightSum, dLogits: &dLogits)
        model.backward(dLogits: dLogits, computeInputGradient: false)
        #expect(loss.isFinite)
        #expect(model.parameters.gradients.allSatisfy { $0.isFinite })
        #expect(model.parameters.gradients.contains { $0 != 0 })
    }

    /// The resampler learns g(x) = E[sign w | x] = 1 - 2 p(x): 0.4 below x = 0.5, 0.9 above; checked away from
    /// the step (where the network's smooth fit cannot follow), tolerance 0.12 for ~4000 jets.
    @Test func neuralResamplerLearnsTheLocalMeanSign() throws {
        let directory = try SyntheticJetFile.temporaryDirectory("resampler")
        defer { try? FileManager.default.removeItem(at: directory) }
        func targets(_ seed: UInt64) -> JetSet {
            let all = samples(count: 4000, negativeWeights: true, seed: seed)
            let indices = all.labels.indices.filter { all.labels[$0] == 1 }
            return all.subset(indices, weights: indices.map { all.weights[$0] })
        }
        let resampler = try NeuralResampler.train(
            training: targets(1), validation: targets(2), features: config.features, config: config, directory: directory,
            progress: { _ in }, shouldStop: { false })
        let old = grid.map { $0 < 0.5 ? Float(-2.5) : 1 / 0.9 }
        let (weights, summary) = try resampler.resampled(gridSet(weights: old))
        for (x, (weight, oldWeight)) in zip(grid, zip(weights, old)) where abs(x - 0.5) > 0.6 {
            let g = weight / abs(oldWeight)
            #expect(abs(g - (x < 0.5 ? 0.4 : 0.9)) < 0.12, "x = \(x): g = \(g)")
        }
        #expect(weights.allSatisfy { $0 >= 0 })
        #expect(summary.negativeBefore == grid.filter { $0 < 0.5 }.count)
    }
}

@Suite struct FlatteningTests {
    /// 40 jets per part with pt = 0..39 (two per quantile bin), weights pt + 1 with the sign alternating by
    /// class: after flattening every bin's mean |w| over both parts is 1, and signs and within-bin ratios stay.
    @Test func flatteningDividesByTheBinMeanOfBothSamples() {
        func part(labels: [Int32]) -> ReweightingData {
            var jets = JetSet(featureCount: 1, jetFeatureCount: 0)
            let pt = (0..<40).map(Float.init)
            jets.append(
                PackedFeatureBatch(
                    constituentFeatureCount: 1, jetFeatureCount: 0, offsets: Array(0...40), constituentFeatures: pt,
                    jetFeatures: []),
                labels: labels, weights: pt.enumerated().map { i, value in (value + 1) * (i % 2 == 0 ? 1 : -1) },
                eventNumbers: (0..<40).map(Int64.init), fields: [:])
            return ReweightingData(jets: jets, sourceCount: 20, observables: [.pt: pt], jetIndices: (0..<40).map(Int64.init))
        }
        let labels = (0..<40).map { Int32($0 % 2) }
        var parts = [part(labels: labels), part(labels: labels)]
        ReweightingRun.flatten(&parts, in: .pt)
        for bin in 0..<20 {
            // bin `bin` holds pt 2 bin and 2 bin + 1 in both parts: |w| 2 bin + 1 and 2 bin + 2, mean 2 bin + 1.5.
            let weights = parts.flatMap { [$0.jets.weights[2 * bin], $0.jets.weights[2 * bin + 1]] }
            #expect(abs(weights.map(abs).reduce(0, +) / 4 - 1) < 1e-6, "bin \(bin): \(weights)")
            #expect(abs(weights[0] - Float(2 * bin + 1) / (Float(2 * bin) + 1.5)) < 1e-6)
            #expect(weights[1] < 0)
        }
    }
}
