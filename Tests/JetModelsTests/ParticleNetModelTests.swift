import Foundation
import JetCore
import JetModels
import JetNN
import JetTestSupport
import Testing

@Suite struct ParticleNetModelTests {
    @Test(arguments: ["particlenet_binary", "particlenet_multiclass"])
    func matchesPyTorch(fixtureName: String) throws {
        let fixture = try NNFixture<ParticleNetConfig>(fixtureName)
        var model = try ParticleNetModel(config: fixture.config)
        try checkGradientFixture(&model, fixture)
    }

    @Test func runningStatisticsAndEvaluationMatchPyTorch() throws {
        let fixture = try NNFixture<ParticleNetConfig>("particlenet_running_stats")
        var model = try ParticleNetModel(config: fixture.config)
        try checkRunningStatistics(&model, fixture)
    }

    /// Padded slots taken for constituents, or the neighbours searched in other coordinates, are far from the
    /// reference: the comparison can fail.
    @Test func catchesLeakedPaddingAndWrongCoordinates() throws {
        let fixture = try NNFixture<ParticleNetConfig>("particlenet_binary")
        let expected = try fixture.values("logits")
        var leaky = try ParticleNetModel(config: fixture.config)
        #expect(largestRelativeDifference(try logitsWithPaddingAsConstituents(&leaky, fixture), expected) > 1e-2)
        var config = fixture.config
        config.coordinateColumns = [0, 3]
        var elsewhere = try ParticleNetModel(config: config)
        try elsewhere.load(fixture.parameterTensors(for: elsewhere.parameters))
        #expect(largestRelativeDifference(try elsewhere.forward(try fixture.batch().jets, training: true).storage, expected) > 1e-2)
    }

    /// A k above the constituent cap (P = 7) is every other constituent of a jet, as k = P - 1.
    @Test func kAboveTheCapActsAsCapMinusOne() throws {
        let fixture = try NNFixture<ParticleNetConfig>("particlenet_binary")
        let jets = try fixture.batch().jets
        func logits(k: Int) throws -> [Float] {
            var config = fixture.config
            config.k = k
            var model = try ParticleNetModel(config: config)
            try model.load(fixture.parameterTensors(for: model.parameters))
            return try model.forward(jets, training: true).storage
        }
        let capped = try logits(k: 6)
        #expect(try logits(k: 50) == capped)
        #expect(largestRelativeDifference(try logits(k: 3), capped) > 1e-3)
    }

    /// Batches of single-constituent jets (no edges at all, or one jet of one constituent) train and infer
    /// without NaN; the gradients reach the shortcut and the head.
    @Test(arguments: [[1, 1, 1, 1], [1]])
    func singleConstituentJetsGiveFiniteResults(multiplicities: [Int32]) throws {
        let config = ParticleNetConfig(inputFeatures: 3, coordinateColumns: [0, 1], k: 16, blocks: [[8, 8], [6]], headLayers: [4])
        var model = try ParticleNetModel(config: config, seed: 3)
        var rng = SeededGenerator(seed: 4)
        let n = Int(multiplicities.reduce(0, +))
        let jets = PackedJets(
            constituents: Matrix(rows: n, columns: 3, storage: (0..<(3 * n)).map { _ in rng.nextNormal() }),
            offsets: try JetOffsets(multiplicities: multiplicities, maxConstituents: 128))
        for training in [true, false] {
            model.parameters.zeroGradients()
            let logits = try model.forward(jets, training: training)
            #expect(logits.storage.allSatisfy { $0.isFinite })
            model.backward(dLogits: Matrix(rows: multiplicities.count, columns: 1, repeating: 1), computeInputGradient: true)
            #expect(model.parameters.gradients.allSatisfy { $0.isFinite })
            #expect(model.inputGradient.storage.allSatisfy { $0.isFinite })
            #expect(model.parameters.gradients.contains { $0 != 0 })
        }
    }

    @Test func configLoadsWithDerivedCoordinatesAndRejectsBadSizesByKeyPath() throws {
        func load(_ particlenet: [String: Any], variables: [Any] = ["pt_log", "deta", "dphi"]) throws -> RunConfig {
            try RunConfig.load(
                tree: [
                    "data": ["files": ["jets.h5"]],
                    "features": ["constituentVariables": variables, "maxConstituents": 20],
                    "model": ["kind": "particlenet", "particlenet": particlenet],
                ], file: "pn.yaml")
        }
        let config = try #require(try load([:]).model.particlenet)
        #expect(config == ParticleNetConfig(inputFeatures: 3, coordinateColumns: [1, 2]))
        let mapped = try load(["coordinates": ["dphi", "pt_log"], "k": 40], variables: ["pt_log", ["name": "deta"], ["dphi", 0, 1]])
        #expect(mapped.model.particlenet?.coordinateColumns == [2, 0])
        #expect(mapped.model.particlenet?.k == 40)  // above maxConstituents: allowed, acts as 19
        let cases: [([String: Any], String)] = [
            (["k": 0], "model.particlenet.k"),
            (["blocks": [[32, 0]]], "model.particlenet.blocks[0]"),
            (["blocks": [] as [Any]], "model.particlenet.blocks"),
            (["coordinates": ["deta", "phi"]], "model.particlenet.coordinates[1]"),
            (["dropout": 1.5], "model.particlenet.dropout"),
            (["kk": 3], "model.particlenet.kk"),
            (["inputFeatures": 5], "model.particlenet.inputFeatures"),
            (["coordinateColumns": [0, 1]], "model.particlenet.coordinateColumns"),
        ]
        for (options, path) in cases {
            do {
                _ = try load(options)
                Issue.record("\(options) loaded")
            } catch let error as JetModelsError {
                #expect(String(describing: error).contains(path) && String(describing: error).contains("pn.yaml"), "\(error)")
            }
        }
    }

    @Test func architectureRoundTripsThroughJSONAndBuildsTheModel() throws {
        let config = ParticleNetConfig(inputFeatures: 7, jetFeatures: 1, coordinateColumns: [5, 6], k: 16, blocks: [[64, 64, 64], [128, 128, 128], [256, 256, 256]], headLayers: [256], classes: 3)
        let architecture = ModelArchitecture(particleNet: config)
        let decoded = try JSONDecoder().decode(ModelArchitecture.self, from: JSONEncoder().encode(architecture))
        #expect(decoded == architecture)
        let model = try #require(try decoded.makeModel(seed: 1) as? ParticleNetModel)
        #expect(model.config.fusionWidth == 384)
        #expect(model.description.hasPrefix("ParticleNet: 7 -> k=16 EdgeConv [[64, 64, 64], [128, 128, 128], [256, 256, 256]] -> fusion 384"))
    }
}
