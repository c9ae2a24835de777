import Foundation
@testable import JetData
import JetTestSupport
import Testing

@Suite struct ReweightEndToEndTests {
    /// Source and target: synthetic files of 320 jets (event numbers 1000...); a tiny Deep Sets with the
    /// computed observables as jet inputs, folds event_number % 4.
    private func makeRun(_ directory: URL) throws -> (config: String, source: String) {
        let source = directory.appendingPathComponent("source.h5").path
        let target = directory.appendingPathComponent("target.h5").path
        try SyntheticJetFile.write(to: source, count: 320, seed: 11)
        try SyntheticJetFile.write(to: target, count: 320, seed: 12)
        let config = directory.appendingPathComponent("reweight.yaml").path
        try """
            source: {files: [\(source)]}
            target: {files: [\(target)]}
            reweighting: {modulus: 4, trainingFolds: [0], validationFolds: [1], heldOutFolds: [2, 3], cap: 50}
            closure: {observables: [multiplicity, width, ptd, pt], bins: 4, epochs: 1, seeds: 2}
            features:
              maxConstituents: 8
              constituentVariables: [deta, dphi, logptrel]
              jetVariables: [multiplicity, width, ptd]
            model: {kind: deepsets, deepsets: {constituentLayers: [8], headLayers: [8]}}
            training: {batchSize: 32, epochs: 2, seed: 1}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        return (config, source)
    }

    @Test func trainApplyShardAndClosure() throws {
        let directory = try SyntheticJetFile.temporaryDirectory("reweight-e2e")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (config, source) = try makeRun(directory)
        let run = directory.appendingPathComponent("run").path
        // A cross-trained ensemble, as the shipped configs: member 0 validates on fold 0, member 1 on fold 1.
        let train = try runJetTag(arguments: [
            "reweight", "train", "--config", config, "--out", run, "--quiet", "--set", "reweighting.crossTraining=true",
            "--set", "training.ensemble=2",
        ])
        #expect(train.status == 0, "\(train.stderr)")
        // The density-ratio settings live in the model file (no reweighting.json beside it any more).
        #expect(try HDF5File(readingAt: run + "/model.h5").stringAttribute("reweighting")?.first?.contains("density_ratio") == true)
        #expect(!FileManager.default.fileExists(atPath: run + "/reweighting.json"))
        for member in 0..<2 {
            let history = try String(contentsOfFile: run + "/member\(member)/history.csv", encoding: .utf8)
            #expect(history.split(separator: "\n").count == 3, "header and two epochs: \(history)")
        }

        let out = directory.appendingPathComponent("weights.h5").path
        let apply = try runJetTag(arguments: ["reweight", "apply", "--model", run + "/model.h5", source, "--out", out, "--shard", "1/2", "--batch-size", "50"])
        #expect(apply.status == 0, "\(apply.stderr)")
        #expect(apply.stderr.contains("192 jets"))
        let dataset = try HDF5File(readingAt: out).dataset("jets")
        #expect(dataset.fieldNames == ["jet_index", "event_number", "weight", "classifier_output"])
        let index = try dataset.readFields(rows: 0..<dataset.rowCount, [try dataset.extraction("weight")], integers: try dataset.extraction("jet_index"))
        let events = try dataset.readFields(
            rows: 0..<dataset.rowCount, [try dataset.extraction("classifier_output")], integers: try dataset.extraction("event_number"))
        // Shard 1 of 2 holds rows 128..<320 of the input (blocks 2..<5 of 64 rows), in order; event numbers are
        // 1000 + row.
        #expect(index.integers == (128..<320).map(Int64.init))
        #expect(events.integers == (128..<320).map { Int64(1000 + $0) })
        #expect(index.floats[0].allSatisfy { $0.isFinite && $0 > 0 })
        #expect(events.floats[0].allSatisfy { $0 > 0 && $0 < 1 })
        // The classifier runs on fixed 64-row blocks: unsharded with another batch size, the same bits.
        let whole = directory.appendingPathComponent("whole.h5").path
        let unsharded = try runJetTag(arguments: ["reweight", "apply", "--model", run + "/model.h5", source, "--out", whole, "--batch-size", "77"])
        #expect(unsharded.status == 0, "\(unsharded.stderr)")
        let wholeSet = try HDF5File(readingAt: whole).dataset("jets")
        let wholeWeights = try wholeSet.readFields(rows: 128..<320, [try wholeSet.extraction("weight")])
        #expect(wholeWeights.floats[0].map(\.bitPattern) == index.floats[0].map(\.bitPattern))

        let closure = try runJetTag(arguments: ["reweight", "closure", "--model", run + "/model.h5", "--out", directory.appendingPathComponent("closure").path])
        #expect(closure.status == 0, "\(closure.stderr)")
        #expect(closure.stdout.contains("two-sample AUC"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("closure/closure.json"))) as! [String: Any]
        #expect((json["observables"] as! [Any]).count == 4)
        // Two seeds, each trained on either half and scored on the other.
        #expect(((json["two_sample"] as! [String: Any])["auc_after_runs"] as! [Double]).count == 4)
        #expect(closure.stderr.contains("held-out jets: 160 source, 160 target; the two-sample test holds 320 of them"), "\(closure.stderr)")
        // Read batch by batch, the reweighted source's total is that of apply's weights over the held-out source rows
        // (event numbers 1000 + row, folds 2 and 3 of 4).
        let applied = try wholeSet.readFields(rows: 0..<320, [try wholeSet.extraction("weight")]).floats[0]
        let expected = (0..<320).filter { (1000 + $0) % 4 >= 2 }.reduce(0.0) { $0 + Double(applied[$1]) }
        let observables = json["observables"] as! [[String: Any]]
        for observable in observables {
            let total = ((observable["reweighted"] as! [String: Any])["sum_weights"] as! [Double]).reduce(0, +)
            #expect(abs(total - expected) <= 1e-4 * expected, "\(observable["name"]!): \(total) against \(expected)")
        }
        // A two-sample test on about 100 jets per sample: the same histograms from every held-out jet.
        let capped = directory.appendingPathComponent("capped.yaml").path
        try String(contentsOfFile: config, encoding: .utf8).replacingOccurrences(of: "seeds: 2}", with: "seeds: 2, twoSampleJets: 100}")
            .write(toFile: capped, atomically: true, encoding: .utf8)
        let small = try runJetTag(arguments: [
            "reweight", "closure", "--model", run + "/model.h5", "--config", capped, "--out", directory.appendingPathComponent("small").path,
        ])
        #expect(small.status == 0, "\(small.stderr)")
        let smallJSON = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("small/closure.json"))) as! [String: Any]
        #expect(NSDictionary(dictionary: ["o": smallJSON["observables"]!]) == NSDictionary(dictionary: ["o": json["observables"]!]))
        let twoSample = smallJSON["two_sample"] as! [String: Any]
        let held = (twoSample["training_jets"] as! Int) + (twoSample["test_jets"] as! Int)
        #expect(held > 160 && held < 240, "\(twoSample)")
    }

    /// SIGTERM while `reweight apply` writes (one jet per batch): the temporary output is removed, exit code 130.
    @Test func terminatedApplyRemovesItsTemporaryOutput() throws {
        let directory = try SyntheticJetFile.temporaryDirectory("reweight-term")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (config, _) = try makeRun(directory)
        let run = directory.appendingPathComponent("run").path
        let train = try runJetTag(arguments: ["reweight", "train", "--config", config, "--out", run, "--quiet"])
        #expect(train.status == 0, "\(train.stderr)")
        let many = directory.appendingPathComponent("many.h5").path
        try SyntheticJetFile.write(to: many, count: 20_000, seed: 13)
        try expectTerminationRemovesTemporaryOutput(
            arguments: ["reweight", "apply", "--model", run + "/model.h5", many, "--batch-size", "1"],
            output: directory.appendingPathComponent("weights.h5").path)
    }

    /// The jet-level MLP classifier (`model.kind: mlp`, the jet variables only) as a one-model ensemble: trains,
    /// applies and closes through its model file (the closure's two-sample test stays a Deep Sets).
    @Test func mlpOneMemberEnsembleTrainsAppliesAndCloses() throws {
        let directory = try SyntheticJetFile.temporaryDirectory("reweight-mlp")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (config, source) = try makeRun(directory)
        let run = directory.appendingPathComponent("run").path
        let train = try runJetTag(arguments: [
            "reweight", "train", "--config", config, "--out", run, "--quiet", "--set", "model.kind=mlp",
            "--set", "model.mlp.hiddenLayers=[8, 8]", "--set", "training.ensemble=1",
        ])
        #expect(train.status == 0, "\(train.stderr)")
        let model = try HDF5File(readingAt: run + "/model.h5")
        #expect(try model.stringAttribute("architecture")?.first?.contains("\"kind\":\"mlp\"") == true)
        #expect(model.datasetNames().contains("/members/0/head.0.weight"))

        let out = directory.appendingPathComponent("weights.h5").path
        let apply = try runJetTag(arguments: ["reweight", "apply", "--model", run + "/model.h5", source, "--out", out])
        #expect(apply.status == 0, "\(apply.stderr)")
        let dataset = try HDF5File(readingAt: out).dataset("jets")
        let weights = try dataset.readFields(rows: 0..<dataset.rowCount, [try dataset.extraction("weight")], integers: try dataset.extraction("jet_index"))
        #expect(weights.integers == (0..<320).map(Int64.init))
        #expect(weights.floats[0].allSatisfy { $0.isFinite && $0 > 0 })

        let closure = try runJetTag(arguments: [
            "reweight", "closure", "--model", run + "/model.h5", "--out", directory.appendingPathComponent("closure").path,
        ])
        #expect(closure.status == 0, "\(closure.stderr)")
        #expect(closure.stdout.contains("two-sample AUC"))
    }

    /// `reweighting.bootstrap: 2` trains the nominal classifier as without it (the same weights, bit for bit,
    /// with and without `--variations`) plus two replicas on Poisson-resampled training folds; `apply
    /// --variations` writes their weights as weight_var0 and weight_var1 (different from each other and from the
    /// nominal, the same bits for any thread count and batching), `closure` reports their spread per bin and the
    /// chi2 with it; a single classifier has no variations to write.
    @Test func bootstrapVariationsApplyAndClose() throws {
        let directory = try SyntheticJetFile.temporaryDirectory("reweight-bootstrap")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (config, source) = try makeRun(directory)
        let (nominalRun, bootstrapRun) = (directory.appendingPathComponent("nominal").path, directory.appendingPathComponent("bootstrap").path)
        let nominal = try runJetTag(arguments: ["reweight", "train", "--config", config, "--out", nominalRun, "--quiet"])
        #expect(nominal.status == 0, "\(nominal.stderr)")
        let bootstrap = try runJetTag(arguments: [
            "reweight", "train", "--config", config, "--out", bootstrapRun, "--quiet", "--set", "reweighting.bootstrap=2",
        ])
        #expect(bootstrap.status == 0, "\(bootstrap.stderr)")
        #expect(FileManager.default.fileExists(atPath: bootstrapRun + "/bootstrap1/history.csv"))

        func apply(_ run: String, _ name: String, _ extra: [String] = []) throws -> (status: Int32, stderr: String, path: String) {
            let out = directory.appendingPathComponent(name).path
            let result = try runJetTag(arguments: ["reweight", "apply", "--model", run + "/model.h5", source, "--out", out] + extra)
            return (result.status, result.stderr, out)
        }
        func column(_ path: String, _ field: String) throws -> [UInt32] {
            let dataset = try HDF5File(readingAt: path).dataset("jets")
            return try dataset.readFields(rows: 0..<dataset.rowCount, [try dataset.extraction(field)]).floats[0].map(\.bitPattern)
        }
        let plain = try apply(nominalRun, "nominal.h5")
        let unvaried = try apply(bootstrapRun, "unvaried.h5")
        let varied = try apply(bootstrapRun, "varied.h5", ["--variations"])
        let threaded = try apply(bootstrapRun, "threaded.h5", ["--variations", "--threads", "2", "--batch-size", "77"])
        for result in [plain, unvaried, varied, threaded] { #expect(result.status == 0, "\(result.stderr)") }
        let weights = try column(plain.path, "weight")
        #expect(try column(unvaried.path, "weight") == weights && column(varied.path, "weight") == weights)
        let file = try HDF5File(readingAt: varied.path)
        #expect(try file.dataset("jets").fieldNames == ["jet_index", "event_number", "weight", "classifier_output", "weight_var0", "weight_var1"])
        #expect(try file.stringAttribute("variations")?.first == "2" && file.stringAttribute("variation_kind")?.first == "bootstrap")
        let variations = try (0..<2).map { try column(varied.path, "weight_var\($0)") }
        #expect(variations[0] != variations[1] && variations[0] != weights && variations[1] != weights)
        #expect(variations.joined().allSatisfy { Float(bitPattern: $0).isFinite && Float(bitPattern: $0) > 0 })
        #expect(try (0..<2).map { try column(threaded.path, "weight_var\($0)") } == variations)

        let single = try apply(nominalRun, "single.h5", ["--variations"])
        #expect(single.status != 0)
        #expect(single.stderr.contains("no weight variations") && single.stderr.contains(nominalRun + "/model.h5"), "\(single.stderr)")
        #expect(!FileManager.default.fileExists(atPath: single.path))

        let closure = try runJetTag(arguments: [
            "reweight", "closure", "--model", bootstrapRun + "/model.h5", "--out", directory.appendingPathComponent("closure").path,
            "--no-two-sample",
        ])
        #expect(closure.status == 0, "\(closure.stderr)")
        #expect(closure.stdout.contains("with variation spread") && closure.stdout.contains("2 bootstrap variations"), "\(closure.stdout)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("closure/closure.json"))) as! [String: Any]
        #expect((json["variations"] as? [String: Any])?["count"] as? Int == 2)
        for observable in json["observables"] as! [[String: Any]] {
            let spread = try #require(observable["variation_spread"] as? [Double])
            let bins = ((observable["reweighted"] as! [String: Any])["edges"] as! [Double]).count - 1
            // pt is 500 for every synthetic jet: one bin, whose normalised content is 1 for every variation.
            #expect(spread.count == bins && spread.allSatisfy { $0 >= 0 } && (bins == 1 || spread.contains { $0 > 0 }), "\(observable["name"]!): \(spread)")
            let (after, withSpread) = (observable["chi2_after"] as! [String: Any], observable["chi2_after_with_variations"] as! [String: Any])
            #expect((withSpread["chi2"] as! Double) <= (after["chi2"] as! Double))
        }
        let csv = try String(contentsOf: directory.appendingPathComponent("closure/closure_width.csv"), encoding: .utf8)
        #expect(csv.split(separator: "\n")[0].hasSuffix("reweighted_variation_spread,reweighted_over_target_variation_spread"))
    }

    @Test func configErrorsNameTheKey() throws {
        let directory = try SyntheticJetFile.temporaryDirectory("reweight-config")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (config, _) = try makeRun(directory)
        let misspelt = try runJetTag(arguments: [
            "reweight", "train", "--config", config, "--out", directory.path + "/run", "--set", "reweighting.negativWeights=abs",
        ])
        #expect(misspelt.status != 0)
        #expect(misspelt.stderr.contains("unknown key 'reweighting.negativWeights'"), "\(misspelt.stderr)")
        let overlapping = try runJetTag(arguments: [
            "reweight", "train", "--config", config, "--out", directory.path + "/run", "--set", "reweighting.heldOutFolds=[1, 2]",
        ])
        #expect(overlapping.status != 0)
        #expect(overlapping.stderr.contains("reweighting.heldOutFolds"), "\(overlapping.stderr)")
        let alone = try runJetTag(arguments: [
            "reweight", "train", "--config", config, "--out", directory.path + "/run", "--set", "reweighting.crossTraining=true",
        ])
        #expect(alone.status != 0)
        #expect(alone.stderr.contains("reweighting.crossTraining"), "\(alone.stderr)")
        let calibrated = try runJetTag(arguments: [
            "reweight", "train", "--config", config, "--out", directory.path + "/run", "--set", "reweighting.crossTraining=true",
            "--set", "training.ensemble=2", "--set", "reweighting.calibrate=true",
        ])
        #expect(calibrated.status != 0)
        #expect(calibrated.stderr.contains("reweighting.calibrate"), "\(calibrated.stderr)")
        for replicas in ["-1", "1"] {
            let bootstrap = try runJetTag(arguments: [
                "reweight", "train", "--config", config, "--out", directory.path + "/run", "--set", "reweighting.bootstrap=\(replicas)",
            ])
            #expect(bootstrap.status != 0)
            #expect(bootstrap.stderr.contains("reweighting.bootstrap") && bootstrap.stderr.contains("2 or more"), "\(bootstrap.stderr)")
        }
    }
}
