import Foundation
import JetTagKit
import JetTestSupport
import Testing

/// YAML config files into trees, `--set` overrides, and the errors naming file and key.
@Suite struct ConfigFileTests {
    /// Writes `text` to a fresh file and returns the directory and the file's path.
    private func file(_ text: String) throws -> (TemporaryDirectory, String) {
        let directory = try TemporaryDirectory()
        let path = directory.path("c.yaml")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return (directory, path)
    }

    @Test func scalarsBecomeTypedValues() throws {
        let tree = try #require(
            try ConfigFile.parse(
                """
                count: 3
                rate: 1.5e-3
                flag: true
                nothing: null
                name: deepsets
                quoted: "3"
                list: [1, two, 3.0]
                nested: {inner: {deep: false}}
                """, origin: "c.yaml") as? [String: Any])
        #expect(tree["count"] as? Int == 3)
        #expect(tree["rate"] as? Double == 1.5e-3)
        #expect(tree["flag"] as? Bool == true)
        #expect(tree["nothing"] is NSNull)
        #expect(tree["name"] as? String == "deepsets")
        #expect(tree["quoted"] as? String == "3")
        let list = try #require(tree["list"] as? [Any])
        #expect(list[0] as? Int == 1 && list[1] as? String == "two" && list[2] as? Double == 3.0)
        let inner = try #require((tree["nested"] as? [String: Any])?["inner"] as? [String: Any])
        #expect(inner["deep"] as? Bool == false)
    }

    @Test func anEmptyDocumentIsNull() throws {
        #expect(try ConfigFile.parse("", origin: "c.yaml") is NSNull)
        let (directory, path) = try file("")
        defer { directory.remove() }
        #expect(try ConfigFile.tree(path: path).isEmpty)
    }

    @Test func malformedDocumentsNameTheirOrigin() throws {
        #expect(throws: JetTagKitError.duplicateKey(origin: "c.yaml", key: "training")) {
            try ConfigFile.parse("training: {epochs: 1}\ntraining: {epochs: 2}\n", origin: "c.yaml")
        }
        #expect(throws: JetTagKitError.duplicateKey(origin: "c.yaml", key: "epochs")) {
            try ConfigFile.parse("training: {epochs: 1, epochs: 2}\n", origin: "c.yaml")
        }
        #expect(throws: JetTagKitError.nonStringKey(origin: "c.yaml")) {
            try ConfigFile.parse("? [a, b]\n: 1\n", origin: "c.yaml")
        }
        do {
            _ = try ConfigFile.parse("data: [\n", origin: "c.yaml")
            Issue.record("an unclosed list parsed")
        } catch {
            guard case .invalidYAML(let origin, _) = error else { throw error }
            #expect(origin == "c.yaml")
            #expect(error.description.hasPrefix("c.yaml: not valid YAML: "))
        }
        #expect(throws: JetTagKitError.unreadableConfigFile(path: "/nonexistent/c.yaml")) {
            try ConfigFile.tree(path: "/nonexistent/c.yaml")
        }
        #expect(JetTagKitError.duplicateKey(origin: "c.yaml", key: "a").description == "c.yaml: key 'a' appears twice")
    }

    @Test func overridesReachNestedKeysAndSetLists() throws {
        let (directory, path) = try file("data: {files: [a.h5]}\ntraining: {epochs: 5, schedule: {kind: step}}\n")
        defer { directory.remove() }
        let tree = try ConfigFile.tree(
            path: path,
            overrides: [
                "training.epochs=3", "training.schedule.kind=cosine", "data.files=[b.h5, c.h5]",
                "model.deepsets.headLayers=[16, 8]", "training.learningRate=0.01",
            ])
        let training = try #require(tree["training"] as? [String: Any])
        #expect(training["epochs"] as? Int == 3)
        #expect((training["schedule"] as? [String: Any])?["kind"] as? String == "cosine")
        #expect(training["learningRate"] as? Double == 0.01)
        #expect((tree["data"] as? [String: Any])?["files"] as? [String] == ["b.h5", "c.h5"])
        let model = try #require(tree["model"] as? [String: Any])
        #expect((model["deepsets"] as? [String: Any])?["headLayers"] as? [Int] == [16, 8])
    }

    @Test func overridesSetNestedValuesBeforeDecoding() throws {
        var root: [String: Any] = ["data": ["files": ["a.h5"], "classNames": ["qcd", "top"]]]
        try ConfigFile.applyOverride(path: "training.epochs", value: 3, to: &root)
        try ConfigFile.applyOverride(path: "training.schedule.kind", value: "cosine", to: &root)
        let config = try RunConfig.load(tree: root, file: "c.yaml")
        #expect(config.training.epochs == 3)
        #expect(config.training.schedule.kind == .cosine)
        #expect(throws: JetTagKitError.self) { try ConfigFile.applyOverride(path: "data.files.x", value: 1, to: &root) }
        #expect(throws: JetTagKitError.self) {
            try ConfigFile.applyOverride(path: "training..epochs", value: 1, to: &root)
        }
    }

    @Test func badOverridesSayWhatIsWrong() throws {
        let (directory, path) = try file("data: {files: [a.h5]}\n")
        defer { directory.remove() }
        func failure(_ override: String) -> JetTagKitError? {
            do {
                _ = try ConfigFile.tree(path: path, overrides: [override])
                return nil
            } catch {
                return error
            }
        }
        #expect(failure("training.epochs")?.description == "--set: 'training.epochs' is not of the form key.path=value")
        #expect(
            failure("training..epochs=1")?.description
                == "--set: 'training..epochs' is not a dotted key path such as training.epochs")
        #expect(failure("=1") == .invalidOverride(text: "", reason: "is not a dotted key path such as training.epochs"))
        #expect(
            failure("data.files.x=1")?.description
                == "--set: 'data.files' is not a mapping, so 'data.files.x' cannot be set")
        guard case .invalidYAML(let origin, _) = failure("training.epochs=[1") else {
            Issue.record("an unclosed list value parsed")
            return
        }
        #expect(origin == "--set training.epochs=[1")
    }

    @Test func runAndReweightingConfigsLoadFromAPath() throws {
        let (directory, path) = try file(
            """
            data: {files: [a.h5], classNames: [qcd, top]}
            training: {epochs: 4}
            """)
        defer { directory.remove() }
        let config = try RunConfig.load(path: path, overrides: ["training.batchSize=32"])
        #expect(config.training.epochs == 4 && config.training.batchSize == 32)
        #expect(throws: JetModelsError.unknownKey(path: "training.epoch", file: path, known: [])) {
            do {
                _ = try RunConfig.load(path: path, overrides: ["training.epoch=3"])
            } catch JetModelsError.unknownKey(let key, let file, _) {
                throw JetModelsError.unknownKey(path: key, file: file, known: [])
            }
        }
        let reweighting = directory.path("r.yaml")
        try "source: {files: [s.h5]}\ntarget: {files: [t.h5]}\n".write(toFile: reweighting, atomically: true, encoding: .utf8)
        let loaded = try ReweightingConfig.load(path: reweighting, overrides: ["reweighting.negativeWeights=abs"])
        #expect(loaded.options.negativeWeights == .abs)
        #expect(loaded.source.files == ["s.h5"] && loaded.target.files == ["t.h5"])
    }

    @Test func inMemoryTakesAutoTrueOrFalseOnly() throws {
        let (directory, path) = try file("data: {files: [a.h5], classNames: [qcd, top]}\n")
        defer { directory.remove() }
        #expect(try RunConfig.load(path: path, overrides: ["data.inMemory=auto"]).data.inMemory == nil)
        #expect(try RunConfig.load(path: path, overrides: ["data.inMemory=false"]).data.inMemory == false)
        let error = #expect(throws: (any Error).self) {
            _ = try RunConfig.load(path: path, overrides: ["data.inMemory=sometimes"])
        }
        #expect("\(error!)".contains("data.inMemory") && "\(error!)".contains("must be auto, true or false"), "\(error!)")
    }
}
