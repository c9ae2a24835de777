import Foundation
import JetTestSupport
import Testing

@testable import JetData

/// `jettag train`, `predict` and `evaluate` as a user runs them, on synthetic files written by the tests.
@Suite struct TrainPredictEvaluateTests {
    /// A temporary directory holding `jets.h5` (synthetic jets) and `run.yaml` (``writeSmallRunConfig(to:file:extra:)``).
    private func prepare(
        count: Int, seed: UInt64, classes: Int = 2, firstEventNumber: Int = 1000, extra: String = ""
    ) throws -> (TemporaryDirectory, String) {
        let directory = try TemporaryDirectory()
        let jets = directory.path("jets.h5")
        try SyntheticJetFile.write(
            to: jets, count: count, seed: seed, firstEventNumber: firstEventNumber, classes: classes)
        try writeSmallRunConfig(to: directory.path("run.yaml"), file: jets, extra: extra)
        return (directory, jets)
    }

    /// Reads `fields` of the output dataset `jets` as Float and its `jet_index` / `event_number`.
    private func readScores(
        _ path: String, fields: [String]
    ) throws -> (indices: [Int64], events: [Int64], values: [[Float]]) {
        let dataset = try HDF5File(readingAt: path).dataset("jets")
        let rows = 0..<dataset.rowCount
        let indices = try dataset.readFields(rows: rows, [], integers: try dataset.extraction("jet_index")).integers
        let read = try dataset.readFields(
            rows: rows, try fields.map { try dataset.extraction($0) }, integers: try dataset.extraction("event_number"))
        return (indices, read.integers, read.floats)
    }

    @Test func configErrorsNameTheKeyAndTheFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try SyntheticJetFile.write(to: directory.path("jets.h5"), count: 16, seed: 1)
        try writeSmallRunConfig(to: directory.path("typo.yaml"), file: directory.path("jets.h5"), extra: "  epoch: 3")
        let typo = try runJetTag(arguments: [
            "train", "--config", directory.path("typo.yaml"), "--out", directory.path("run"),
        ])
        #expect(typo.status != 0)
        #expect(typo.stderr.contains("\(directory.path("typo.yaml")): unknown key 'training.epoch'"))

        try writeSmallRunConfig(to: directory.path("type.yaml"), file: directory.path("jets.h5"))
        let wrongType = try runJetTag(arguments: [
            "train", "--config", directory.path("type.yaml"), "--out", directory.path("run"), "--set",
            "training.batchSize=many",
        ])
        #expect(wrongType.status != 0)
        #expect(
            wrongType.stderr.contains("\(directory.path("type.yaml")): key 'training.batchSize': expected an integer"))
        #expect(!FileManager.default.fileExists(atPath: directory.path("run/model.h5")))
    }

    @Test func trainPredictAndEvaluate() throws {
        let (directory, jets) = try prepare(count: 240, seed: 5, firstEventNumber: 7000)
        defer { directory.remove() }
        let train = try runJetTag(arguments: [
            "train", "--config", directory.path("run.yaml"), "--out", directory.path("run"), "--set",
            "training.epochs=3",
        ])
        #expect(train.status == 0, "\(train.stderr)")
        #expect(train.stderr.contains("epoch 3/3"))
        let history = try String(contentsOfFile: directory.path("run/history.csv"), encoding: .utf8)
        #expect(history.split(separator: "\n").count == 4)

        let model = directory.path("run/model.h5")
        let fields = ["deepsets_pbackground", "deepsets_psignal"]
        let predict = try runJetTag(arguments: [
            "predict", "--model", model, jets, "--out", directory.path("scores.h5"), "--batch-size", "777",
        ])
        #expect(predict.status == 0, "\(predict.stderr)")
        let all = try readScores(directory.path("scores.h5"), fields: fields)
        #expect(all.indices == (0..<240).map { Int64($0) })
        #expect(all.events == (0..<240).map { Int64(7000 + $0) })
        #expect(zip(all.values[0], all.values[1]).allSatisfy { abs($0 + $1 - 1) < 1e-6 })
        // The synthetic classes alternate and are separable: signal jets (odd rows) score higher.
        let signal = stride(from: 1, to: 240, by: 2).map { all.values[1][$0] }
        let background = stride(from: 0, to: 240, by: 2).map { all.values[1][$0] }
        let signalMean: Float = signal.reduce(0, +) / 120
        let backgroundMean: Float = background.reduce(0, +) / 120
        #expect(signalMean > backgroundMean + 0.5)

        // Shards split the rows on blocks of 64 (240 rows: 4 blocks, shards of 1, 1 and 2 blocks); together they
        // are the unsharded output, row for row and bit for bit.
        var indices: [Int64] = []
        var scores: [Float] = []
        for shard in 0..<3 {
            let out = directory.path("shard\(shard).h5")
            let result = try runJetTag(arguments: [
                "predict", "--model", model, jets, "--out", out, "--shard", "\(shard)/3", "--batch-size", "50",
            ])
            #expect(result.status == 0, "\(result.stderr)")
            let part = try readScores(out, fields: fields)
            #expect(part.indices.count == [64, 64, 112][shard])
            indices += part.indices
            scores += part.values[1]
        }
        #expect(indices == all.indices)
        #expect(scores.map(\.bitPattern) == all.values[1].map(\.bitPattern))

        // --out-dir: one output per input, named like it; the shard takes every second file.
        let second = directory.path("second.h5")
        try SyntheticJetFile.write(to: second, count: 30, seed: 6, firstEventNumber: 90000)
        try FileManager.default.createDirectory(atPath: directory.path("parts"), withIntermediateDirectories: true)
        let perFile = try runJetTag(arguments: [
            "predict", "--model", model, jets, second, "--out-dir", directory.path("parts"), "--shard", "1/2",
        ])
        #expect(perFile.status == 0, "\(perFile.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path("parts")) == ["second.h5"])
        let secondScores = try readScores(directory.path("parts/second.h5"), fields: fields)
        #expect(secondScores.indices == (0..<30).map { Int64($0) })
        #expect(secondScores.events == (0..<30).map { Int64(90000 + $0) })

        // Row shards across two files read only the files holding their rows and keep the global jet index.
        var sharded: [Int64] = []
        var shardedEvents: [Int64] = []
        for shard in 0..<3 {
            let out = directory.path("both\(shard).h5")
            let result = try runJetTag(arguments: [
                "predict", "--model", model, jets, second, "--out", out, "--shard", "\(shard)/3",
            ])
            #expect(result.status == 0, "\(result.stderr)")
            let part = try readScores(out, fields: fields)
            sharded += part.indices
            shardedEvents += part.events
        }
        #expect(sharded == (0..<270).map { Int64($0) })
        let expectedEvents: [Int64] = (0..<240).map { Int64(7000 + $0) } + (0..<30).map { Int64(90000 + $0) }
        #expect(shardedEvents == expectedEvents)

        let evaluate = try runJetTag(arguments: ["evaluate", "--model", model, jets, "--out", directory.path("eval")])
        #expect(evaluate.status == 0, "\(evaluate.stderr)")
        #expect(evaluate.stdout.contains("AUC"))
        let metrics =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: directory.url.appendingPathComponent("eval/metrics.json"))) as! [String: Any]
        let keys: [String] = [
            "calibration", "class_names", "confusion_matrix", "jets", "model", "precision_recall", "roc", "score_histograms",
            "signal_class",
            "tagger", "threshold", "warnings",
        ]
        #expect(metrics.keys.sorted() == keys)
        #expect(metrics["jets"] as? Int == 240)
        #expect(metrics["signal_class"] as? String == "signal")
        // The confusion matrix is the count of (label, p_signal >= 0.5) pairs of the predicted scores.
        var expected = [[0.0, 0.0], [0.0, 0.0]]
        for row in 0..<240 { expected[row % 2][all.values[1][row] >= 0.5 ? 1 : 0] += 1 }
        let confusion = (metrics["confusion_matrix"] as! [String: Any])["matrix"] as! [[Double]]
        #expect(confusion == expected)
        let roc = metrics["roc"] as! [String: Any]
        let auc = roc["auc"] as! Double
        #expect(abs(auc - Self.auc(signal: signal, background: background)) < 1e-9)
        let workingPoints = (roc["working_points"] as! [[String: Any]]).map { $0["signal_efficiency"] as! Double }
        #expect(workingPoints == [0.3, 0.5, 0.7, 0.77])
        for name in ["roc.csv", "score_histogram_signal.csv", "score_histogram_background.csv"] {
            #expect(FileManager.default.fileExists(atPath: directory.path("eval/\(name)")), "\(name)")
        }
    }

    @Test func multiClassEvaluationUsesTheDiscriminant() throws {
        let (directory, jets) = try prepare(count: 150, seed: 6, classes: 3)
        defer { directory.remove() }
        let train = try runJetTag(arguments: [
            "train", "--config", directory.path("run.yaml"), "--out", directory.path("run"), "--quiet",
        ])
        #expect(train.status == 0, "\(train.stderr)")
        let evaluate = try runJetTag(arguments: [
            "evaluate", "--model", directory.path("run/model.h5"), jets, "--out", directory.path("eval"),
            "--signal-class", "signal",
            "--fractions", "background=0.25,other=0.75",
        ])
        #expect(evaluate.status == 0, "\(evaluate.stderr)")
        let metrics =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: directory.url.appendingPathComponent("eval/metrics.json"))) as! [String: Any]
        let discriminant = try #require(metrics["discriminant"] as? [String: Any])
        #expect(discriminant["signal_class"] as? Int == 1)
        #expect(discriminant["background_classes"] as? [Int] == [0, 2])
        #expect(discriminant["background_fractions"] as? [Double] == [0.25, 0.75])
        #expect(metrics["threshold"] == nil)
        let matrix = (metrics["confusion_matrix"] as! [String: Any])["matrix"] as! [[Double]]
        #expect(matrix.count == 3 && matrix.map { $0.reduce(0, +) } == [50, 50, 50])
        let histograms = metrics["score_histograms"] as! [String: Any]
        #expect(histograms.keys.sorted() == ["background", "other", "signal"])
    }

    @Test func interruptedTrainingResumesToTheSameModel() throws {
        let (directory, _) = try prepare(count: 2400, seed: 9, extra: "  schedule: {kind: cosine}")
        defer { directory.remove() }
        let reference = try runJetTag(arguments: [
            "train", "--config", directory.path("run.yaml"), "--out", directory.path("a"), "--quiet", "--set",
            "training.epochs=4",
        ])
        #expect(reference.status == 0, "\(reference.stderr)")

        // SIGINT once the first epoch is recorded, so the signal lands inside the second epoch.
        let process = Process()
        process.executableURL = jetTagExecutable()
        process.arguments = [
            "train", "--config", directory.path("run.yaml"), "--out", directory.path("b"), "--quiet", "--set",
            "training.epochs=4",
        ]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline
            && !FileManager.default.fileExists(atPath: directory.path("b/history.csv"))
        {
            Thread.sleep(forTimeInterval: 0.005)
        }
        process.interrupt()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130, "\(stderr)")
        #expect(stderr.contains("training interrupted; checkpoint written to"))
        let checkpoint = try HDF5File(readingAt: directory.path("b/last.h5"))
        #expect(try checkpoint.stringAttribute("training_state")?.first?.contains("\"completedEpochs\":1") == true)
        let resumed = try runJetTag(arguments: ["train", "--resume", directory.path("b"), "--quiet"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let a = try HDF5File(readingAt: directory.path("a/last.h5"))
        let b = try HDF5File(readingAt: directory.path("b/last.h5"))
        let names = a.datasetNames()
        #expect(names == b.datasetNames())
        #expect(names.contains("/optimizer/first_moment"))
        for name in names { #expect(try a.readFloats(name).values == b.readFloats(name).values, "\(name)") }
        #expect(
            try String(contentsOfFile: directory.path("a/history.csv"), encoding: .utf8).split(separator: "\n").count
                == 5)
    }

    /// The probability that a signal score exceeds a background score (ties count one half).
    private static func auc(signal: [Float], background: [Float]) -> Double {
        var wins = 0.0
        for s in signal {
            for b in background { wins += s > b ? 1 : (s == b ? 0.5 : 0) }
        }
        return wins / Double(signal.count * background.count)
    }
}

@Suite struct ShippedConfigTests {
    @Test(arguments: ["quickstart", "top-deepsets", "top-cnn1d", "top-transformer", "top-particlenet"])
    func shippedConfigsLoad(name: String) throws {
        let path = packageRoot.appendingPathComponent("Configs/\(name).yaml").path
        let result = try runJetTag(arguments: ["train", "--config", path, "--out", "unused", "--print-config"])
        #expect(result.status == 0, "\(result.stderr)")
        let config = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        let training = config["training"] as! [String: Any]
        #expect(training["learningRate"] as? Double == 0.001)
        let features = config["features"] as! [String: Any]
        #expect((features["constituentVariables"] as! [Any]).count == 7)
    }

}

extension TrainPredictEvaluateTests {
    /// ``prepare(count:seed:classes:firstEventNumber:extra:)`` and `jettag train` of its config into RUN = `run`.
    private func trainedRun(count: Int, seed: UInt64) throws -> (TemporaryDirectory, String) {
        let (directory, jets) = try prepare(count: count, seed: seed)
        let train = try runJetTag(arguments: [
            "train", "--config", directory.path("run.yaml"), "--out", directory.path("run"), "--quiet",
        ])
        #expect(train.status == 0, "\(train.stderr)")
        return (directory, jets)
    }

    /// A full disk (a 1 MB tmpfs, filled up to a few KB) under predict's output: JetTag's message, exit 1, no
    /// crash at exit, no temporary file left.
    @Test func predictOnAFullDiskEndsWithTheWriteErrorAndNoCrash() throws {
        let (directory, jets) = try trainedRun(count: 600, seed: 3)
        defer { directory.remove() }
        let disk = directory.path("disk")
        try FileManager.default.createDirectory(atPath: disk, withIntermediateDirectories: true)
        let mount = try runProcess("/bin/mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", disk])
        guard mount.status == 0 else {
            print("skipped predictOnAFullDiskEndsWithTheWriteErrorAndNoCrash: mount -t tmpfs failed: \(mount.stderr)")
            return
        }
        defer { _ = try? runProcess("/bin/umount", [disk]) }
        try Data(count: 1024 * 1024 - 12 * 1024).write(to: URL(fileURLWithPath: disk + "/filler"))
        let predict = try runJetTag(arguments: [
            "predict", "--model", directory.path("run/model.h5"), jets, jets, jets, jets, "--out", disk + "/s.h5",
        ])
        #expect(predict.status == 1, "\(predict.stderr)")
        #expect(predict.stderr.hasPrefix("Error: \(disk)/s.h5: writing failed"), "\(predict.stderr)")
        #expect(!predict.stderr.contains("crashed"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: disk) == ["filler"])
    }

    /// Runs `executable` with `arguments` to the end; its status and standard error.
    private func runProcess(_ executable: String, _ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, stderr)
    }
}

extension TrainPredictEvaluateTests {
    /// SIGTERM while predict writes (one jet per batch, so it is still writing): the temporary output is
    /// removed, nothing appears under the output's name, exit code 130.
    @Test func terminatedPredictRemovesItsTemporaryOutput() throws {
        let (directory, _) = try trainedRun(count: 600, seed: 4)
        defer { directory.remove() }
        let many = directory.path("many.h5")
        try SyntheticJetFile.write(to: many, count: 20_000, seed: 8)
        try expectTerminationRemovesTemporaryOutput(
            arguments: ["predict", "--model", directory.path("run/model.h5"), many, "--batch-size", "1"],
            output: directory.path("s.h5"))
    }

    /// Metrics (and a run directory) written under a path through a regular file (ENOTDIR, which root cannot
    /// override either): JetTag's message naming the directory, in plain words, never Foundation's text.
    @Test func evaluateIntoAnImpossibleDirectorySaysWhyInPlainWords() throws {
        let (directory, jets) = try trainedRun(count: 240, seed: 6)
        defer { directory.remove() }
        try Data("a file".utf8).write(to: URL(fileURLWithPath: directory.path("file")))
        let out = directory.path("file/eval")
        let evaluate = try runJetTag(arguments: [
            "evaluate", "--model", directory.path("run/model.h5"), jets, "--out", out,
        ])
        #expect(evaluate.status == 1, "\(evaluate.stderr)")
        #expect(
            evaluate.stderr.contains(
                "\(out): cannot create the output directory: a part of the path is a file, not a directory"),
            "\(evaluate.stderr)")
        #expect(!evaluate.stderr.contains("NSCocoaErrorDomain"))
        let train = try runJetTag(arguments: [
            "train", "--config", directory.path("run.yaml"), "--out", directory.path("file/run"), "--quiet",
        ])
        #expect(train.status == 1, "\(train.stderr)")
        #expect(
            train.stderr.contains(
                "cannot create the run directory \(directory.path("file/run")): a part of the path is a file, not a directory"),
            "\(train.stderr)")
    }
}
