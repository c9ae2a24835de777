import Foundation
import JetNN
import JetTagKit
import JetTestSupport
import Testing

/// `predict`'s guarantees: the same bits for any shard count and batch size, and models of the right kind.
@Suite struct PredictionGuardsTests {
    /// An untrained Deep Sets model (standardisation fitted on the file) for the synthetic file at `file`, with
    /// `data` keys added to its config.
    private func modelFile(for file: String, data: [String: Any] = [:]) throws -> ModelFile {
        var dataSection: [String: Any] = ["files": [file], "split": ["validationFraction": 0.25, "seed": 3]]
        for (key, value) in data { dataSection[key] = value }
        let config = try RunConfig.load(
            tree: [
                "data": dataSection,
                "features": [
                    "maxConstituents": SyntheticJetFile.slots, "constituentVariables": ["deta", "dphi", "logptrel"],
                ],
                "model": ["kind": "deepsets", "deepsets": ["constituentLayers": [32, 32], "headLayers": [16]]],
                "training": ["seed": 5],
            ], file: "test.yaml"
        ).resolvingClassNames()
        return try Trainer(config: config, data: try TrainingData.load(config: config)).checkpointFile(state: nil)
    }

    /// The class-1 scores' bit patterns by global row, reading with `batchSize` and each of `shards` parts.
    private func scores(_ scorer: JetScorer, files: [String], shards: Int, batchSize: Int) throws -> [Int64: UInt32] {
        var result: [Int64: UInt32] = [:]
        for index in 0..<shards {
            let jets = try ShardedJets(
                files: files, options: scorer.readOptions(batchSize: batchSize, threads: 1),
                shard: Shard(index: index, count: shards))
            while let (batch, indices) = try jets.next() {
                let column = try scorer.score(batch, globalRows: indices, files: jets.files).column(1)
                for (row, value) in zip(indices, column) {
                    #expect(result.updateValue(value.bitPattern, forKey: row) == nil, "row \(row) twice")
                }
            }
        }
        return result
    }

    @Test func shardedScoresAreTheUnshardedBitForBitForAnyBatchSize() throws {
        ComputeThreads.set(1)
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let files = [directory.path("a.h5"), directory.path("b.h5")]
        try SyntheticJetFile.write(to: files[0], count: 1500, seed: 1)
        try SyntheticJetFile.write(to: files[1], count: 1333, seed: 2, firstEventNumber: 9000)
        let scorer = try JetScorer(file: try modelFile(for: files[0]))
        let whole = try scores(scorer, files: files, shards: 1, batchSize: 10_000)
        #expect(whole.count == 2833)
        for shards in [1, 3, 7] {
            for batchSize in [50, 777] {
                let parts = try scores(scorer, files: files, shards: shards, batchSize: batchSize)
                let differing = whole.keys.filter { parts[$0] != whole[$0] }.count
                #expect(parts.count == whole.count && differing == 0, "\(shards) shards, batch size \(batchSize)")
            }
        }
    }

    @Test func predictRefusesAReweighterAndReweightApplyATagger() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let input = directory.path("jets.h5")
        try SyntheticJetFile.write(to: input, count: 200, seed: 1)
        let tagger = directory.path("model.h5")
        try modelFile(for: input).write(to: tagger)
        try Data("{}".utf8).write(to: URL(fileURLWithPath: directory.path("reweighting.json")))
        #expect(throws: JetModelsError.wrongModelKind(
            file: tagger, kind: "tagger", command: "jettag reweight apply / closure",
            use: "jettag predict, evaluate or saliency")
        ) {
            try ReweightApplyRun(model: tagger, files: [input], out: directory.path("w.h5")).run()
        }
        #expect(!FileManager.default.fileExists(atPath: directory.path("w.h5")))
    }

    @Test func evaluateStopsOnAFileWhoseLabelNamesContradictTheModel() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let input = directory.path("jets.h5")
        try SyntheticJetFile.write(to: input, count: 200, seed: 1)
        let swapped = directory.path("swapped.h5")
        try SyntheticJetFile.write(to: swapped, count: 200, seed: 1, labelNames: "signal,background")
        let plain = directory.path("plain.h5")
        try modelFile(for: input).write(to: plain)
        let evaluation = EvaluationRun(model: plain, files: [swapped], directory: directory.url.appendingPathComponent("e"))
        #expect(throws: JetModelsError.classNamesMismatch(
            file: swapped, fileNames: ["signal", "background"], classNames: ["background", "signal"])
        ) { try evaluation.run() }
        #expect(!FileManager.default.fileExists(atPath: directory.path("e")))
        // A model trained with a label map by name reads both files: the map follows each file's label_names, so
        // the same jets named the other way round swap signal and background.
        let mapped = directory.path("mapped.h5")
        try modelFile(
            for: input, data: ["classNames": ["background", "signal"], "labelMap": ["background": 0, "signal": 1]]
        ).write(to: mapped)
        let aucs = try [input, swapped].map { file in
            try EvaluationRun(model: mapped, files: [file], directory: directory.url.appendingPathComponent("m")).run()
                .roc.auc
        }
        #expect(abs(aucs[0] - 0.5) > 0.05 && abs(aucs[0] + aucs[1] - 1) < 1e-9, "AUCs \(aucs)")
    }

    @Test func predictStoppedBetweenBatchesLeavesNoFileAndSweepsStaleTemporaries() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let input = directory.path("jets.h5")
        try SyntheticJetFile.write(to: input, count: 200, seed: 1)
        let model = directory.path("model.h5")
        try modelFile(for: input).write(to: model)
        let run = PredictionRun(model: model, files: [input], output: .file(directory.path("s.h5")), batchSize: 20)
        var asked = 0
        #expect(throws: JetTagKitError.interrupted(output: directory.path("s.h5"))) {
            try run.run(shouldStop: {
                asked += 1
                return asked == 4
            })
        }
        #expect(asked == 4)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path).sorted() == ["jets.h5", "model.h5"])

        // A temporary file of a process that has ended (a kill -9) goes when the next run writes the output.
        try Data("x".utf8).write(to: URL(fileURLWithPath: directory.path(".s.h5.tmp-\(try endedProcessID())")))
        try run.run()
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path).sorted() == ["jets.h5", "model.h5", "s.h5"])
    }
}
