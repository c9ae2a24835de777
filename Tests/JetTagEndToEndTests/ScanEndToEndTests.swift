import Foundation
import JetTestSupport
import Testing

/// `jettag scan` and `jettag scan summarize` on the shipped sample with a tiny Deep Sets (1 epoch, 3 folds, 1500 jets
/// per split): trials as a single process and as array tasks, the skip of complete trials, a killed trial that redoes
/// only its own unfinished fold, summarize with a missing trial, and a learning curve.
@Suite(.serialized) struct ScanEndToEndTests {
    static let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Datasets/top_qcd_sample.h5").path

    static func writeTinyConfig(to path: String, layers: String = "[8]") throws {
        try """
            data:
              files: [\(sample)]
              maxJets: 1500
            features:
              maxConstituents: 16
              constituentVariables: [deta, dphi, logptrel]
            model:
              kind: deepsets
              deepsets: {constituentLayers: \(layers), headLayers: [8]}
            training:
              batchSize: 64
              epochs: 1
              seed: 1
            """.write(toFile: path, atomically: true, encoding: .utf8)
    }

    func modificationDate(_ path: String) throws -> Date {
        try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as! Date
    }

    @Test func aScanAsArrayTasksSkipsCompleteTrialsRedoesAKilledOneAndSummarizesWithAMissingTrial() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let config = directory.path("tiny.yaml")
        try Self.writeTinyConfig(to: config)
        let space = directory.path("space.yaml")
        // Rates at which one epoch learns: every fold's AUC is well above 0.5 (a flipped score would be below).
        try "training.learningRate: {logUniform: [3e-3, 3e-2]}\nmodel.deepsets.headLayers: {choice: [[8], [4, 4]]}\n"
            .write(toFile: space, atomically: true, encoding: .utf8)
        let scan = directory.path("scan")
        let arguments = ["scan", "--config", config, "--space", space, "--trials", "3", "--seed", "5", "--out", scan, "--quiet"]

        // Trials 0 and 1 as Slurm array tasks 10 and 11 of --array=10-12; trial 2 never runs.
        for task in [10, 11] {
            let result = try runJetTag(
                arguments: arguments,
                environment: ["SLURM_ARRAY_TASK_ID": "\(task)", "SLURM_ARRAY_TASK_MIN": "10", "SLURM_ARRAY_TASK_MAX": "12"],
                timeout: 300)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.hasPrefix("trial-00\(task - 10): model.deepsets.headLayers="), "\(result.stdout)")
        }
        for trial in 0..<2 {
            let json = try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: "\(scan)/trial-00\(trial)/trial.json"))) as! [String: Any]
            let folds = json["folds"] as! [[String: Any]]
            #expect(folds.count == 3, "3 folds when the config sets no training.kfold")
            #expect(folds.allSatisfy { ($0["trainingJets"] as! Int) == 1500 && ($0["validationJets"] as! Int) == 1500 })
            let aucs = folds.map { ($0["auc"] as! NSNumber).doubleValue }
            let auc = (json["auc"] as! [String: NSNumber]).mapValues(\.doubleValue)
            #expect(abs(auc["mean"]! - aucs.reduce(0, +) / 3) < 1e-12)
            let mean = auc["mean"]!
            let sd = (aucs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 2).squareRoot()
            #expect(abs(auc["standardDeviation"]! - sd) < 1e-12)
            #expect(abs(auc["standardError"]! - sd / 3.0.squareRoot()) < 1e-12)
            #expect(aucs.allSatisfy { $0 > 0.6 && $0 < 1 }, "\(aucs)")
            let rate = ((json["values"] as! [String: Any])["training.learningRate"] as! NSNumber).doubleValue
            #expect(rate >= 3e-3 && rate <= 3e-2)
            let trialConfig = try String(contentsOfFile: "\(scan)/trial-00\(trial)/config.yaml", encoding: .utf8)
            #expect(trialConfig.contains("kfold: 3"))
        }
        #expect(!FileManager.default.fileExists(atPath: "\(scan)/trial-002"), "each task writes only its own trial")

        // Summarize with trial 2 missing: listed, not an error.
        var summary = try runJetTag(arguments: ["scan", "summarize", scan])
        #expect(summary.status == 0, "\(summary.stderr)")
        #expect(summary.stdout.contains("2 of 3 trials complete"))
        #expect(summary.stdout.contains("trial-002: missing"))
        #expect(summary.stdout.contains("best: trial-00"))
        let csv = try String(contentsOfFile: "\(scan)/summary.csv", encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 4)
        #expect(csv[0].hasPrefix("trial,status,model.deepsets.headLayers,training.learningRate,folds,training_jets,val_loss_mean"))
        #expect(csv[3].hasPrefix("trial-002,missing,"))
        #expect(csv.filter { $0.hasSuffix(",yes,yes") }.count == 1, "one best trial")
        let best = try String(contentsOfFile: "\(scan)/best.yaml", encoding: .utf8)
        #expect(best.contains("learningRate:") && best.contains("kfold: 3"))
        let page = try String(contentsOfFile: "\(scan)/summary.html", encoding: .utf8)
        #expect(page.contains("trial-002 missing"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(scan)/plots").count == 4, "loss and AUC per key")
        try checkInBrowser("\(scan)/summary.html")

        // A task killed in its last fold (trial.json and fold2 not written) and the whole scan run again in one
        // process: trial 0 is skipped, trial 1 keeps folds 0 and 1 and trains fold 2, trial 2 is trained.
        try FileManager.default.removeItem(atPath: "\(scan)/trial-001/trial.json")
        try FileManager.default.removeItem(atPath: "\(scan)/trial-001/run/fold2")
        let kept = try [0, 1].map { try modificationDate("\(scan)/trial-001/run/fold\($0)/model.h5") }
        let complete = try modificationDate("\(scan)/trial-000/trial.json")
        let rerun = try runJetTag(arguments: arguments, timeout: 600)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let lines = rerun.stdout.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0].hasSuffix("(complete already)"))
        #expect(!lines[1].hasSuffix("(complete already)") && !lines[2].hasSuffix("(complete already)"))
        #expect(try modificationDate("\(scan)/trial-000/trial.json") == complete)
        #expect(try [0, 1].map { try modificationDate("\(scan)/trial-001/run/fold\($0)/model.h5") } == kept)
        #expect(FileManager.default.fileExists(atPath: "\(scan)/trial-001/run/fold2/model.h5"))
        summary = try runJetTag(arguments: ["scan", "summarize", scan])
        #expect(summary.stdout.contains("3 of 3 trials complete"))

        // Bad input: a trial outside the scan, another scan into the same directory.
        let outside = try runJetTag(arguments: arguments + ["--trial", "3"])
        #expect(outside.status == 64)
        #expect(outside.stderr.contains("--trial 3: the scan has 3 trials (0 to 2)"), "\(outside.stderr)")
        let slurmOutside = try runJetTag(
            arguments: arguments,
            environment: ["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_COUNT": "5"])
        #expect(slurmOutside.status == 64)
        #expect(slurmOutside.stderr.contains("the Slurm array task (SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN) 3: the scan has 3 trials"))
        let other = try runJetTag(arguments: arguments.map { $0 == "5" ? "6" : $0 })
        #expect(other.status == 64)
        #expect(other.stderr.contains("its scan.json describes another scan"), "\(other.stderr)")
        try "training.learningRate: {logUniform: [0, 1e-2]}\n".write(toFile: space, atomically: true, encoding: .utf8)
        let badSpace = try runJetTag(arguments: arguments.map { $0 == scan ? directory.path("scan2") : $0 })
        #expect(badSpace.status == 64)
        #expect(badSpace.stderr.contains("\(space): training.learningRate: logUniform needs positive bounds"), "\(badSpace.stderr)")
        try "".write(toFile: space, atomically: true, encoding: .utf8)
        let empty = try runJetTag(arguments: arguments.map { $0 == scan ? directory.path("scan2") : $0 })
        #expect(empty.status == 64)
        #expect(empty.stderr.contains("\(space): has no parameters"), "\(empty.stderr)")
        let notAScan = try runJetTag(arguments: ["scan", "summarize", directory.path("nothing")])
        #expect(notAScan.status == 64)
        #expect(notAScan.stderr.contains("has no scan.json"))
    }

    @Test func aLearningCurveOfTwoConfigsOnNestedTrainingSubsets() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Self.writeTinyConfig(to: directory.path("a.yaml"))
        try Self.writeTinyConfig(to: directory.path("b.yaml"), layers: "[16, 16]")
        let scan = directory.path("curve")
        let result = try runJetTag(
            arguments: [
                "scan", "--config", directory.path("a.yaml"), "--config", directory.path("b.yaml"), "--train-fraction", "0.25,1",
                "--out", scan, "--quiet",
            ], timeout: 600)
        #expect(result.status == 0, "\(result.stderr)")
        var trainingJets: [Double] = []
        for trial in 0..<4 {
            let json = try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: "\(scan)/trial-00\(trial)/trial.json"))) as! [String: Any]
            trainingJets.append((json["trainingJets"] as! NSNumber).doubleValue)
            #expect((json["config"] as! String).hasSuffix(trial < 2 ? "a.yaml" : "b.yaml"))
        }
        // Each jet is kept when its seeded uniform is below 0.25: a binomial count (mean 375, sigma 16.8), the same
        // subset for both configs (same seed), and all 1500 jets at fraction 1.
        #expect(abs(trainingJets[0] - 375) < 5 * 16.8, "\(trainingJets)")
        #expect(trainingJets[2] == trainingJets[0], "\(trainingJets)")
        #expect(trainingJets[1] == 1500 && trainingJets[3] == 1500, "\(trainingJets)")
        let summary = try runJetTag(arguments: ["scan", "summarize", scan])
        #expect(summary.status == 0, "\(summary.stderr)")
        let csv = try String(contentsOfFile: "\(scan)/summary.csv", encoding: .utf8).split(separator: "\n")
        #expect(csv[0].hasPrefix("trial,status,config,training.trainFraction,folds,training_jets"))
        #expect(csv[1].hasPrefix("trial-000,complete,\(directory.path("a.yaml")),0.25,3,\(trainingJets[0]),"), "\(csv[1])")
        let page = try String(contentsOfFile: "\(scan)/summary.html", encoding: .utf8)
        #expect(page.contains("Learning curve: mean validation loss"))
        #expect(!FileManager.default.fileExists(atPath: "\(scan)/best.yaml"))
        try checkInBrowser("\(scan)/summary.html")
    }

    /// Scripts/check-report-in-browser.sh on the page, when Chromium and ImageMagick are installed.
    func checkInBrowser(_ page: String) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Scripts/check-report-in-browser.sh").path
        let hasBrowser = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].contains { FileManager.default.fileExists(atPath: $0) }
        guard hasBrowser, FileManager.default.fileExists(atPath: "/usr/bin/convert") else { return }
        let check = try runProcess(URL(fileURLWithPath: "/bin/bash"), arguments: [script, page], timeout: 300)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("OK: "), "\(check.stdout)")
    }
}
