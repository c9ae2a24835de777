import Foundation
import JetTestSupport
import Testing

@testable import JetData

/// Sharded `jettag predict` and `evaluate` joined by `jettag merge` into exactly what one unsharded run writes,
/// and `jettag train --resume-if-exists` continuing a run stopped by SIGUSR1 (the Slurm warning) to the model of
/// an uninterrupted run. The same under a real Slurm: Scripts/slurm-tests.sh.
@Suite struct ShardMergeEndToEndTests {
    /// Two input files of 3-class synthetic jets (150 and 170 jets) and a model trained on the first.
    private func trainedModel() throws -> (TemporaryDirectory, [String]) {
        let directory = try TemporaryDirectory()
        let files = [directory.path("a.h5"), directory.path("b.h5")]
        try SyntheticJetFile.write(to: files[0], count: 150, seed: 4, firstEventNumber: 1000, classes: 3)
        try SyntheticJetFile.write(to: files[1], count: 170, seed: 5, firstEventNumber: 5000, classes: 3)
        try writeSmallRunConfig(to: directory.path("run.yaml"), file: files[0])
        let train = try runJetTag(arguments: [
            "train", "--config", directory.path("run.yaml"), "--out", directory.path("run"), "--quiet", "--no-report",
        ])
        #expect(train.status == 0, "\(train.stderr)")
        return (directory, files)
    }

    /// Every row and attribute of an output file.
    private func contents(_ path: String) throws -> (JetOutputReader.Rows, [String: String]) {
        let reader = try JetOutputReader(path: path)
        return (try reader.read(0..<reader.count), reader.attributes)
    }

    @Test func shardedPredictMergesIntoTheUnshardedScores() throws {
        let (directory, files) = try trainedModel()
        defer { directory.remove() }
        let model = directory.path("run/model.h5")
        let whole = try runJetTag(arguments: ["predict", "--model", model] + files + ["--out", directory.path("all.h5")])
        #expect(whole.status == 0, "\(whole.stderr)")
        var parts: [String] = []
        for index in [2, 0, 1] {
            let part = directory.path("part\(index).h5")
            let run = try runJetTag(arguments: [
                "predict", "--model", model, "--shard", "\(index)/3", "--batch-size", "50",
            ] + files + ["--out", part])
            #expect(run.status == 0, "\(run.stderr)")
            parts.append(part)
        }
        let merge = try runJetTag(arguments: ["merge", "--out", directory.path("merged.h5")] + parts)
        #expect(merge.status == 0, "\(merge.stderr)")
        #expect(merge.stdout.contains("merged 3 scores parts, 320 jets"), "\(merge.stdout)")
        let (expected, expectedAttributes) = try contents(directory.path("all.h5"))
        let (merged, mergedAttributes) = try contents(directory.path("merged.h5"))
        #expect(expected.jetIndices == (0..<320).map(Int64.init))
        #expect(merged == expected)
        #expect(mergedAttributes == expectedAttributes)
        #expect(expectedAttributes["rows"] == "0:320" && expectedAttributes["shard"] == "0/1")

        let missing = try runJetTag(arguments: ["merge", "--out", directory.path("bad.h5"), parts[0], parts[1]])
        #expect(missing.status == 64, "\(missing.stderr)")
        #expect(missing.stderr.contains("missing shard 1/3"), "\(missing.stderr)")
    }

    @Test func shardedEvaluateMergesIntoTheUnshardedMetrics() throws {
        let (directory, files) = try trainedModel()
        defer { directory.remove() }
        let model = directory.path("run/model.h5")
        // --split validation: a shard's stream over some of the files keeps the jets of the split over all of them
        let options = [
            "--split", "validation", "--signal-class", "signal", "--fractions", "background=0.7,other=0.3",
            "--threshold", "0.4",
        ]
        let whole = try runJetTag(
            arguments: ["evaluate", "--model", model] + files + options + ["--out", directory.path("whole"), "--no-report"])
        #expect(whole.status == 0, "\(whole.stderr)")
        var parts: [String] = []
        for index in 0..<4 {
            let out = directory.path("eval\(index)")
            let run = try runJetTag(
                arguments: ["evaluate", "--model", model, "--shard", "\(index)/4", "--batch-size", "70"] + files + options
                    + ["--out", out, "--no-report"])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out + "/metrics.json"))
            parts.append(out + "/evaluation_part.h5")
        }
        let merge = try runJetTag(arguments: ["merge", "--out", directory.path("merged")] + parts.reversed())
        #expect(merge.status == 0, "\(merge.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path("whole")).sorted()
        // metrics.json, roc.csv, and per class a score histogram and a reliability diagram (CSV and SVG).
        #expect(names.contains("metrics.json") && names.contains("roc.csv") && names.count == 2 + 3 * 3, "\(names)")
        #expect(names.contains("reliability_signal.csv") && names.contains("reliability_signal.svg"), "\(names)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path("merged")).sorted() == names)
        for name in names {
            let expected = try Data(contentsOf: URL(fileURLWithPath: directory.path("whole/\(name)")))
            let merged = try Data(contentsOf: URL(fileURLWithPath: directory.path("merged/\(name)")))
            #expect(merged == expected, "\(name) differs")
        }

        let otherThreshold = directory.path("eval-other")
        let run = try runJetTag(
            arguments: ["evaluate", "--model", model, "--shard", "3/4"] + files + options.dropLast(2)
                + ["--out", otherThreshold, "--no-report"])
        #expect(run.status == 0, "\(run.stderr)")
        let mixed = try runJetTag(
            arguments: ["merge", "--out", directory.path("mixed")] + parts.prefix(3) + [otherThreshold + "/evaluation_part.h5"])
        #expect(mixed.status == 64)
        #expect(mixed.stderr.contains("attribute 'threshold' is '0.5', in \(parts[0]) it is '0.4'"), "\(mixed.stderr)")
    }

    @Test func resumeIfExistsContinuesARunStoppedBySIGUSR1ToTheSameModel() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try SyntheticJetFile.write(to: directory.path("jets.h5"), count: 2400, seed: 9)
        try writeSmallRunConfig(to: directory.path("run.yaml"), file: directory.path("jets.h5"))
        let command = [
            "train", "--config", directory.path("run.yaml"), "--set", "training.epochs=3",
            "--resume-if-exists", "--no-report", "--out",
        ]
        let reference = try runJetTag(arguments: command + [directory.path("a")])
        #expect(reference.status == 0, "\(reference.stderr)")
        #expect(!reference.stderr.contains("resuming"))

        let process = Process()
        process.executableURL = jetTagExecutable()
        process.arguments = command + [directory.path("b")]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline
            && !FileManager.default.fileExists(atPath: directory.path("b/history.csv"))
        {
            Thread.sleep(forTimeInterval: 0.005)
        }
        kill(process.processIdentifier, SIGUSR1)
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130, "\(stderr)")
        #expect(stderr.contains("training interrupted; checkpoint written to"))

        let resumed = try runJetTag(arguments: command + [directory.path("b")])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("resuming the run in \(directory.path("b"))"))
        let a = try HDF5File(readingAt: directory.path("a/model.h5"))
        let b = try HDF5File(readingAt: directory.path("b/model.h5"))
        #expect(a.datasetNames() == b.datasetNames())
        for name in a.datasetNames() { #expect(try a.readFloats(name).values == b.readFloats(name).values, "\(name)") }

        let again = try runJetTag(arguments: command + [directory.path("b")])
        #expect(again.status == 0, "\(again.stderr)")
        let other = try runJetTag(arguments: command + [directory.path("b"), "--set", "training.learningRate=0.02"])
        #expect(other.status == 64)
        #expect(
            other.stderr.contains("\(directory.path("b"))/config.json is not the config \(directory.path("run.yaml"))"),
            "\(other.stderr)")
    }
}
