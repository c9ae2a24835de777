import JetCore
import JetModels
import JetNN
import JetTestSupport
import Testing

@Suite struct ComputeThreadsModelTests {
    /// A training step (forward in training mode, loss, backward with input gradients) of `model` on 1 and on 2
    /// compute threads: logits, loss gradient, every parameter gradient, the running statistics and the input
    /// gradient must agree. 300 jets of 1-24 constituents (3,750 rows) make every per-constituent layer split
    /// its rows over the threads and its weight-gradient sums into several parts.
    private func expectTwoThreadsMatchOne<Model: JetModel>(_ model: Model, _ label: String) throws {
        let multiplicities = (0..<300).map { Int32(1 + ($0 * 7) % 24) }
        let offsets = try JetOffsets(multiplicities: multiplicities, maxConstituents: 24)
        var rng = SeededGenerator(seed: 5)
        let constituents = Matrix(
            rows: offsets.constituentCount, columns: 7, storage: (0..<(offsets.constituentCount * 7)).map { _ in rng.nextNormal() })
        let jets = PackedJets(constituents: constituents, offsets: offsets)
        let labels = (0..<300).map { Float($0 % 2) }
        func step(threads: Int) throws -> [Float] {
            ComputeThreads.set(threads)
            defer { ComputeThreads.set(1) }
            var copy = model
            var dLogits = Matrix(rows: 0, columns: 0)
            let logits = try copy.forward(jets, training: true)
            _ = BinaryCrossEntropy().loss(logits: logits, targets: labels, dLogits: &dLogits)
            copy.backward(dLogits: dLogits, computeInputGradient: true)
            return logits.storage + copy.parameters.gradients + copy.parameters.values + copy.inputGradient.storage
        }
        expectClose(try step(threads: 2), try step(threads: 1), tolerance: .closedForm, "\(label): 2 threads vs 1")
    }

    @Test func particleNetOnTwoThreadsMatchesOne() throws {
        let config = ParticleNetConfig(inputFeatures: 7, coordinateColumns: [5, 6], k: 7, blocks: [[16, 16], [24]], headLayers: [16])
        try expectTwoThreadsMatchOne(try ParticleNetModel(config: config, seed: 3), "ParticleNet")
    }

    @Test func particleFlowNetworkOnTwoThreadsMatchesOne() throws {
        let config = DeepSetsConfig(inputFeatures: 7, constituentLayers: [64, 96], pooling: .sum, headLayers: [32])
        try expectTwoThreadsMatchOne(try DeepSetsModel(config: config, seed: 3), "PFN")
    }

    @Test func convolutionalNetworkWithBatchNormOnTwoThreadsMatchesOne() throws {
        let config = CNN1DConfig(inputFeatures: 7, channels: [32, 48], kernelSize: 3, batchNorm: true, headLayers: [32])
        try expectTwoThreadsMatchOne(try CNN1DModel(config: config, seed: 4), "P-CNN")
    }

    /// `inferenceLogits` forwards 40 jets at a time, the forwards shared out over the threads on copies of the
    /// model: the logits are the same bits on 1 and on 2 threads, and agree with forwarding each 40 jets in turn
    /// in inference mode (whose products are split in row parts, so to rounding).
    @Test func inferenceLogitsMatchForwardingEachBatchInTurn() throws {
        let pfn = try DeepSetsModel(
            config: DeepSetsConfig(inputFeatures: 7, constituentLayers: [64, 96], pooling: .sum, headLayers: [32]), seed: 3)
        let cnn = try CNN1DModel(
            config: CNN1DConfig(inputFeatures: 7, channels: [32, 48], kernelSize: 3, batchNorm: true, headLayers: [32]), seed: 4)
        let multiplicities = (0..<300).map { Int32(1 + ($0 * 7) % 24) }
        var rng = SeededGenerator(seed: 6)
        let features = multiplicities.map { m in (0..<(Int(m) * 7)).map { _ in rng.nextNormal() } }
        func jets(_ range: Range<Int>) throws -> PackedJets {
            let offsets = try JetOffsets(multiplicities: Array(multiplicities[range]), maxConstituents: 24)
            return PackedJets(
                constituents: Matrix(rows: offsets.constituentCount, columns: 7, storage: features[range].flatMap { $0 }),
                offsets: offsets)
        }
        func check<Model: JetModel>(_ model: Model, _ label: String) throws {
            var inTurn = model
            let expected = try stride(from: 0, to: 300, by: 40).flatMap {
                try inTurn.forward(try jets($0..<min($0 + 40, 300)), training: false).storage
            }
            var oneThread: [Float] = []
            for threads in [1, 2] {
                ComputeThreads.set(threads)
                defer { ComputeThreads.set(1) }
                let logits = try model.inferenceLogits(jetCount: 300, jetsPerForward: 40, jets: jets)
                #expect(logits.rows == 300 && logits.columns == 1, "\(label)")
                expectClose(logits.storage, expected, tolerance: .closedForm, "\(label), \(threads) threads vs forward")
                if threads == 1 { oneThread = logits.storage } else { #expect(logits.storage == oneThread, "\(label)") }
            }
        }
        try check(pfn, "PFN")
        try check(cnn, "P-CNN")
    }
}
