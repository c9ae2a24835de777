import Foundation
import JetTestSupport
import Testing

@testable import JetData

/// `jettag compare` as a user runs it: a trained run's predict output against a second score file on the same jets,
/// the page checked in headless Chromium like the run report, and the errors for mismatched inputs.
@Suite struct CompareEndToEndTests {
    @Test func compareARunWithAScoreFileAndCheckThePageInABrowser() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let jets = directory.path("jets.h5")
        try SyntheticJetFile.write(to: jets, count: 240, seed: 5, firstEventNumber: 7000)
        try writeSmallRunConfig(to: directory.path("run.yaml"), file: jets)
        let train = try runJetTag(arguments: [
            "train", "--config", directory.path("run.yaml"), "--out", directory.path("run"), "--set", "training.epochs=2",
            "--no-report", "--quiet",
        ])
        #expect(train.status == 0, "\(train.stderr)")
        let predict = try runJetTag(arguments: [
            "predict", "--model", directory.path("run/model.h5"), jets, "--out", directory.path("run/scores.h5"),
        ])
        #expect(predict.status == 0, "\(predict.stderr)")

        // A second tagger on the same rows: the predict output's rows with a weaker score.
        let dataset = try HDF5File(readingAt: directory.path("run/scores.h5")).dataset("jets")
        let rows = 0..<dataset.rowCount
        let indices = try dataset.readFields(rows: rows, [], integers: try dataset.extraction("jet_index")).integers
        let read = try dataset.readFields(
            rows: rows, [try dataset.extraction("deepsets_psignal")], integers: try dataset.extraction("event_number"))
        let weaker = read.floats[0].enumerated().map { i, p in 0.5 * p + 0.5 * Float((i * 37) % 100) / 100 }
        let writer = try JetOutputWriter(
            path: directory.path("weak.h5"), fields: ["weak_pbackground", "weak_psignal"],
            attributes: ["model": "none", "tagger": "weak", "class_names": "background,signal", "inputs": jets])
        try writer.append(
            jetIndices: indices, eventNumbers: read.integers,
            values: ["weak_psignal": weaker, "weak_pbackground": weaker.map { 1 - $0 }])
        try writer.finish()

        let out = directory.path("compare")
        let compare = try runJetTag(arguments: [
            "compare", "--runs", directory.path("run"), "--scores", directory.path("weak.h5"), "--labels", jets,
            "--reference", "run", "--name", "weak=Weak tagger", "--bins", "multiplicity=4,6,9", "--wp-mode", "flat",
            "--out", out,
        ])
        #expect(compare.status == 0, "\(compare.stderr)")
        #expect(compare.stdout.contains("240 jets, signal signal, reference run"))
        #expect(compare.stdout.contains("Weak tagger vs background: AUC"))
        let summary = try String(contentsOfFile: "\(out)/summary.csv", encoding: .utf8).split(separator: "\n")
        #expect(summary.count == 1 + 2 * 3)
        #expect(summary[1].hasPrefix("run,background,"))
        #expect(summary[4].hasPrefix("Weak tagger,background,"))

        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Scripts/check-report-in-browser.sh").path
        let hasBrowser = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].contains { FileManager.default.fileExists(atPath: $0) }
        if hasBrowser, FileManager.default.fileExists(atPath: "/usr/bin/convert") {
            let check = Process()
            check.executableURL = URL(fileURLWithPath: "/bin/bash")
            check.arguments = [script, "\(out)/compare.html"]
            let output = Pipe()
            check.standardOutput = output
            check.standardError = output
            try check.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            check.waitUntilExit()
            #expect(check.terminationStatus == 0, "\(text)")
            #expect(text.contains("OK: "), "\(text)")
        }

        let unknown = try runJetTag(arguments: [
            "compare", "--scores", directory.path("run/scores.h5"), directory.path("weak.h5"), "--reference", "dnn",
            "--out", directory.path("x"),
        ])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("--reference dnn: the compared taggers are deepsets, weak"))
        let other = directory.path("other.h5")
        try SyntheticJetFile.write(to: other, count: 240, seed: 5, firstEventNumber: 9000)
        let wrongJets = try runJetTag(arguments: [
            "compare", "--scores", directory.path("weak.h5"), "--labels", other, "--out", directory.path("x"),
        ])
        #expect(wrongJets.status == 64)
        #expect(wrongJets.stderr.contains("\(directory.path("weak.h5")) and \(other) do not hold the same jets: row 0"))
    }
}
