import Foundation
import JetData
import JetTestSupport
import Testing

@testable import JetModels

@Suite struct TrainingRunTests {
    private func config(file: String, training: [String: Any]) throws -> RunConfig {
        var settings: [String: Any] = ["batchSize": 32, "epochs": 1, "learningRate": 0.01, "seed": 7]
        for (key, value) in training { settings[key] = value }
        return try RunConfig.load(
            tree: [
                "data": ["files": [file]],
                "features": [
                    "maxConstituents": SyntheticJetFile.slots, "constituentVariables": ["deta", "dphi", "logptrel"],
                ],
                "model": ["kind": "deepsets", "deepsets": ["constituentLayers": [8], "headLayers": [8]]],
                "training": settings,
            ], file: "test.yaml")
    }

    /// Scores of `batch` from a single-model file holding only member `index` of `file`.
    private func memberScores(_ file: ModelFile, _ index: Int, _ batch: JetBatch) throws -> [Float] {
        var single = file
        single.combination = .single
        single.members = [file.members[index]]
        let scorer = try JetScorer(file: single)
        return try scorer.score(batch).probabilities
    }

    @Test func kfoldMembersNeverSeeTheFoldTheyScore() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("jets.h5")
        try SyntheticJetFile.write(to: path, count: 90, seed: 2)
        let run = TrainingRun(
            config: try config(file: path, training: ["kfold": 3]),
            directory: directory.url.appendingPathComponent("run"))
        for (fold, member) in run.plan().enumerated() {
            guard case .eventNumber(3, let training)? = member.splits?.training,
                case .eventNumber(3, let validation)? = member.splits?.validation
            else {
                Issue.record("fold \(fold): splits \(String(describing: member.splits))")
                continue
            }
            #expect(!training.contains(fold) && !validation.contains(fold))
            #expect(Set(training + validation).count == 2)
        }
        let file = try run.run()
        #expect(file.combination == .kfold(k: 3))
        #expect(file.members.count == 3)
        let stored = try ModelFile.read(from: directory.path("run/model.h5"))
        #expect(stored.combination == .kfold(k: 3))

        let batch = try JetStream(file: path, options: JetScorer(file: stored).readOptions(batchSize: 90, threads: 1))
            .readAll()
        let scorer = try JetScorer(file: stored)
        let combined = try scorer.score(batch).probabilities
        let members = try (0..<3).map { try memberScores(stored, $0, batch) }
        // Each jet's score is its fold's model's (up to BLAS rounding for another batch shape), not another's.
        var otherFoldDiffers = 0
        for jet in 0..<90 {
            let fold = Int(batch.eventNumbers[jet] % 3)
            #expect(abs(combined[2 * jet + 1] - members[fold][2 * jet + 1]) < 1e-6)
            if abs(combined[2 * jet + 1] - members[(fold + 1) % 3][2 * jet + 1]) > 1e-4 { otherFoldDiffers += 1 }
        }
        #expect(otherFoldDiffers > 45)
    }

    @Test func ensembleReportsMeanAndSpread() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("jets.h5")
        try SyntheticJetFile.write(to: path, count: 60, seed: 4)
        let run = TrainingRun(
            config: try config(file: path, training: ["ensemble": 2]),
            directory: directory.url.appendingPathComponent("run"))
        let file = try run.run()
        #expect(file.combination == .ensemble(count: 2))
        #expect(file.members[0] != file.members[1])
        let batch = try JetStream(file: path, options: JetScorer(file: file).readOptions(batchSize: 60, threads: 1))
            .readAll()
        let scorer = try JetScorer(file: file)
        let scores = try scorer.score(batch)
        let a = try memberScores(file, 0, batch)
        let b = try memberScores(file, 1, batch)
        for i in a.indices {
            #expect(abs(scores.probabilities[i] - (a[i] + b[i]) / 2) < 1e-6)
            #expect(abs(scores.spread![i] - abs(a[i] - b[i]) / 2) < 1e-6)
        }
    }

    @Test func finishedRunsAreNotTrainedAgain() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("jets.h5")
        try SyntheticJetFile.write(to: path, count: 60, seed: 4)
        let url = directory.url.appendingPathComponent("run")
        let first = try TrainingRun(config: try config(file: path, training: [:]), directory: url).run()
        var steps = 0
        let again = try TrainingRun(resuming: url).run(progress: { _, _, event in
            if case .step = event { steps += 1 }
        })
        #expect(steps == 0)
        #expect(again.members == first.members)
    }

    /// Loading a config opens no file: one naming a file that does not exist loads, and the error comes when the
    /// run opens its data, naming the file (before the run directory is made).
    @Test func loadingOpensNoFileTheRunDoes() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let missing = directory.path("absent.h5")
        let config = try config(file: missing, training: [:])
        #expect(config.data.classNames == nil)
        let run = TrainingRun(config: config, directory: directory.url.appendingPathComponent("run"))
        #expect(throws: JetDataError.fileNotFound(file: missing)) { try run.run() }
        #expect(!FileManager.default.fileExists(atPath: directory.path("run")))
    }

    /// Without `data.classNames`, the run takes the class names (and the model's class count) from the file's
    /// `label_names`, and records them in config.json and the model file; written class names are kept.
    @Test func theRunTakesTheClassNamesFromItsData() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("jets.h5")
        try SyntheticJetFile.write(to: path, count: 90, seed: 5, classes: 3)
        let config = try config(file: path, training: [:])
        #expect(config.model.classes == 2)
        let resolved = try config.resolvingClassNames()
        #expect(resolved.data.classNames == ["background", "signal", "other"])
        #expect(resolved.model.classes == 3)
        var named = config
        named.data.classNames = ["background", "signal", "other"]
        named.model.classes = 3
        #expect(try named.resolvingClassNames() == named)

        let url = directory.url.appendingPathComponent("run")
        let file = try TrainingRun(config: config, directory: url).run()
        #expect(file.classNames == ["background", "signal", "other"])
        #expect(file.trainingConfig == resolved)
        #expect(try TrainingRun(resuming: url).config == resolved)
    }

    @Test func aConfigWhoseDataFailsLeavesNoRunDirectory() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("jets.h5")
        try SyntheticJetFile.write(to: path, count: 40, seed: 2)
        var config = try config(file: path, training: [:])
        config.data.selection = "no_such_field > 1"
        let run = TrainingRun(config: config, directory: directory.url.appendingPathComponent("run"))
        #expect(throws: (any Error).self) { try run.run() }
        #expect(!FileManager.default.fileExists(atPath: directory.path("run")))
    }

    @Test func aSecondRunIntoALockedDirectoryFailsAtOnce() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("jets.h5")
        try SyntheticJetFile.write(to: path, count: 40, seed: 2)
        let url = directory.url.appendingPathComponent("run")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        let held = open(url.appendingPathComponent(".lock").path, O_RDWR | O_CREAT, 0o644)
        #expect(held >= 0 && flock(held, LOCK_EX | LOCK_NB) == 0)
        let run = TrainingRun(config: try config(file: path, training: [:]), directory: url)
        #expect(throws: JetModelsError.runDirectoryBusy(directory: url.path)) { try run.run() }
        #expect(try FileManager.default.contentsOfDirectory(atPath: url.path) == [".lock"])
        close(held)
        #expect(try run.run().classNames == ["background", "signal"])
    }
}
