import Foundation
import JetFeatures
import JetNN
import JetTestSupport
import Testing

@testable import JetTagKit

/// Monte-Carlo dropout in predict and evaluate, and temperature scaling in the model file.
@Suite struct UncertaintyTests {
    static let sample = ONNXExportTests.sample

    /// A Deep Sets model file of the sample with dropout `rate` (untrained, seeded) at `path`.
    static func writeModel(dropout rate: Double, to path: String, combination: MemberCombination = .single) throws -> ModelFile {
        var fitted: [String: FeatureSpec] = [:]
        let file = try ONNXExportTests.modelFile(
            ONNXExportTests.Case(
                name: "mc", model: ["kind": "deepsets", "deepsets": [
                    "constituentLayers": [16], "headLayers": [16, 16], "pooling": "sum", "dropout": rate,
                ] as [String: Any]], combination: combination),
            fitted: &fitted)
        try file.write(to: path)
        return file
    }

    static func read(_ path: String) throws -> JetOutputReader.Rows {
        let reader = try JetOutputReader(path: path)
        return try reader.read(0..<reader.count)
    }

    @Test func monteCarloDropoutGivesTheSameBitsForAnyBatchSizeThreadCountAndShard() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let model = directory.path("model.h5")
        _ = try Self.writeModel(dropout: 0.3, to: model)
        let dropout = try MonteCarloDropout(passes: 6, seed: 3)
        func predict(_ name: String, batchSize: Int, threads: Int, shard: Shard = .whole) throws -> String {
            let out = directory.path(name)
            try PredictionRun(
                model: model, files: [Self.sample, Self.sample], output: .file(out), shard: shard, batchSize: batchSize,
                threads: threads, monteCarloDropout: dropout
            ).run()
            return out
        }
        let reference = try Self.read(try predict("a.h5", batchSize: 10_000, threads: 1))
        let other = try Self.read(try predict("b.h5", batchSize: 300, threads: 2))
        #expect(reference.values == other.values)
        let parts = try (0..<3).map { try predict("part\($0).h5", batchSize: 500, threads: 1, shard: Shard(index: $0, count: 3)) }
        try OutputMerge(parts: parts, out: directory.path("merged.h5")).run()
        #expect(try Self.read(directory.path("merged.h5")).values == reference.values)

        let spread = try #require(reference.values["mc_ptop_std"])
        #expect(spread.allSatisfy { $0 >= 0 } && spread.filter { $0 > 0 }.count > spread.count * 9 / 10)
        // The two copies of the sample are different rows, so different masks: their spreads differ.
        let half = spread.count / 2
        #expect(Array(spread[..<half]) != Array(spread[half...]))
        // The mean of the passes is near the deterministic score (not equal: the network is not linear).
        let plain = directory.path("plain.h5")
        try PredictionRun(model: model, files: [Self.sample], output: .file(plain)).run()
        let deterministic = try Self.read(plain)
        #expect(deterministic.values.keys.allSatisfy { !$0.hasSuffix("_std") })
        let mean = reference.values["mc_ptop"]!
        let difference = zip(mean.prefix(half), deterministic.values["mc_ptop"]!).map { abs($0 - $1) }
        #expect(difference.reduce(0, +) / Float(half) < 0.15)
        #expect(difference.contains { $0 > 0 })
    }

    @Test func theSpreadIsZeroWithoutStochasticPassesAndAModelWithoutDropoutIsRefused() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let model = directory.path("model.h5")
        _ = try Self.writeModel(dropout: 0.3, to: model)
        // One pass of an active dropout still varies per jet, but has no spread.
        let one = directory.path("one.h5")
        try PredictionRun(model: model, files: [Self.sample], output: .file(one), monteCarloDropout: try MonteCarloDropout(passes: 1, seed: 0)).run()
        #expect(try Self.read(one).values["mc_ptop_std"]!.allSatisfy { $0 == 0 })

        let noDropout = directory.path("plain.h5")
        _ = try Self.writeModel(dropout: 0, to: noDropout)
        #expect(throws: JetModelsError.noDropout(file: noDropout, kind: "deepsets")) {
            try PredictionRun(
                model: noDropout, files: [Self.sample], output: .file(directory.path("x.h5")),
                monteCarloDropout: try MonteCarloDropout(passes: 4, seed: 0)
            ).run()
        }
        #expect(throws: JetModelsError.noDropout(file: noDropout, kind: "deepsets")) {
            try EvaluationRun(
                model: noDropout, files: [Self.sample], directory: directory.url.appendingPathComponent("ev"),
                monteCarloDropout: try MonteCarloDropout(passes: 4, seed: 0)
            ).run()
        }
        #expect(throws: JetModelsError.invalidPassCount(0)) { try MonteCarloDropout(passes: 0, seed: 0) }
        #expect(!FileManager.default.fileExists(atPath: directory.path("x.h5")))
    }

    @Test func evaluateShardsWithMonteCarloDropoutMergeIntoTheUnshardedEvaluation() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let model = directory.path("model.h5")
        _ = try Self.writeModel(dropout: 0.3, to: model)
        let dropout = try MonteCarloDropout(passes: 3, seed: 9)
        func run(_ name: String) -> EvaluationRun {
            EvaluationRun(
                model: model, files: [Self.sample], directory: directory.url.appendingPathComponent(name), batchSize: 700,
                monteCarloDropout: dropout)
        }
        let whole = try run("whole").run()
        let spread = try #require(whole.spread)
        #expect(spread.source == "mc_dropout" && spread.meanStd["top"]! > 0)
        #expect(whole.calibration?.count == 2)
        let parts = try (0..<2).map { try run("part\($0)").runPart(Shard(index: $0, count: 2)) }
        try OutputMerge(parts: parts, out: directory.path("merged")).run()
        for file in ["metrics.json", "roc.csv", "reliability_top.csv", "reliability_qcd.svg"] {
            #expect(
                try Data(contentsOf: directory.url.appendingPathComponent("merged/\(file)"))
                    == Data(contentsOf: directory.url.appendingPathComponent("whole/\(file)")), "\(file)")
        }
    }

    @Test func calibrateStoresTheFittedTemperatureWhichPredictAppliesAndOldFilesLack() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let model = directory.path("model.h5")
        let file = try Self.writeModel(dropout: 0, to: model)
        #expect(try ModelFile.read(from: model).calibration == nil)
        let calibrated = directory.path("calibrated.h5")
        let calibration = try CalibrationRun(model: model, output: calibrated).run()
        #expect(calibration.temperature > 0 && calibration.temperature != 1 && calibration.nllAfter < calibration.nllBefore)
        #expect(calibration.jets > 1000 && calibration.split == "validation")
        let read = try ModelFile.read(from: calibrated)
        #expect(read.calibration == calibration)
        #expect(read.members.map { $0.sorted { $0.name < $1.name } } == file.members.map { $0.sorted { $0.name < $1.name } })

        // predict's probabilities are the logits / T through the sigmoid.
        let scores = directory.path("scores.h5")
        try PredictionRun(model: calibrated, files: [Self.sample], output: .file(scores), shard: Shard(index: 0, count: 20)).run()
        let scorer = try JetScorer(file: file)
        let jets = try ShardedJets(
            files: [Self.sample], options: scorer.readOptions(batchSize: 100_000, threads: 1), shard: Shard(index: 0, count: 20))
        let (batch, rows) = try #require(try jets.next())
        let logits = try scorer.logitSamples(batch, globalRows: rows)[0]
        let expected = logits.map { Float(1 / (1 + exp(-Double($0 / Float(calibration.temperature))))) }
        let written = try Self.read(scores).values["mc_ptop"]!
        #expect(zip(expected, written).allSatisfy { abs($0 - $1) < 1e-6 })
        // Calibrating the calibrated model fits the uncalibrated logits again: the same T.
        #expect(try CalibrationRun(model: calibrated).run().temperature == calibration.temperature)
    }
}
