import Foundation
import JetModels
import Testing

/// The one decoder of run and reweighting configs: unknown keys anywhere, by their full dotted path.
@Suite struct ConfigDecoderTests {
    /// A run config's tree: files and class names, plus `extra` sections.
    private func runTree(_ extra: [String: Any] = [:]) -> [String: Any] {
        let tree: [String: Any] = ["data": ["files": ["a.h5"], "classNames": ["qcd", "top"]]]
        return tree.merging(extra) { $1 }
    }

    /// A reweighting config's tree (files that need not exist: loading opens none) with `extra` sections.
    private func reweightingTree(_ extra: [String: Any] = [:]) -> [String: Any] {
        let tree: [String: Any] = [
            "source": ["files": ["source.h5"]], "target": ["files": ["target.h5"]],
            "reweighting": ["modulus": 4, "trainingFolds": [0], "validationFolds": [1], "heldOutFolds": [2, 3]],
        ]
        return tree.merging(extra) { $1 }
    }

    /// The path and file of the unknown-key error `load` throws, nil for another outcome.
    private func unknownKey(_ load: () throws -> Void) -> (path: String, file: String)? {
        do {
            try load()
        } catch JetModelsError.unknownKey(let path, let file, _) {
            return (path, file)
        } catch {
            Issue.record("expected an unknown-key error, got \(error)")
        }
        return nil
    }

    @Test func unknownKeysInsideTheModelAndDataSectionsNameTheFullPath() {
        let cases: [([String: Any], String)] = [
            (["model": ["kind": "cnn1d", "cnn1d": ["kernelSise": 3]]], "model.cnn1d.kernelSise"),
            // A section of another kind is checked too (kept for `--set model.kind=...`).
            (["model": ["kind": "deepsets", "mlp": ["hiddenLayrs": [8]]]], "model.mlp.hiddenLayrs"),
            (["data": ["files": ["a.h5"], "labelFeld": "y"]], "data.labelFeld"),
            (["data": ["files": ["a.h5"], "split": ["modulo": 4]]], "data.split.modulo"),
            (["data": ["files": ["a.h5"], "layout": ["kind": "compound", "jetz": "j"]]], "data.layout.jetz"),
            (["features": ["jetKinematics": ["ptt": "pt"]]], "features.jetKinematics.ptt"),
        ]
        for (extra, path) in cases {
            let found = unknownKey { _ = try RunConfig.load(tree: runTree(extra), file: "c.yaml") }
            #expect(found?.path == path)
            #expect(found?.file == "c.yaml")
        }
    }

    @Test func unknownKeysInsideAReweightingConfigNameTheFullPath() throws {
        _ = try ReweightingConfig.load(tree: reweightingTree(), file: "r.yaml")
        let cases: [([String: Any], String)] = [
            (["source": ["files": ["source.h5"], "weightFeild": "w"]], "source.weightFeild"),
            (["reweighting": ["epsilonn": 0.01]], "reweighting.epsilonn"),
            (["closure": ["binz": 4]], "closure.binz"),
            (["model": ["kind": "deepsets", "deepsets": ["poolng": "sum"]]], "model.deepsets.poolng"),
            (["training": ["epoch": 3]], "training.epoch"),
            // The classifier's data section is derived from the samples but for inMemory and shuffleBuffer: any other
            // key is an error.
            (["data": ["files": ["a.h5"]]], "data.files"),
        ]
        for (extra, path) in cases {
            let found = unknownKey { _ = try ReweightingConfig.load(tree: reweightingTree(extra), file: "r.yaml") }
            #expect(found?.path == path)
            #expect(found?.file == "r.yaml")
        }
    }

    @Test func unknownKeyErrorsListTheKeysInTheOrderTheSectionReadsThem() throws {
        let error = try #require(throws: JetModelsError.self) {
            try RunConfig.load(tree: runTree(["training": ["schedule": ["gama": 0.5]]]), file: "c.yaml")
        }
        #expect(
            error.description
                == "c.yaml: unknown key 'training.schedule.gama'; known keys here: kind, stepEpochs, gamma, warmupEpochs, minimum, plateauPatience")
    }

    @Test func modelValuesOutOfRangeNameTheFullPathAndFile() throws {
        let error = try #require(throws: JetModelsError.self) {
            try RunConfig.load(tree: runTree(["model": ["kind": "deepsets", "deepsets": ["dropout": 1.5]]]), file: "c.yaml")
        }
        #expect(error.description == "c.yaml: key 'model.deepsets.dropout': is 1.5, expected a rate in [0, 1)")
        #expect(
            throws: JetModelsError.invalidValue(
                path: "model.mlp.hiddenLayers", file: "c.yaml", expected: "is [0], expected a list of positive sizes")
        ) {
            try MLPConfig(jetFeatures: 2, hiddenLayers: [0]).validate(file: "c.yaml")
        }
    }

    /// Numbers convert to the asked type only when they fit exactly; booleans are not numbers; null is absent.
    @Test func valuesConvertOnlyWhenExact() throws {
        let decoder = ConfigDecoder(file: "c.yaml")
        #expect(try decoder.decode(TrainingConfig.self, from: ["epochs": 3.0]).epochs == 3)
        #expect(try decoder.decode(TrainingConfig.self, from: ["epochs": NSNull()]).epochs == TrainingConfig().epochs)
        #expect(try decoder.decode(TrainingConfig.self, from: ["seed": 7]).seed == 7)
        #expect(try decoder.decode(TrainingConfig.self, from: ["learningRate": 1]).learningRate == 1)
        let cases: [([String: Any], String, String)] = [
            (["epochs": 3.5], "epochs", "expected an integer"),
            (["epochs": true], "epochs", "expected an integer"),
            (["seed": -1], "seed", "expected an integer"),
            (["learningRate": "fast"], "learningRate", "expected a number"),
            (["schedule": ["kind": 1]], "schedule.kind", "expected a string"),
            (["schedule": "cosine"], "schedule", "expected a mapping"),
        ]
        for (tree, path, expected) in cases {
            #expect(throws: JetModelsError.invalidValue(path: path, file: "c.yaml", expected: expected)) {
                try decoder.decode(TrainingConfig.self, from: tree)
            }
        }
        #expect(throws: JetModelsError.invalidValue(path: "eventWeights", file: "c.yaml", expected: "expected true or false")) {
            try decoder.decode(WeightsConfig.self, from: ["eventWeights": 1])
        }
    }

    /// A JSON document (JSONSerialization's NSNumbers and booleans) decodes as the same tree written in Swift.
    @Test func jsonTreesDecodeLikeSwiftTrees() throws {
        let swiftTree = runTree([
            "training": ["epochs": 4, "learningRate": 0.01, "gradientClip": 2.5, "seed": 3],
            "weights": ["eventWeights": false],
        ])
        let json = try JSONSerialization.jsonObject(with: JSONSerialization.data(withJSONObject: swiftTree))
        #expect(try RunConfig.load(tree: json, file: "c.json") == RunConfig.load(tree: swiftTree, file: "c.yaml"))
    }
}

extension ConfigDecoderTests {
    @Test func nonFiniteNumbersAreRejectedWithTheKeyPath() {
        for (value, text) in [(Double.nan, "nan"), (Double.infinity, "inf"), (-Double.infinity, "-inf")] {
            #expect(throws: JetModelsError.invalidValue(
                path: "training.learningRate", file: "c.yaml", expected: "expected a finite number, found \(text)")
            ) {
                try RunConfig.load(tree: runTree(["training": ["learningRate": value]]), file: "c.yaml")
            }
        }
        #expect(throws: JetModelsError.invalidValue(
            path: "training.gradientClip", file: "c.yaml", expected: "expected a finite number, found inf")
        ) {
            try RunConfig.load(tree: runTree(["training": ["gradientClip": 1e300]]), file: "c.yaml")
        }
    }
}
