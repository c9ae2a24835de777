import Foundation
import JetData
import JetTestSupport
import Testing

@testable import JetModels

/// The model file's typed run config, and files of earlier versions.
@Suite struct ModelFileTests {
    private let config = try! RunConfig.load(
        tree: [
            "data": ["files": ["jets.h5"], "classNames": ["qcd", "top"], "labelField": "is_top", "weightField": "w"],
            "features": ["maxConstituents": 4, "constituentVariables": [["deta", 0, 1], ["dphi", 0, 2]]],
            "model": ["kind": "deepsets", "deepsets": ["constituentLayers": [3], "headLayers": [3]]],
        ], file: "c.yaml")

    /// An untrained model of `config`.
    private func modelFile() throws -> ModelFile {
        ModelFile(
            tagger: config.taggerName, architecture: config.model, features: config.features,
            classNames: config.classNames, members: [try config.model.makeModel(seed: 1).exportTensors()],
            trainingConfig: config)
    }

    /// A model file of an earlier JetTag version (Fixtures/README.md).
    private func fixture(_ name: String, in directory: String = "Fixtures") throws -> String {
        try #require(Bundle.module.url(forResource: name, withExtension: "h5", subdirectory: directory)).path
    }

    /// The attributes of the model file at `path`, for writing variants of it.
    private func attributes(of path: String) throws -> [String: String] {
        let file = try HDF5File(readingAt: path)
        return Dictionary(uniqueKeysWithValues: file.attributeNames().map { ($0, file.stringAttribute($0)![0]) })
    }

    @Test func theRunConfigIsReadBackTyped() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("model.h5")
        try modelFile().write(to: path)
        let read = try ModelFile.read(from: path)
        #expect(read.trainingConfig == config)
        #expect(read.trainingConfig.data.labelField == "is_top")
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
}
