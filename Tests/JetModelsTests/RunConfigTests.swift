import Foundation
import JetModels
import Testing

@Suite struct RunConfigTests {
    /// A minimal valid document: files and class names; everything else default.
    private func tree(_ extra: [String: Any] = [:]) -> [String: Any] {
        var root: [String: Any] = ["data": ["files": ["a.h5"], "classNames": ["qcd", "top"]]]
        for (key, value) in extra { root[key] = value }
        return root
    }

    /// The error loading `tree(extra)` throws, nil when it loads.
    private func failure(_ extra: [String: Any]) -> Error? {
        do {
            _ = try RunConfig.load(tree: tree(extra), file: "c.yaml")
            return nil
        } catch {
            return error
        }
    }

    @Test func defaultsFillEverySection() throws {
        let config = try RunConfig.load(tree: tree(), file: "c.yaml")
        #expect(config.training.batchSize == 256)
        #expect(config.training.optimizer == .adam)
        #expect(config.training.learningRate == 1e-3)
        #expect(config.data.split.validationFraction == 0.2)
        #expect(config.features.maxConstituents == 128)
        #expect(
            config.features.constituentVariables.map(\.name) == [
                "pt_log", "e_log", "logptrel", "logerel", "deltaR", "deta", "dphi",
            ])
        #expect(config.model.kind == .deepsets)
        #expect(config.model.deepsets?.inputFeatures == 7)
        #expect(config.model.deepsets?.classes == 2)
        #expect(config.taggerName == "deepsets")
    }

    @Test func partialFeatureSectionKeepsDefaultVariables() throws {
        let config = try RunConfig.load(tree: tree(["features": ["maxConstituents": 32]]), file: "c.yaml")
        #expect(config.features.maxConstituents == 32)
        #expect(config.features.constituentVariables == RunConfig.defaultFeatures.constituentVariables)
        #expect(config.model.deepsets?.inputFeatures == 7)
    }

    @Test func derivesModelSizesFromFeaturesAndClasses() throws {
        let config = try RunConfig.load(
            tree: tree([
                "features": ["constituentVariables": ["deta", "dphi"], "jetVariables": ["log_pt"]],
                "model": ["kind": "cnn1d", "cnn1d": ["channels": [8]]],
            ]), file: "c.yaml")
        #expect(config.model.cnn1d?.inputFeatures == 2)
        #expect(config.model.cnn1d?.channels == [8])
    }

    /// The jet-level MLP takes its input count from the jet variables; an MLP without jet variables is an error.
    @Test func mlpDerivesItsInputsFromTheJetVariables() throws {
        let config = try RunConfig.load(
            tree: tree([
                "features": ["constituentVariables": ["deta", "dphi"], "jetVariables": ["log_pt", "mass"]],
                "model": ["kind": "mlp", "mlp": ["hiddenLayers": [8]]],
            ]), file: "c.yaml")
        #expect(config.model.mlp == MLPConfig(jetFeatures: 2, hiddenLayers: [8]))
        #expect(config.model.kind == .mlp && config.model.classes == 2)
        #expect(failure(["model": ["kind": "mlp"]]).map { "\($0)" }?.contains("model.mlp.jetFeatures") == true)
    }

    @Test func switchingModelKindKeepsTheOtherSection() throws {
        let root = tree(["model": ["kind": "cnn1d", "deepsets": ["pooling": "max"], "cnn1d": ["channels": [4]]]])
        let config = try RunConfig.load(tree: root, file: "c.yaml")
        #expect(config.model.kind == .cnn1d)
        #expect(config.model.cnn1d?.channels == [4])
        #expect(config.model.deepsets?.pooling == .max)
        #expect(config.model.classes == 2)
    }

    @Test func unknownKeysNameTheirPathAndFile() {
        let cases: [([String: Any], String)] = [
            (["trainng": ["epochs": 3]], "trainng"),
            (["training": ["epoch": 3]], "training.epoch"),
            (["training": ["schedule": ["kind": "step", "gama": 0.5]]], "training.schedule.gama"),
            (
                ["features": ["constituentVariables": [["name": "deta", "clipMn": 1]]]],
                "features.constituentVariables[0].clipMn"
            ),
            (["model": ["kind": "deepsets", "deepsets": ["poolng": "sum"]]], "model.deepsets.poolng"),
            (["weights": ["weighting": ["methd": "none"]]], "weights.weighting.methd"),
        ]
        for (extra, path) in cases {
            guard case JetModelsError.unknownKey(let found, let file, _)? = failure(extra) else {
                Issue.record("\(path): expected an unknown-key error, got \(String(describing: failure(extra)))")
                continue
            }
            #expect(found == path)
            #expect(file == "c.yaml")
        }
    }

    @Test func wrongTypesAndValuesNameTheirPathAndFile() {
        let cases: [([String: Any], String)] = [
            (["training": ["epochs": "ten"]], "training.epochs"),
            (["training": ["optimizer": "adamax"]], "training.optimizer"),
            (["data": ["files": "a.h5", "classNames": ["qcd", "top"]]], "data.files"),
            (
                ["model": ["kind": "deepsets", "deepsets": ["constituentLayers": [8, "x"]]]],
                "model.deepsets.constituentLayers[1]"
            ),
            (["training": ["batchSize": 0]], "training.batchSize"),
            (
                ["data": ["files": ["a.h5"], "classNames": ["a", "b"], "split": ["validationFraction": 1.5]]],
                "data.split.validationFraction"
            ),
            (["model": ["kind": "deepsets", "deepsets": ["inputFeatures": 3]]], "model.deepsets.inputFeatures"),
            (["model": ["kind": "cnn1d", "cnn1d": ["kernelSize": 4]]], "model.cnn1d.kernelSize"),
        ]
        for (extra, path) in cases {
            guard case JetModelsError.invalidValue(let found, let file, _)? = failure(extra) else {
                Issue.record("\(path): expected an invalid-value error, got \(String(describing: failure(extra)))")
                continue
            }
            #expect(found == path)
            #expect(file == "c.yaml")
        }
        #expect(throws: JetModelsError.missingKey(path: "data.files", file: "c.yaml")) {
            try RunConfig.load(tree: ["data": ["classNames": ["a", "b"]]], file: "c.yaml")
        }
    }

    @Test func encodedConfigLoadsBackEqual() throws {
        let config = try RunConfig.load(
            tree: tree(["training": ["kfold": 4, "schedule": ["kind": "step", "gamma": 0.5]], "tagger": "pfn"]),
            file: "c.yaml")
        let tree = try JSONSerialization.jsonObject(with: Data(try config.jsonString().utf8))
        #expect(try RunConfig.load(tree: tree, file: "config.json") == config)
    }

    @Test func enumeratedValuesListTheChoices() {
        let error = failure(["training": ["schedule": ["kind": "linear"]]])
        #expect(
            error as? JetModelsError
                == .invalidValue(
                    path: "training.schedule.kind", file: "c.yaml",
                    expected: "expected one of constant, step, cosine, oneCycle, plateau"))
    }

    @Test func messagesNameKeyAndFile() {
        let error = JetModelsError.unknownKey(path: "training.epoch", file: "top.yaml", known: ["epochs"])
        #expect(error.description == "top.yaml: unknown key 'training.epoch'; known keys here: epochs")
    }
}
