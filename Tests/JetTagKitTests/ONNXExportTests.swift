import Foundation
import JetCore
@testable import JetData
import JetFeatures
import JetNN
import JetTagKit
import JetTestSupport
import Testing

/// `jettag export --onnx` verified in ONNX Runtime: every model kind exported from a model file on real jets of
/// `Datasets/top_qcd_sample.h5`; the network inputs JetTag prepared and the probabilities `jettag predict` wrote go
/// to `Tests/onnx/check_onnx.py`, which runs `onnx.checker` and ONNX Runtime on each file and compares to 1e-5.
/// Needs the venv of `Scripts/install-deps.sh` (~/.cache/jettag-onnx-venv, or `JETTAG_ONNX_PYTHON`): without it
/// the verification is skipped, except under CI=true, where it fails.
@Suite(.serialized) struct ONNXExportTests {
    static let sample = packageRoot.appendingPathComponent("Datasets/top_qcd_sample.h5").path
    static let python = ProcessInfo.processInfo.environment["JETTAG_ONNX_PYTHON"]
        ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/jettag-onnx-venv/bin/python").path
    static let pythonExists = FileManager.default.isExecutableFile(atPath: python)
    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"
    static let slots = 40
    static var constituentVariables: [Any] { ["pt_log", "e_log", "logptrel", "logerel", "deltaR", "deta", "dphi"] }
    /// The transformer's: deta, dphi and pt_log unstandardised first (its `pairColumns` [0, 1, 2]).
    static var transformerVariables: [Any] { [
        ["deta", 0, 1, NSNull(), NSNull()], ["dphi", 0, 1, NSNull(), NSNull()], ["pt_log", 0, 1, NSNull(), NSNull()],
        "e_log", "logptrel", "logerel", "deltaR",
    ] }
    static func transformer(
        embed: [Int] = [16, 16], heads: Int = 4, particleBlocks: Int = 2, classBlocks: Int = 1, pairLayers: [Int] = [8],
        pairColumns: [Int] = [0, 1, 2], headLayers: [Int] = [8]
    ) -> [String: Any] {
        ["kind": "transformer", "transformer": [
            "embedLayers": embed, "heads": heads, "particleBlocks": particleBlocks, "classBlocks": classBlocks,
            "feedForward": 24, "pairLayers": pairLayers, "pairColumns": pairColumns, "dropout": 0.1, "headLayers": headLayers,
        ] as [String: Any]]
    }
    static let jetVariables = ["log_pt", "mass", "log_energy", "eta", "n_constituents"]

    /// One exported case.
    struct Case {
        var name: String
        var model: [String: Any]
        var constituents = true
        var constituentVariables = ONNXExportTests.constituentVariables
        var jetFeatures = false
        var combination: MemberCombination = .single
        var classNames = ["qcd", "top"]
        var includePreprocessing = false
        /// A calibrated model's T (``TemperatureCalibration``); nil for none.
        var temperature: Double?
        /// A jet cut to this many constituents (ParticleNet: fewer than k + 1, all others are neighbours).
        var fewConstituents: Int?
        /// These constituent columns (ParticleNet's coordinates) set to the first constituent's in every
        /// constituent of a jet: all its distances tie, the neighbours are the lowest slots.
        var tiedColumns: [Int] = []
    }

    static var cases: [Case] { [
        Case(name: "deepsets-sum", model: ["kind": "deepsets", "deepsets": ["constituentLayers": [24, 24], "headLayers": [16], "pooling": "sum"]]),
        Case(name: "deepsets-mean-batchnorm", model: ["kind": "deepsets", "deepsets": ["constituentLayers": [24, 24], "headLayers": [16], "pooling": "mean", "batchNorm": true]]),
        Case(name: "deepsets-max-jet", model: ["kind": "deepsets", "deepsets": ["constituentLayers": [24, 24], "headLayers": [16], "pooling": "max"]], jetFeatures: true),
        Case(name: "deepsets-attention-batchnorm-jet", model: ["kind": "deepsets", "deepsets": ["constituentLayers": [24, 24], "headLayers": [16], "pooling": "attention", "batchNorm": true]], jetFeatures: true),
        Case(name: "deepsets-sum-jet-raw", model: ["kind": "deepsets", "deepsets": ["constituentLayers": [24, 24], "headLayers": [16], "pooling": "sum"]], jetFeatures: true, includePreprocessing: true),
        Case(name: "deepsets-3class", model: ["kind": "deepsets", "deepsets": ["constituentLayers": [24], "headLayers": [16], "pooling": "mean"]], classNames: ["qcd", "top", "w"]),
        Case(name: "cnn1d-batchnorm", model: ["kind": "cnn1d", "cnn1d": ["channels": [16, 24], "headLayers": [16], "batchNorm": true]]),
        Case(name: "cnn1d-batchnorm-residual-k5", model: ["kind": "cnn1d", "cnn1d": ["channels": [16, 16, 16], "kernelSize": 5, "headLayers": [16], "batchNorm": true, "residual": true]]),
        Case(name: "cnn1d-raw", model: ["kind": "cnn1d", "cnn1d": ["channels": [16], "headLayers": [], "batchNorm": false]], includePreprocessing: true),
        Case(name: "mlp", model: ["kind": "mlp", "mlp": ["hiddenLayers": [32, 32]]], constituents: false, jetFeatures: true),
        Case(name: "mlp-raw", model: ["kind": "mlp", "mlp": ["hiddenLayers": [32]]], constituents: false, jetFeatures: true, includePreprocessing: true),
        Case(name: "kfold3-deepsets-attention", model: ["kind": "deepsets", "deepsets": ["constituentLayers": [24], "headLayers": [16], "pooling": "attention"]], combination: .kfold(k: 3)),
        Case(name: "ensemble3-cnn1d", model: ["kind": "cnn1d", "cnn1d": ["channels": [16], "headLayers": [16], "batchNorm": true]], combination: .ensemble(count: 3)),
        Case(name: "transformer", model: transformer(), constituentVariables: transformerVariables),
        Case(name: "deepsets-sum-calibrated", model: ["kind": "deepsets", "deepsets": ["constituentLayers": [24, 24], "headLayers": [16], "pooling": "sum"]], temperature: 2.37),
        Case(name: "ensemble3-cnn1d-3class-calibrated", model: ["kind": "cnn1d", "cnn1d": ["channels": [16], "headLayers": [16], "batchNorm": true]], combination: .ensemble(count: 3), classNames: ["qcd", "top", "w"], temperature: 0.61),
        Case(
            name: "transformer-3class-raw", model: transformer(embed: [24, 16], heads: 2, classBlocks: 2, pairLayers: [], headLayers: []),
            constituentVariables: transformerVariables, classNames: ["qcd", "top", "w"], includePreprocessing: true),
        Case(name: "transformer-no-pair-bias", model: transformer(heads: 8, pairColumns: [], headLayers: []), constituentVariables: transformerVariables),
        Case(
            name: "ensemble3-transformer-raw", model: transformer(embed: [8], heads: 2, particleBlocks: 1, pairLayers: [8, 8]),
            constituentVariables: transformerVariables, combination: .ensemble(count: 3), includePreprocessing: true),
    ] }

    /// A model file of `testCase` with the standardisation fitted on the sample and seeded parameters: fresh
    /// initialisation, BatchNorm statistics and affine parameters drawn away from the identity.
    static func modelFile(_ testCase: Case, fitted: inout [String: FeatureSpec]) throws -> ModelFile {
        var featureSection: [String: Any] = ["maxConstituents": slots]
        featureSection["constituentVariables"] = testCase.constituentVariables  // required also for an MLP, which ignores them
        if testCase.jetFeatures { featureSection["jetVariables"] = jetVariables }
        var config = try RunConfig.load(
            tree: [
                "data": ["files": [sample], "split": ["validationFraction": 0.2, "seed": 1]],
                "features": featureSection, "model": testCase.model, "training": ["seed": 5],
            ], file: "onnx-test.yaml"
        ).resolvingClassNames()
        let featureKey = "\(testCase.constituentVariables) \(testCase.jetFeatures)"
        let features = try fitted[featureKey] ?? TrainingData.load(config: config).features
        fitted[featureKey] = features
        config.model.classes = testCase.classNames.count  // a 3-class head on the 2-class sample: the softmax path
        var generator = SeededGenerator(seed: 17)
        func uniform(_ low: Float, _ high: Float) -> Float {
            low + (high - low) * Float(generator.next() >> 40) / Float(1 << 24)
        }
        let members = try (0..<testCase.combination.memberCount).map { member in
            try config.model.makeModel(seed: UInt64(member + 1)).exportTensors().map { tensor in
                var tensor = tensor
                let ranges: [(String, Float, Float)] = [
                    ("running_var", 0.3, 2), ("running_mean", -0.5, 0.5), ("norm.weight", 0.5, 1.5), ("norm.bias", -0.3, 0.3),
                ]
                if let (_, low, high) = ranges.first(where: { tensor.name.hasSuffix($0.0) }) {
                    tensor.values = tensor.values.map { _ in uniform(low, high) }
                } else if tensor.name.hasSuffix(".bias") && tensor.values.allSatisfy({ $0 == 0 }) {
                    tensor.values = tensor.values.map { _ in uniform(-0.2, 0.2) }  // attention biases start at 0
                }
                return tensor
            }
        }
        return ModelFile(
            tagger: testCase.name.replacingOccurrences(of: "-", with: "_"), architecture: config.model,
            features: features, classNames: testCase.classNames, combination: testCase.combination,
            members: members, trainingConfig: config,
            calibration: testCase.temperature.map {
                TemperatureCalibration(temperature: $0, nllBefore: 0, nllAfter: 0, jets: 0, split: "validation")
            })
    }

    /// Little-endian bytes of `values`.
    static func bytes<T: FixedWidthInteger>(_ values: [T]) -> Data {
        var data = Data(capacity: values.count * MemoryLayout<T>.size)
        for value in values { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    /// [B, P, F] to [B, F, P].
    static func featureMajor(_ values: [Float], jets: Int, slots: Int, features: Int) -> [Float] {
        var result = [Float](repeating: 0, count: values.count)
        for b in 0..<jets {
            for j in 0..<slots {
                for f in 0..<features { result[(b * features + f) * slots + j] = values[(b * slots + j) * features + f] }
            }
        }
        return result
    }

    /// The real slots of padded features (the mask's prefix of each jet), packed as the scorer takes them.
    static func packed(_ batch: FeatureBatch) -> PackedFeatureBatch {
        let (slots, width) = (batch.maxConstituents, batch.constituentFeatureCount)
        var offsets = [0]
        var constituents: [Float] = []
        for b in 0..<batch.count {
            let kept = (0..<slots).prefix { batch.mask[b * slots + $0] == 1 }.count
            constituents += batch.constituentFeatures[(b * slots * width)..<((b * slots + kept) * width)]
            offsets.append(offsets.last! + kept)
        }
        return PackedFeatureBatch(
            constituentFeatureCount: width, jetFeatureCount: batch.jetFeatureCount, offsets: offsets,
            constituentFeatures: constituents, jetFeatures: batch.jetFeatures)
    }

    /// Keeps only the first `count` constituents of jet `jet` (the rest become padding).
    static func keepConstituents(_ count: Int, _ batch: inout FeatureBatch, jet: Int, padValues: [Float]) {
        for j in count..<batch.maxConstituents {
            batch.mask[jet * batch.maxConstituents + j] = 0
            for f in 0..<batch.constituentFeatureCount {
                batch.constituentFeatures[(jet * batch.maxConstituents + j) * batch.constituentFeatureCount + f] = padValues[f]
            }
        }
    }

    /// Sets `columns` of the first `count` constituents of jet `jet` to the first constituent's.
    static func tie(_ columns: [Int], _ batch: inout FeatureBatch, jet: Int, count: Int) {
        let (c, first) = (batch.constituentFeatureCount, jet * batch.maxConstituents)
        for j in 1..<count {
            for column in columns { batch.constituentFeatures[(first + j) * c + column] = batch.constituentFeatures[first * c + column] }
        }
    }

    /// Exports `file` (by default ``modelFile(_:fitted:)`` of `testCase`) into `directory/<name>/` with the inputs
    /// and the expected probabilities.
    static func writeCase(
        _ testCase: Case, file trained: ModelFile? = nil, into directory: TemporaryDirectory, fitted: inout [String: FeatureSpec]
    ) throws {
        let caseDirectory = directory.url.appendingPathComponent(testCase.name)
        try FileManager.default.createDirectory(at: caseDirectory, withIntermediateDirectories: true)
        let modelPath = caseDirectory.appendingPathComponent("model.h5").path
        let file = try trained ?? modelFile(testCase, fitted: &fitted)
        try file.write(to: modelPath)
        try ExportRun(
            model: modelPath, onnx: caseDirectory.appendingPathComponent("model.onnx").path,
            includePreprocessing: testCase.includePreprocessing
        ).run()

        // The jets of one shard, read and prepared as `jettag predict` reads and prepares them.
        let scorer = try JetScorer(file: file)
        let shard = Shard(index: 0, count: 25)
        let jets = try ShardedJets(files: [sample], options: scorer.readOptions(batchSize: 100_000, threads: 1), shard: shard)
        guard let (batch, rows) = try jets.next() else { throw JetTagKitError.noJets(files: [sample], part: .all) }
        var features = try scorer.extractor.extract(batch)
        var rawSpec = file.features
        for i in rawSpec.constituentVariables.indices {
            (rawSpec.constituentVariables[i].subtractBy, rawSpec.constituentVariables[i].multiplyBy) = (0, 1)
            (rawSpec.constituentVariables[i].clipMin, rawSpec.constituentVariables[i].clipMax) = (nil, nil)
        }
        for i in rawSpec.jetVariables.indices {
            (rawSpec.jetVariables[i].subtractBy, rawSpec.jetVariables[i].multiplyBy) = (0, 1)
            (rawSpec.jetVariables[i].clipMin, rawSpec.jetVariables[i].clipMax) = (nil, nil)
        }
        var raw = try FeatureExtractor(spec: rawSpec).extract(batch)

        // `jettag predict` on the shard, for the jets as they are.
        let predicted = caseDirectory.appendingPathComponent("scores.h5").path
        if file.classNames.count == 2 {
            try PredictionRun(model: modelPath, files: [sample], output: .file(predicted), shard: shard).run()
            // The scorer on these jets is what predict wrote for them, bit for bit.
            let unchanged = try scorer.score(batch, features: packed(features), globalRows: rows)
            let dataset = try HDF5File(readingAt: predicted).dataset("jets")
            let read = try dataset.readFields(
                rows: 0..<batch.count, try ScoreSchema(model: file).fields.map { try dataset.extraction($0) },
                integers: try dataset.extraction("jet_index"))
            #expect(read.integers == rows, "\(testCase.name): predict's rows")
            for c in file.classNames.indices {
                #expect(read.floats[c] == unchanged.column(c), "\(testCase.name): predict != scorer")
            }
        }
        // Jet 0 cut to its first constituent (the scorer on the changed inputs, predict's code path); a jet
        // with every slot filled must be there.
        let multiplicities = (0..<features.count).map { b in (0..<slots).filter { features.mask[b * slots + $0] == 1 }.count }
        let full = try #require(multiplicities.dropFirst().firstIndex(of: slots), "no jet fills all \(slots) slots")
        let padValues = file.features.constituentVariables.map(\.padValue)
        var manifest: [String: Any] = [:]
        if testCase.constituents {
            keepConstituents(1, &features, jet: 0, padValues: padValues)
            keepConstituents(1, &raw, jet: 0, padValues: padValues)
        }
        // A jet cut to `fewConstituents`, and one (of at least 12 constituents) whose coordinates all tie.
        var others = Array((1..<features.count).filter { $0 != full }.reversed())
        func nextJet(_ minimum: Int) throws -> Int {
            let index = try #require(others.lastIndex { multiplicities[$0] >= minimum }, "no jet of \(minimum) constituents")
            return others.remove(at: index)
        }
        if let count = testCase.fewConstituents {
            let few = try nextJet(count + 1)
            keepConstituents(count, &features, jet: few, padValues: padValues)
            keepConstituents(count, &raw, jet: few, padValues: padValues)
            manifest["few_constituents_jet"] = [few, count]
        }
        if !testCase.tiedColumns.isEmpty {
            let tied = try nextJet(12)
            tie(testCase.tiedColumns, &features, jet: tied, count: multiplicities[tied])
            tie(testCase.tiedColumns, &raw, jet: tied, count: multiplicities[tied])
            manifest["tied_jet"] = [tied, multiplicities[tied]]
        }
        // Changing a jet can move the boundaries of the parts a Deep Sets forwards (rounding of the others): the
        // reference is the scorer, predict's code path, on the changed jets.
        let expected = try scorer.score(batch, features: packed(features), globalRows: rows)
        if testCase.constituents {
            // and jet 0 without any constituent: the graph must give what the model gives (no NaN).
            var empty = features  // jet 0 has one constituent left
            empty.mask[0] = 0
            for f in 0..<empty.constituentFeatureCount {
                empty.constituentFeatures[f] = file.features.constituentVariables[f].padValue
            }
            let probabilities = try scorer.score(batch, features: packed(empty), globalRows: rows).probabilities
            let row = Array(probabilities[0..<file.classNames.count])
            #expect(row.allSatisfy { $0.isFinite }, "\(testCase.name): the model gives \(row) for an empty jet")
            try bytes(row.map(\.bitPattern)).write(to: caseDirectory.appendingPathComponent("expected_empty_jet.bin"))
        }
        let inputs = testCase.includePreprocessing ? raw : features
        manifest.merge([
            "jets": batch.count, "slots": slots, "single_constituent_jet": 0, "full_jet": full,
            "classes": file.classNames, "include_preprocessing": testCase.includePreprocessing,
        ]) { first, _ in first }
        var inputFiles: [String: Any] = [:]
        func write(_ name: String, _ data: Data, shape: [Int], type: String) throws {
            try data.write(to: caseDirectory.appendingPathComponent("\(name).bin"))
            inputFiles[name] = ["file": "\(name).bin", "shape": shape, "dtype": type]
        }
        if testCase.constituents {
            let c = inputs.constituentFeatureCount
            try write(
                ONNXExport.Name.constituents,
                bytes(featureMajor(inputs.constituentFeatures, jets: inputs.count, slots: slots, features: c).map(\.bitPattern)),
                shape: [inputs.count, c, slots], type: "float32")
            try write(ONNXExport.Name.mask, bytes(inputs.mask.map(\.bitPattern)), shape: [inputs.count, 1, slots], type: "float32")
        }
        if testCase.jetFeatures {
            try write(ONNXExport.Name.jetFeatures, bytes(inputs.jetFeatures.map(\.bitPattern)), shape: [inputs.count, inputs.jetFeatureCount], type: "float32")
        }
        if case .kfold = testCase.combination {
            try write(ONNXExport.Name.eventNumber, bytes(batch.eventNumbers), shape: [batch.count], type: "int64")
        }
        manifest["inputs"] = inputFiles
        try bytes(expected.probabilities.map(\.bitPattern)).write(to: caseDirectory.appendingPathComponent("expected_probabilities.bin"))
        if let spread = expected.spread {
            try bytes(spread.map(\.bitPattern)).write(to: caseDirectory.appendingPathComponent("expected_std.bin"))
            manifest["expected_std"] = "expected_std.bin"
        }
        manifest["expected_probabilities"] = "expected_probabilities.bin"
        if testCase.constituents { manifest["expected_empty_jet"] = "expected_empty_jet.bin" }
        try JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys])
            .write(to: caseDirectory.appendingPathComponent("case.json"))
    }

    @Test(.enabled(if: pythonExists || isCI, "no ONNX venv (Scripts/install-deps.sh makes ~/.cache/jettag-onnx-venv)"))
    func everyModelKindRunsInONNXRuntimeAsJetTagPredicts() throws {
        ComputeThreads.set(1)
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var fitted: [String: FeatureSpec] = [:]  // the standardisation fitted once per feature list
        for testCase in Self.cases { try Self.writeCase(testCase, into: directory, fitted: &fitted) }
        try Self.checkInONNXRuntime(directory, cases: Self.cases.count)
    }

    /// ParticleNet models trained for one epoch on 5% of the sample (k = 4 or 3: some jets have fewer constituents
    /// than k; the first block searches its neighbours in 2 or 3 coordinates, the later ones in 8 or 12 learned
    /// features, JetNN's 8 lanes and the tail), as a single model with and without the standardisation in the
    /// graph, a 3-fold with jet features and three blocks and a 2-member ensemble; each with a jet of 2 or 3
    /// constituents and a jet whose coordinates all tie.
    @Test(.enabled(if: pythonExists || isCI, "no ONNX venv (Scripts/install-deps.sh makes ~/.cache/jettag-onnx-venv)"))
    func trainedParticleNetRunsInONNXRuntimeAsJetTagPredicts() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        func trained(_ name: String, model: [String: Any], jetFeatures: Bool = false, training: [String: Any] = [:]) throws -> ModelFile {
            var features: [String: Any] = ["maxConstituents": Self.slots, "constituentVariables": Self.constituentVariables]
            if jetFeatures { features["jetVariables"] = Self.jetVariables }
            var settings: [String: Any] = ["epochs": 1, "batchSize": 64, "learningRate": 0.005, "seed": 3, "threads": 1, "trainFraction": 0.05]
            settings.merge(training) { _, new in new }
            let config = try RunConfig.load(
                tree: [
                    "data": ["files": [Self.sample], "split": ["validationFraction": 0.05, "seed": 1]],
                    "features": features, "model": ["kind": "particlenet", "particlenet": model], "training": settings,
                ], file: "\(name).yaml"
            ).resolvingClassNames()
            let run = directory.url.appendingPathComponent("runs/\(name)")
            try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
            return try TrainingRun(config: config, directory: run).run()
        }
        let small: [String: Any] = ["k": 4, "blocks": [[8, 8], [8]], "headLayers": [8]]
        let single = try trained("single", model: small)
        let threeCoordinates: [String: Any] = [
            "k": 4, "coordinates": ["deta", "dphi", "pt_log"], "blocks": [[8], [12], [12]], "headLayers": [8], "fusion": false,
            "inputBatchNorm": false,
        ]
        let kfold = try trained("kfold", model: threeCoordinates, jetFeatures: true, training: ["kfold": 3])
        let ensemble = try trained("ensemble", model: small.merging(["k": 3, "fusion": false]) { _, new in new }, training: ["ensemble": 2])
        // deta, dphi (and pt_log) in `constituentVariables`.
        let coordinates = [5, 6], withPt = [5, 6, 0]
        let cases: [(Case, ModelFile)] = [
            (Case(name: "particlenet", model: [:], fewConstituents: 3, tiedColumns: coordinates), single),
            (Case(name: "particlenet-raw", model: [:], includePreprocessing: true, fewConstituents: 3, tiedColumns: coordinates), single),
            (Case(name: "kfold3-particlenet-jet", model: [:], jetFeatures: true, combination: .kfold(k: 3), fewConstituents: 3, tiedColumns: withPt), kfold),
            (Case(name: "ensemble2-particlenet-raw", model: [:], combination: .ensemble(count: 2), includePreprocessing: true, fewConstituents: 2, tiedColumns: coordinates), ensemble),
        ]
        ComputeThreads.set(1)
        var fitted: [String: FeatureSpec] = [:]
        for (testCase, file) in cases { try Self.writeCase(testCase, file: file, into: directory, fitted: &fitted) }
        try Self.checkInONNXRuntime(directory, cases: cases.count)
    }

    /// Runs `Tests/onnx/check_onnx.py` on the cases in `directory` and expects all `cases` to pass.
    static func checkInONNXRuntime(_ directory: TemporaryDirectory, cases: Int) throws {
        guard pythonExists else {
            Issue.record("CI=true but \(python) does not exist: Scripts/install-deps.sh installs onnx and onnxruntime")
            return
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [packageRoot.appendingPathComponent("Tests/onnx/check_onnx.py").path, directory.url.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        print(text)  // per case: jets, largest difference, the 1-constituent and full jets, the dynamic P
        #expect(process.terminationStatus == 0, "check_onnx.py:\n\(text)")
        #expect(text.contains("\(cases) passed, 0 failed"), "check_onnx.py:\n\(text)")
    }
}

/// `jettag export`'s refusals: each names the file, and nothing is written (no .onnx, no preprocess.json, no
/// temporary file).
@Suite struct ONNXExportBadInputTests {
    /// A small Deep Sets model file of the sample (untrained).
    private func writeModel(to path: String, trainingState: Bool = false) throws {
        var fitted: [String: FeatureSpec] = [:]
        var file = try ONNXExportTests.modelFile(
            .init(name: "bad", model: ["kind": "deepsets", "deepsets": ["constituentLayers": [8], "headLayers": []]]),
            fitted: &fitted)
        if trainingState {
            var state = TrainingState()
            state.completedEpochs = 1
            file.trainingState = state
        }
        try file.write(to: path)
    }

    private func expectNothingWritten(in directory: TemporaryDirectory, besides kept: Set<String>) throws {
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: directory.url.path))
        #expect(names == kept, "left behind: \(names.subtracting(kept).sorted())")
    }

    @Test func checkpointDamagedFileUnknownKindAndMissingDirectoryAreRefused() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let onnx = directory.path("tagger.onnx")

        let checkpoint = directory.path("last.h5")
        try writeModel(to: checkpoint, trainingState: true)
        #expect(throws: JetExportError.checkpoint(file: checkpoint)) { try ExportRun(model: checkpoint, onnx: onnx).run() }

        let damaged = directory.path("damaged.h5")
        try Data(try Data(contentsOf: URL(fileURLWithPath: checkpoint)).prefix(3000)).write(to: URL(fileURLWithPath: damaged))
        let damagedError = #expect(throws: (any Error).self) { try ExportRun(model: damaged, onnx: onnx).run() }
        #expect("\(damagedError!)".contains(damaged), "\(damagedError!)")

        let newer = directory.path("later.h5")
        let writer = try HDF5FileWriter(path: newer)  // a model file of a later JetTag with a kind this one lacks
        try writer.setAttribute(ModelFile.format, named: "format")
        try writer.setAttribute(#"{"kind":"hypothetical","hypothetical":{}}"#, named: "architecture")
        try writer.commit()
        #expect(throws: JetExportError.unsupportedModelKind(file: newer, kind: "hypothetical", supported: ["deepsets", "cnn1d", "mlp", "transformer", "particlenet"])) {
            try ExportRun(model: newer, onnx: onnx).run()
        }

        let model = directory.path("model.h5")
        try writeModel(to: model)
        let missing = directory.path("no/such/dir/tagger.onnx")
        #expect(throws: JetExportError.missingOutputDirectory(path: missing, directory: directory.path("no/such/dir"))) {
            try ExportRun(model: model, onnx: missing).run()
        }
        #expect(throws: JetTagKitError.missingModelFile(path: directory.path("absent.h5"))) {
            try ExportRun(model: directory.path("absent.h5"), onnx: onnx).run()
        }
        try expectNothingWritten(in: directory, besides: ["last.h5", "damaged.h5", "later.h5", "model.h5"])

        // and the good one writes both files, which inspect reads back
        let result = try ExportRun(model: model, onnx: onnx).run()
        try expectNothingWritten(in: directory, besides: ["last.h5", "damaged.h5", "later.h5", "model.h5", "tagger.onnx", "preprocess.json"])
        let inspection = try ONNXInspection.inspect(path: onnx)
        #expect(inspection.inputs.map(\.name) == ["pf_features", "pf_mask"])
        #expect(inspection.inputs[0].shape == ["N", "7", "P"] && inspection.inputs[0].type == "float32")
        #expect(inspection.outputs.map(\.name) == ["probabilities", "logits"] && inspection.outputs[0].shape == ["N", "2"])
        #expect(inspection.metadata["class_names"] == #"["qcd","top"]"#)
        #expect(inspection.metadata["preprocess_json"] == (try String(contentsOfFile: result.preprocessJSON, encoding: .utf8)))
        #expect(inspection.opsets == ["ai.onnx:13"] && inspection.irVersion == 7)
        #expect(inspection.report.contains("  pf_features          float32 [N, 7, P]"), "\(inspection.report)")

        // inspect on a file that is not ONNX
        #expect(throws: JetExportError.self) { try ONNXInspection.inspect(path: model) }
    }
}
