import Foundation
import JetData
import JetNN
import JetTestSupport
import Testing

@testable import JetModels

/// The model file's typed run config and reweighting info, and files of earlier versions.
@Suite struct ModelFileTests {
    private let config = try! RunConfig.load(
        tree: [
            "data": ["files": ["jets.h5"], "classNames": ["qcd", "top"], "labelField": "is_top", "weightField": "w"],
            "features": ["maxConstituents": 4, "constituentVariables": [["deta", 0, 1], ["dphi", 0, 2]]],
            "model": ["kind": "deepsets", "deepsets": ["constituentLayers": [3], "headLayers": [3]]],
        ], file: "c.yaml")

    /// An untrained model of `config`.
    private func modelFile(reweighting: ReweightingInfo? = nil) throws -> ModelFile {
        ModelFile(
            tagger: config.taggerName, architecture: config.model, features: config.features,
            classNames: config.classNames, members: [try config.model.makeModel(seed: 1).exportTensors()],
            trainingConfig: config, reweighting: reweighting)
    }

    /// A model file of an earlier JetTag version (Fixtures/README.md).
    private func fixture(_ name: String, in directory: String = "Fixtures") throws -> String {
        try #require(Bundle.module.url(forResource: name, withExtension: "h5", subdirectory: directory)).path
    }

    /// The attributes of the model file at `path`, for writing variants of it.
    private func attributes(of path: String) throws -> [String: String] {
        let file = try HDF5File(readingAt: path)
        return Dictionary(uniqueKeysWithValues: try file.attributeNames().map { ($0, try file.stringAttribute($0)![0]) })
    }

    @Test func theRunConfigIsReadBackTyped() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("model.h5")
        try modelFile().write(to: path)
        let read = try ModelFile.read(from: path)
        #expect(read.trainingConfig == config)
        #expect(read.trainingConfig.data.labelField == "is_top")
        #expect(read.reweighting == nil)
        // h5py users read the same JSON attribute as before.
        #expect(try attributes(of: path)["training_config"] == config.jsonString())
    }

    @Test func aConfigThatDoesNotDecodeIsAnErrorNamingTheFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let good = directory.path("good.h5")
        try modelFile().write(to: good)
        let bad = directory.path("bad.h5")
        let writer = try HDF5FileWriter(path: bad)
        for (name, value) in try attributes(of: good) {
            try writer.setAttribute(name == "training_config" ? #"{"data": {"files": 3}}"# : value, named: name)
        }
        try writer.commit()
        let error = try #require(throws: JetModelsError.self) { try ModelFile.read(from: bad) }
        guard case .invalidModelFile(let file, let reason) = error else {
            Issue.record("expected an invalid-model-file error, got \(error)")
            return
        }
        #expect(file == bad)
        #expect(reason.hasPrefix("attribute 'training_config' does not decode"))
    }

    /// A `jettag train` model file of commit 91c3ff7 (its run config stored as the same JSON string).
    @Test func aTaggerOfAnEarlierVersionLoads() throws {
        let read = try ModelFile.read(from: try fixture("legacy-tagger"))
        #expect(read.trainingConfig.data.files == ["top_qcd_sample.h5"])
        #expect(read.trainingConfig.data.maxJets == 300)
        #expect(read.trainingConfig.model == read.architecture)
        #expect(read.trainingConfig.classNames == read.classNames)
        let scorer = try JetScorer(file: read)
        #expect(scorer.readOptions(batchSize: 10, threads: 1).layout == nil)
    }

    @Test func theReweightingInfoRoundTripsThroughTheModelFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let reweightingConfig = try ReweightingConfig.load(
            tree: [
                "source": ["files": ["source.h5"], "weightField": "w"], "target": ["files": ["target.h5"]],
                "reweighting": ["modulus": 4, "trainingFolds": [0], "validationFolds": [1], "heldOutFolds": [2, 3]],
                "features": ["maxConstituents": 4, "constituentVariables": ["deta", "dphi"]],
            ], file: "r.yaml")
        let info = ReweightingInfo(
            config: reweightingConfig, densityRatio: DensityRatio(epsilon: 1e-4, cap: 20, normalization: 1.25),
            sourceWeightSum: 10.5, targetWeightSum: 12,
            resampling: ["source": .init(negativeBefore: 3, clippedToZero: 1, meanSignFraction: 0.5)],
            features: config.features)
        let path = directory.path("model.h5")
        try modelFile(reweighting: info).write(to: path)
        let (model, read) = try ModelFile.readReweighting(from: path)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(try encoder.encode(read) == encoder.encode(info))
        #expect(try encoder.encode(try #require(model.reweighting)) == encoder.encode(info))
        #expect(try Reweighter(modelPath: path).weightField == "w")
        #expect(try attributes(of: path)["kind"] == "reweighter")
        #expect(throws: JetModelsError.wrongModelKind(
            file: path, kind: "reweighter", command: "jettag evaluate", use: "jettag reweight apply or reweight closure")
        ) {
            try model.require(.tagger, path: path, command: "jettag evaluate")
        }
    }

    /// Bootstrap replicas are written as `bootstrap/<r>/<i>/` and read back in order; each variation is a model
    /// file of its own with its replica's parameters. Without variations, asking for them is an error naming the
    /// file (also for a run of an earlier version).
    @Test func bootstrapReplicasRoundTripAndSingleClassifiersHaveNoVariations() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let reweightingConfig = try ReweightingConfig.load(
            tree: [
                "source": ["files": ["source.h5"]], "target": ["files": ["target.h5"]],
                "reweighting": ["modulus": 4, "trainingFolds": [0], "validationFolds": [1], "heldOutFolds": [2, 3], "bootstrap": 3],
                "features": ["maxConstituents": 4, "constituentVariables": ["deta", "dphi"]],
            ], file: "r.yaml")
        #expect(reweightingConfig.options.bootstrap == 3)
        var info = ReweightingInfo(
            config: reweightingConfig, densityRatio: DensityRatio(normalization: 1.25), sourceWeightSum: 1, targetWeightSum: 1,
            resampling: [:], features: config.features)
        let single = directory.path("single.h5")
        try modelFile(reweighting: info).write(to: single)
        #expect(throws: JetModelsError.self) { try Reweighter(modelPath: single, variations: true) }
        do {
            _ = try ModelFile.read(from: single).variationModels(path: single)
            Issue.record("a single classifier has no variations")
        } catch JetModelsError.invalidModelFile(let file, let reason) {
            #expect(file == single && reason.contains("no weight variations"), "\(reason)")
        }
        #expect(throws: JetModelsError.self) { try Reweighter(modelPath: try fixture("model", in: "Fixtures/legacy-reweighting"), variations: true) }

        info.variations = WeightVariations(kind: .bootstrap, densityRatios: [1.5, 2, 2.5].map { DensityRatio(normalization: $0) })
        var model = try modelFile(reweighting: info)
        let replicas = try (0..<3).map { [try config.model.makeModel(seed: 10 + UInt64($0)).exportTensors()] }
        model.bootstrapReplicas = replicas
        let path = directory.path("bootstrap.h5")
        try model.write(to: path)
        #expect(try HDF5File(readingAt: path).datasetNames().contains { $0.hasPrefix("/bootstrap/2/0/") })
        let read = try ModelFile.read(from: path)
        // Tensors come back by name (the file's order).
        func byName(_ tensors: [NamedTensor]) -> [String: [Float]] { Dictionary(uniqueKeysWithValues: tensors.map { ($0.name, $0.values) }) }
        #expect(read.bootstrapReplicas.map { $0.map(byName) } == replicas.map { $0.map(byName) })
        #expect(read.reweighting?.variations == info.variations)
        let variations = try read.variationModels(path: path)
        #expect(variations.count == 3 && variations.allSatisfy { $0.combination == .single && $0.bootstrapReplicas.isEmpty })
        #expect(byName(variations[1].members[0]) == byName(replicas[1][0]) && byName(variations[1].members[0]) != byName(replicas[0][0]))
        #expect(try Reweighter(modelPath: path, variations: true).variationCount == 3)
    }

    /// A `jettag reweight train` run of commit 91c3ff7: model.h5 without the info, reweighting.json beside it.
    @Test func aReweightingRunOfAnEarlierVersionLoads() throws {
        let path = try fixture("model", in: "Fixtures/legacy-reweighting")
        #expect(try ModelFile.read(from: path).reweighting == nil)
        let (model, info) = try ModelFile.readReweighting(from: path)
        #expect(info.config.options.modulus == 4)
        #expect(info.config.source.selection == "label == 0")
        #expect(info.densityRatio.normalization > 0)
        #expect(info.features == model.features)
        #expect(try Reweighter(modelPath: path).info.densityRatio == info.densityRatio)
    }

    @Test func aModelWithoutReweightingInfoIsNoReweighter() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("model.h5")
        try modelFile().write(to: path)
        #expect(throws: JetModelsError.self) { try ModelFile.readReweighting(from: path) }
        let error = try #require(throws: JetModelsError.self) { try Reweighter(modelPath: path) }
        #expect(
            "\(error)"
                == "\(path) is a tagger model, which jettag reweight apply / closure does not take; "
                + "use jettag predict, evaluate or saliency with it")
    }
}

/// Non-finite parameters and the model kind.
extension ModelFileTests {
    @Test func aModelWithANonFiniteParameterIsNeverWritten() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var model = try modelFile()
        let name = model.members[0][1].name
        model.members[0][1].values[2] = .nan
        let error = try #require(throws: JetModelsError.self) { try model.write(to: directory.path("model.h5")) }
        #expect(
            "\(error)" == "\(directory.path("model.h5")): tensor '\(name)' holds nan at index 2; a model with non-finite "
                + "parameters gives no usable scores (a diverged training: lower training.learningRate and train again)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path).isEmpty)
    }

    @Test func aFileWithANonFiniteParameterIsRefusedNamingTheTensor() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("model.h5")
        var model = try modelFile()
        let tensor = model.members[0][0]
        model.members[0][0].values[1] = 1234.5
        try model.write(to: path)
        // Damage the stored value (datasets are contiguous float32) as a diverged run of another tool would.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let pattern = withUnsafeBytes(of: Float(1234.5).bitPattern.littleEndian) { Data($0) }
        let range = try #require(bytes.range(of: pattern))
        bytes.replaceSubrange(range, with: withUnsafeBytes(of: Float.infinity.bitPattern.littleEndian) { Data($0) })
        try bytes.write(to: URL(fileURLWithPath: path))
        #expect(throws: JetModelsError.nonFiniteParameter(
            file: path, tensor: "/parameters/\(tensor.name)", index: 1, value: .infinity)
        ) {
            try ModelFile.read(from: path)
        }
    }

    @Test func theFileSaysWhatKindOfModelItIs() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("model.h5")
        try modelFile().write(to: path)
        #expect(try attributes(of: path)["kind"] == "tagger")
        let tagger = try ModelFile.read(from: path)
        #expect(tagger.declaredKind == .tagger)
        try tagger.require(.tagger, path: path, command: "jettag predict")
        // A reweighting.json copied beside a tagger does not make it a reweighter.
        try Data("{}".utf8).write(to: URL(fileURLWithPath: directory.path(ReweightingInfo.legacyFileName)))
        #expect(throws: JetModelsError.wrongModelKind(
            file: path, kind: "tagger", command: "jettag reweight apply / closure",
            use: "jettag predict, evaluate or saliency")
        ) {
            try ModelFile.readReweighting(from: path)
        }
        // A file of an earlier version, without the attribute, is a reweighter when the info is beside it.
        var old = tagger
        old.declaredKind = nil
        #expect(old.kind(path: path) == .reweighter)
        #expect(throws: JetModelsError.wrongModelKind(
            file: path, kind: "reweighter", command: "jettag predict",
            use: "jettag reweight apply or reweight closure")
        ) {
            try old.require(.tagger, path: path, command: "jettag predict")
        }
    }
}
