import Foundation
import JetModels
import JetNN
import Testing

/// One PyTorch reference fixture written by Tests/Scripts/make_nn_fixtures.py (format described there).
struct NNFixture<Config: Decodable>: Decodable {
    struct Tensor: Decodable {
        var shape: [Int]
        var data: [Float]
    }

    /// Hyperparameters of the optimizer fixtures.
    struct OptimizerSettings: Decodable {
        var kind: String
        var learningRate: Float
        var beta1: Float
        var beta2: Float
        var epsilon: Float
        var weightDecay: Float
    }

    static var formatVersion: Int { 1 }

    var format: String
    var version: Int
    var regenerate: String
    var description: String
    var config: Config
    var optimizer: OptimizerSettings?
    var scalars: [String: Float]
    var tensors: [String: Tensor]
    /// The file's base name, for messages.
    var name = ""

    private enum CodingKeys: String, CodingKey {
        case format, version, regenerate, description, config, optimizer, scalars, tensors
    }

    /// Loads Fixtures/<name>.json from the test bundle and checks its format version.
    init(_ name: String) throws {
        let url = try #require(
            Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures"),
            "fixture \(name).json is missing; run python3 Tests/Scripts/make_nn_fixtures.py")
        self = try JSONDecoder().decode(Self.self, from: Data(contentsOf: url))
        self.name = name
        try #require(
            format == "jettag-nn-fixture" && version == Self.formatVersion,
            "fixture \(name).json has format \(format) version \(version), the tests read version \(Self.formatVersion): re-run \(regenerate)")
    }

    /// The tensor called `key`, with an error naming the fixture when it is absent.
    func tensor(_ key: String) throws -> Tensor {
        try #require(tensors[key], "fixture \(name).json has no tensor '\(key)' (re-run \(regenerate))")
    }

    func values(_ key: String) throws -> [Float] { try tensor(key).data }

    func scalar(_ key: String) throws -> Float {
        try #require(scalars[key], "fixture \(name).json has no scalar '\(key)' (re-run \(regenerate))")
    }

    /// The batch stored under `prefix` ("" or "batch<i>."): packed inputs, signed weights and labels.
    func batch(_ prefix: String = "") throws -> FixtureBatch {
        let inputs = try tensor(prefix + "inputs")
        let (jets, slots, features) = (inputs.shape[0], inputs.shape[1], inputs.shape[2])
        let offsets = try JetOffsets(mask: try values(prefix + "mask"), jetCount: jets, maxConstituents: slots)
        let jetFeatures = try tensors[prefix + "jet_features"].map { t in
            try #require(t.shape.count == 2 && t.shape[0] == jets, "jet_features shape \(t.shape)")
            return Matrix(rows: t.shape[0], columns: t.shape[1], storage: t.data)
        }
        return FixtureBatch(
            jets: PackedJets(
                constituents: offsets.pack(inputs.data, maxConstituents: slots, features: features),
                offsets: offsets, jetFeatures: jetFeatures),
            maxConstituents: slots,
            weights: try values(prefix + "weights"),
            labels: try values(prefix + "labels"))
    }

    /// Named tensors for the model's parameters as stored in the fixture (`prefix` + parameter name).
    func parameterTensors(for parameters: Parameters, prefix: String = "") throws -> [NamedTensor] {
        try parameters.entries.map { entry in
            let t = try tensor(prefix + entry.name)
            return NamedTensor(name: entry.name, shape: t.shape, values: t.data)
        }
    }
}

struct FixtureBatch {
    var jets: PackedJets
    var maxConstituents: Int
    var weights: [Float]
    var labels: [Float]
}
