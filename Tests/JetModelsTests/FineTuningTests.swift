import Foundation
import JetCore
import JetData
import JetFeatures
import JetNN
import JetTestSupport
import Testing

@testable import JetModels

@Suite struct FineTuningTests {
    /// A small Deep Sets config on `file` (class names from the file), with `training` and `model` settings on top.
    private func config(
        file: String, training: [String: Any] = [:], features: [String: Any] = [:], model: [String: Any]? = nil,
        classNames: [String]? = nil, labelMap: [String: Int]? = nil
    ) throws -> RunConfig {
        ComputeThreads.set(1)
        var settings: [String: Any] = ["batchSize": 32, "epochs": 2, "learningRate": 0.01, "seed": 7, "patience": 0]
        for (key, value) in training { settings[key] = value }
        var featureSettings: [String: Any] = [
            "maxConstituents": SyntheticJetFile.slots, "constituentVariables": ["deta", "dphi", "logptrel"],
        ]
        for (key, value) in features { featureSettings[key] = value }
        var data: [String: Any] = ["files": [file], "split": ["validationFraction": 0.25, "seed": 3]]
        if let classNames { data["classNames"] = classNames }
        if let labelMap { data["labelMap"] = labelMap }
        return try RunConfig.load(
            tree: [
                "data": data, "features": featureSettings,
                "model": model ?? ["kind": "deepsets", "deepsets": ["constituentLayers": [16, 16], "headLayers": [16]]],
                "training": settings,
            ], file: "test.yaml"
        ).resolvingClassNames()
    }

    /// A directory with a synthetic file `jets.h5` and a parent run `parent/` trained on it for 2 epochs.
    private func parentRun(classes: Int = 2) throws -> (TemporaryDirectory, file: String, parent: String) {
        let directory = try TemporaryDirectory()
        let file = directory.path("jets.h5")
        try SyntheticJetFile.write(to: file, count: 320, seed: 11, classes: classes)
        try TrainingRun(config: try config(file: file), directory: directory.url.appendingPathComponent("parent")).run()
        return (directory, file, directory.path("parent/model.h5"))
    }

    private func mismatch(_ error: any Error) -> String? {
        guard case let .parentMismatch(_, what, _, _, _)? = error as? JetModelsError else { return nil }
        return what
    }

    @Test func theNewModelStartsFromTheParentExceptTheExcludedParameters() throws {
        let (directory, file, parentPath) = try parentRun()
        defer { directory.remove() }
        let config = try config(file: file, training: ["initFrom": parentPath, "initExclude": ["head.1.*"], "seed": 99])
        let fineTuning = try #require(try FineTuning(config: config))
        #expect(fineTuning.excluded == ["head.1.weight", "head.1.bias"])
        let parent = try ModelFile.read(from: parentPath).members[0]
        let fresh = try config.model.makeModel(seed: 99).exportTensors()
        let trainer = try Trainer(config: config, data: try TrainingData.load(config: config), fineTuning: fineTuning)
        let started = trainer.model.exportTensors()
        #expect(started.count == parent.count)
        for tensor in started {
            let expected = (fineTuning.excluded.contains(tensor.name) ? fresh : parent).first { $0.name == tensor.name }
            #expect(tensor.values == expected?.values, "\(tensor.name)")
        }
        // The parent's trained parameters differ from a fresh initialisation, so the comparison above can fail.
        #expect(parent.first { $0.name == "head.1.weight" }?.values != fresh.first { $0.name == "head.1.weight" }?.values)
    }

    @Test func frozenParametersStayBitIdenticalAndTheOthersTrain() throws {
        let (directory, file, parentPath) = try parentRun()
        defer { directory.remove() }
        // AdamW with weight decay: a frozen weight must not even decay.
        let config = try config(
            file: file,
            training: [
                "initFrom": parentPath, "freeze": ["constituent.*"], "optimizer": "adamw", "weightDecay": 0.1,
                "gradientClip": 0.5,
            ])
        let parent = try ModelFile.read(from: parentPath).members[0]
        var trainer = try Trainer(
            config: config, data: try TrainingData.load(config: config), fineTuning: try FineTuning(config: config))
        try trainer.train(directory: directory.url.appendingPathComponent("tuned"))
        let trained = try ModelFile.read(from: directory.path("tuned/last.h5"))
        let moments = try #require(trained.optimizerState.first { $0.name == "first_moment" })
        for entry in trainer.model.parameters.entries {
            let before = try #require(parent.first { $0.name == entry.name })
            let after = trainer.model.parameters.values(of: entry)
            if entry.name.hasPrefix("constituent.") {
                #expect(!entry.trainable)
                #expect(after.map(\.bitPattern) == before.values.map(\.bitPattern), "\(entry.name)")
                #expect(moments.values[entry.range].allSatisfy { $0 == 0 }, "\(entry.name): Adam state was touched")
            } else {
                #expect(after != before.values, "\(entry.name) did not train")
            }
        }
    }

    @Test func anInterruptedFineTuningContinuesToTheSameModel() throws {
        let (directory, file, parentPath) = try parentRun()
        defer { directory.remove() }
        let config = try config(
            file: file, training: ["initFrom": parentPath, "freeze": ["constituent.0.*"], "epochs": 3])
        let fineTuning = try FineTuning(config: config)
        let data = try TrainingData.load(config: config, features: fineTuning?.features(config.features))
        var uninterrupted = try Trainer(config: config, data: data, fineTuning: fineTuning)
        let reference = try uninterrupted.train(directory: directory.url.appendingPathComponent("a"))

        let stopped = directory.url.appendingPathComponent("b")
        var first = try Trainer(config: config, data: data, fineTuning: fineTuning)
        var steps = 0
        #expect(throws: JetModelsError.self) {
            try first.train(directory: stopped, shouldStop: { steps += 1; return steps == 11 })
        }
        let checkpoint = try ModelFile.read(from: stopped.appendingPathComponent("last.h5").path)
        #expect(checkpoint.parent == fineTuning?.provenance)
        // Continuing needs no parent: the checkpoint holds the parameters, and the freeze comes from the config.
        var continued = try Trainer(config: config, data: data, checkpoint: checkpoint)
        let state = try continued.train(directory: stopped)
        #expect(continued.model.parameters.values == uninterrupted.model.parameters.values)
        #expect(state.history.map(\.validationLoss) == reference.history.map(\.validationLoss))
        #expect(try ModelFile.read(from: stopped.appendingPathComponent("model.h5").path).parent == fineTuning?.provenance)
    }

    /// The same through `TrainingRun(resuming:)`, as `jettag train --resume` runs it: config.json carries the
    /// parent's standardisation and the fine-tuning keys.
    @Test func aResumedFineTuningRunEndsWithTheUninterruptedModel() throws {
        let (directory, file, parentPath) = try parentRun()
        defer { directory.remove() }
        let config = try config(file: file, training: ["initFrom": parentPath, "freeze": ["head.0.*"], "epochs": 3])
        let reference = try TrainingRun(config: config, directory: directory.url.appendingPathComponent("a")).run()
        let stopped = directory.url.appendingPathComponent("b")
        var steps = 0
        #expect(throws: JetModelsError.self) {
            try TrainingRun(config: config, directory: stopped).run(shouldStop: { steps += 1; return steps == 13 })
        }
        let resumed = try TrainingRun(resuming: stopped).run()
        #expect(resumed.members == reference.members)
        #expect(resumed.features == reference.features)
        #expect(resumed.parent == reference.parent && resumed.parent != nil)
    }

    @Test func aFineTunedRunRecordsItsParentAndItsHashAsSha256sumPrintsIt() throws {
        let (directory, file, parentPath) = try parentRun()
        defer { directory.remove() }
        let run = directory.url.appendingPathComponent("tuned")
        try TrainingRun(config: try config(file: file, training: ["initFrom": parentPath]), directory: run).run()
        let parent = try #require(try ModelFile.read(from: run.appendingPathComponent("model.h5").path).parent)
        #expect(parent.path == parentPath)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [parentPath]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let printed = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(parent.sha256 == printed.split(separator: " ").first.map(String.init))
        // A model trained from scratch records none.
        #expect(try ModelFile.read(from: parentPath).parent == nil)
    }

    @Test func theStandardisationIsTheParentsOrRefitted() throws {
        let (directory, _, parentPath) = try parentRun()
        defer { directory.remove() }
        let other = directory.path("other.h5")
        try SyntheticJetFile.write(to: other, count: 200, seed: 5)
        let parentFeatures = try ModelFile.read(from: parentPath).features
        // Default (parent): the centres and scales of the parent model, also in the run's config.json.
        let run = directory.url.appendingPathComponent("kept")
        let kept = try TrainingRun(config: try config(file: other, training: ["initFrom": parentPath]), directory: run).run()
        #expect(kept.features.constituentVariables == parentFeatures.constituentVariables)
        let written = try TrainingRun(resuming: run).config
        #expect(written.features.constituentVariables.map(\.subtractBy) == parentFeatures.constituentVariables.map(\.subtractBy))
        // refit: fitted on the new training split, as without a parent.
        let refitConfig = try config(
            file: other, training: ["initFrom": parentPath], features: ["standardizationSource": "refit"])
        let refit = try TrainingRun(config: refitConfig, directory: directory.url.appendingPathComponent("refit")).run()
        let fitted = try TrainingData.fittedFeatures(config: refitConfig, split: refitConfig.data.split.splits.training)
        #expect(refit.features.constituentVariables == fitted.constituentVariables)
        #expect(refit.features.constituentVariables.map(\.subtractBy) != parentFeatures.constituentVariables.map(\.subtractBy))
        // A centre written in the config wins over the parent's.
        let written2 = try config(
            file: other, training: ["initFrom": parentPath],
            features: ["constituentVariables": [["deta", 0.5, 2.0], "dphi", "logptrel"]])
        let filled = try #require(try FineTuning(config: written2)).features(written2.features)
        #expect(filled.constituentVariables[0].subtractBy == 0.5)
        #expect(filled.constituentVariables[1].subtractBy == parentFeatures.constituentVariables[1].subtractBy)
    }

    @Test func aParentWithOtherFeaturesKindOrLayerSizesIsRejectedNamingWhatDiffers() throws {
        let (directory, file, parentPath) = try parentRun()
        defer { directory.remove() }
        let initFrom: [String: Any] = ["initFrom": parentPath]
        let reordered = try config(
            file: file, training: initFrom, features: ["constituentVariables": ["dphi", "deta", "logptrel"]])
        let error = #expect(throws: JetModelsError.self) { try FineTuning(config: reordered) }
        #expect(mismatch(error!) == "features.constituentVariables")
        #expect("\(error!)".contains("[deta, dphi, logptrel] in the parent model, [dphi, deta, logptrel] in the config"))

        let withJetVariable = try config(file: file, training: initFrom, features: ["jetVariables": ["pt"]])
        #expect(mismatch(#expect(throws: JetModelsError.self) { try FineTuning(config: withJetVariable) }!) == "features.jetVariables")

        let cnn = try config(
            file: file, training: initFrom, model: ["kind": "cnn1d", "cnn1d": ["channels": [8], "headLayers": [8]]])
        let kind = #expect(throws: JetModelsError.self) { try FineTuning(config: cnn) }
        #expect(mismatch(kind!) == "model.kind")
        #expect("\(kind!)".contains("deepsets in the parent model, cnn1d in the config"))

        let wider = try config(
            file: file, training: initFrom,
            model: ["kind": "deepsets", "deepsets": ["constituentLayers": [16, 16], "headLayers": [32]]])
        let shape = #expect(throws: JetModelsError.self) { try FineTuning(config: wider) }
        #expect(mismatch(shape!) == "the shape of parameter 'head.0.weight'")
        #expect("\(shape!)".contains("[16, 16] in the parent model, [32, 16] in the config"))
        // Excluding the changed head makes it a valid fine-tuning: the new head keeps its fresh initialisation.
        let newHead = try config(
            file: file, training: ["initFrom": parentPath, "initExclude": ["head.*"]],
            model: ["kind": "deepsets", "deepsets": ["constituentLayers": [16, 16], "headLayers": [32]]])
        #expect(try FineTuning(config: newHead)?.excluded.count == 4)

        let deeper = try config(
            file: file, training: initFrom,
            model: ["kind": "deepsets", "deepsets": ["constituentLayers": [16, 16, 16], "headLayers": [16]]])
        #expect(mismatch(#expect(throws: JetModelsError.self) { try FineTuning(config: deeper) }!) == "parameter 'constituent.2.weight'")
        let shallower = try config(
            file: file, training: initFrom,
            model: ["kind": "deepsets", "deepsets": ["constituentLayers": [16], "headLayers": [16]]])
        let missing = #expect(throws: JetModelsError.self) { try FineTuning(config: shallower) }
        #expect(mismatch(missing!) == "parameter 'constituent.1.bias'")  // the file lists its tensors by name
        #expect("\(missing!)".contains("shape [16] in the parent model, absent in the config"))
    }

    @Test func otherClassesNeedANewOutputLayer() throws {
        let (directory, file, parentPath) = try parentRun()
        defer { directory.remove() }
        let three = directory.path("three.h5")
        try SyntheticJetFile.write(to: three, count: 150, seed: 3, classes: 3)
        let error = #expect(throws: JetModelsError.self) {
            try FineTuning(config: try config(file: three, training: ["initFrom": parentPath]))
        }
        #expect(mismatch(error!) == "classes")
        #expect("\(error!)".contains("[background, signal] in the parent model, [background, signal, other] in the config"))
        #expect("\(error!)".contains("head.1.bias, head.1.weight"))
        // The same classes in another order would give silently swapped scores: rejected too.
        let swapped = try config(file: file, training: ["initFrom": parentPath], classNames: ["signal", "background"],
            labelMap: ["background": 1, "signal": 0])
        #expect(mismatch(#expect(throws: JetModelsError.self) { try FineTuning(config: swapped) }!) == "classes")
        // With the output layer excluded the run trains a 3-class head on the transferred network.
        let threeClasses = try config(file: three, training: ["initFrom": parentPath, "initExclude": ["head.1.*"]])
        let model = try TrainingRun(config: threeClasses, directory: directory.url.appendingPathComponent("three")).run()
        #expect(model.classNames == ["background", "signal", "other"])
        let parent = try ModelFile.read(from: parentPath).members[0]
        let constituent = model.members[0].first { $0.name == "constituent.0.weight" }
        #expect(constituent?.shape == parent.first { $0.name == "constituent.0.weight" }?.shape)
    }

    @Test func patternsThatMatchNothingAreErrors() throws {
        let (directory, file, parentPath) = try parentRun()
        defer { directory.remove() }
        let exclude = try config(file: file, training: ["initFrom": parentPath, "initExclude": ["heads.*"]])
        let error = #expect(throws: JetModelsError.self) { try FineTuning(config: exclude) }
        guard case let .unmatchedPattern(key, pattern, parameters)? = error else {
            Issue.record("got \(String(describing: error))")
            return
        }
        #expect(key == "training.initExclude" && pattern == "heads.*")
        #expect(parameters.contains("head.0.weight"))
        let run = directory.url.appendingPathComponent("frozen")
        let freeze = try config(file: file, training: ["freeze": ["phi.*"]])
        let frozen = #expect(throws: JetModelsError.self) { try TrainingRun(config: freeze, directory: run).run() }
        guard case .unmatchedPattern("training.freeze", "phi.*", _)? = frozen else {
            Issue.record("got \(String(describing: frozen))")
            return
        }
        #expect(!FileManager.default.fileExists(atPath: run.path), "the run directory was made before the check")
        #expect(throws: JetModelsError.invalidValue(
            path: "training.initExclude", file: "test.yaml",
            expected: "needs training.initFrom (the model whose parameters it excludes)")
        ) { try config(file: file, training: ["initExclude": ["head.*"]]) }
    }

    @Test func checkpointsAndEnsemblesCannotStartARun() throws {
        let (directory, file, _) = try parentRun()
        defer { directory.remove() }
        func reason(_ initFrom: String) -> String? {
            let error = #expect(throws: JetModelsError.self) {
                try FineTuning(config: try config(file: file, training: ["initFrom": initFrom]))
            }
            guard case let .unusableParent(parent, reason)? = error else { return nil }
            #expect(parent == initFrom)
            return reason
        }
        #expect(reason(directory.path("parent/last.h5"))?.contains("is a checkpoint") == true)
        try TrainingRun(
            config: try config(file: file, training: ["ensemble": 2, "epochs": 1]),
            directory: directory.url.appendingPathComponent("ensemble")
        ).run()
        #expect(reason(directory.path("ensemble/model.h5"))?.contains("combines 2 models") == true)
        #expect(throws: (any Error).self) {
            try FineTuning(config: try config(file: file, training: ["initFrom": directory.path("nothing.h5")]))
        }
    }

    @Test func theOutputLayerIsTheLastDenseOfEveryKind() throws {
        let models: [ModelArchitecture] = [
            ModelArchitecture(deepSets: DeepSetsConfig(inputFeatures: 3, jetFeatures: 2, constituentLayers: [8], batchNorm: true, headLayers: [8, 4], classes: 3)),
            ModelArchitecture(cnn1d: CNN1DConfig(inputFeatures: 3, channels: [8, 8], headLayers: [4], classes: 2)),
            ModelArchitecture(mlp: MLPConfig(jetFeatures: 3, hiddenLayers: [8], classes: 4)),
        ]
        for architecture in models {
            let model = try architecture.makeModel(seed: 1)
            let output = FineTuning.outputLayer(of: model.parameters.entries.map(\.name))
            let shapes = model.parameters.entries.filter { output.contains($0.name) }.map(\.shape)
            #expect(output.count == 2, "\(architecture.kind)")
            #expect(shapes.allSatisfy { $0[0] == model.logitCount }, "\(architecture.kind): \(output)")
        }
    }
}
