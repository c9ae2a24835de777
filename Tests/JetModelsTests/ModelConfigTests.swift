import Foundation
import JetModels
import JetNN
import JetTestSupport
import Testing

@Suite struct ModelConfigTests {
    private func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(json.utf8))
    }

    @Test func missingKeysTakeTheDefaults() throws {
        #expect(try decode(DeepSetsConfig.self, #"{"inputFeatures": 7}"#) == DeepSetsConfig(inputFeatures: 7))
        #expect(try decode(CNN1DConfig.self, #"{"inputFeatures": 7}"#) == CNN1DConfig(inputFeatures: 7))
        let pfn = try decode(DeepSetsConfig.self, #"{"inputFeatures": 7, "pooling": "attention", "classes": 4}"#)
        #expect(pfn.pooling == .attention && pfn.logitCount == 4 && pfn.constituentLayers == [100, 100, 128])
    }

    @Test func encodedConfigsDecodeToTheSameValue() throws {
        let pfn = DeepSetsConfig(inputFeatures: 5, jetFeatures: 2, constituentLayers: [8], pooling: .max, batchNorm: true,
                                 dropout: 0.25, headLayers: [], classes: 3)
        let cnn = CNN1DConfig(inputFeatures: 3, channels: [4, 4], kernelSize: 5, batchNorm: false, residual: true,
                              dropout: 0.1, headLayers: [6, 6], classes: 2)
        #expect(try JSONDecoder().decode(DeepSetsConfig.self, from: JSONEncoder().encode(pfn)) == pfn)
        #expect(try JSONDecoder().decode(CNN1DConfig.self, from: JSONEncoder().encode(cnn)) == cnn)
    }

    @Test func misspeltKeyIsAnErrorNamingIt() throws {
        let error = try #require(throws: JetModelsError.self) {
            try ConfigDecoder(file: "pfn.yaml").decode(DeepSetsConfig.self, from: ["inputFeatures": 7, "poolnig": "max"])
        }
        #expect(error.description == "pfn.yaml: unknown key 'poolnig'; known keys here: inputFeatures, jetFeatures, constituentLayers, pooling, batchNorm, dropout, headLayers, classes")
    }

    @Test func valuesOutOfRangeAreRejected() throws {
        #expect(throws: JetModelsError.invalidValue(path: "model.deepsets.classes", file: nil, expected: "is 1, expected 2 or more")) {
            try DeepSetsModel(config: DeepSetsConfig(inputFeatures: 7, classes: 1))
        }
        #expect(throws: JetModelsError.invalidValue(path: "model.deepsets.constituentLayers", file: nil, expected: "is [], expected a non-empty list of positive sizes")) {
            try DeepSetsModel(config: DeepSetsConfig(inputFeatures: 7, constituentLayers: []))
        }
        #expect(throws: JetModelsError.invalidValue(path: "model.cnn1d.kernelSize", file: nil, expected: "is 4, expected an odd positive integer")) {
            try CNN1DModel(config: CNN1DConfig(inputFeatures: 7, kernelSize: 4))
        }
        #expect(throws: JetModelsError.invalidValue(path: "model.cnn1d.dropout", file: nil, expected: "is 1.0, expected a rate in [0, 1)")) {
            try CNN1DModel(config: CNN1DConfig(inputFeatures: 7, dropout: 1))
        }
    }

    @Test func batchWithOtherFeatureCountsIsRejected() throws {
        let jets = try PackedJets(padded: [Float](repeating: 1, count: 2 * 3 * 4), multiplicities: [3, 2], maxConstituents: 3, features: 4)
        var cnn = try CNN1DModel(config: CNN1DConfig(inputFeatures: 5))
        #expect(throws: JetModelsError.featureCount(model: "CNN1D", input: "constituent", expected: 5, got: 4)) {
            try cnn.forward(jets, training: false)
        }
        var pfn = try DeepSetsModel(config: DeepSetsConfig(inputFeatures: 4, jetFeatures: 2))
        #expect(throws: JetModelsError.featureCount(model: "DeepSets", input: "jet-level", expected: 2, got: 0)) {
            try pfn.forward(jets, training: false)
        }
        var withFeatures = jets
        withFeatures.jetFeatures = Matrix(rows: 3, columns: 2)
        #expect(throws: JetModelsError.jetCount(model: "DeepSets", expected: 2, got: 3)) {
            try pfn.forward(withFeatures, training: false)
        }
    }
}
