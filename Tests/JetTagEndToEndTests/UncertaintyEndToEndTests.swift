import Foundation
import JetTestSupport
import Testing

@testable import JetData

/// `jettag calibrate` and `jettag predict --mc-dropout` as a user runs them, with a tiny Deep Sets trained for 2
/// epochs: on 800 jets of the shipped sample for calibration (the synthetic jets are separable, and their T runs
/// to the fit's lower bound), on synthetic jets (``writeSmallRunConfig(to:file:extra:)``) for the dropout.
@Suite struct UncertaintyEndToEndTests {
    static let fields = ["deepsets_pbackground", "deepsets_psignal"]

    /// A temporary directory holding `run.yaml` and the jets it trains on: 240 synthetic jets (`jets.h5`), or the
    /// first 800 jets of the shipped sample; returns the directory and the jets' file.
    private func prepare(shippedJets: Bool = false) throws -> (TemporaryDirectory, String) {
        let directory = try TemporaryDirectory()
        guard shippedJets else {
            let jets = directory.path("jets.h5")
            try SyntheticJetFile.write(to: jets, count: 240, seed: 8, firstEventNumber: 300)
            try writeSmallRunConfig(to: directory.path("run.yaml"), file: jets)
            return (directory, jets)
        }
        try """
            data:
              files: [\(shippedSample)]
              maxJets: 800
              split: {validationFraction: 0.25, seed: 3}
            features:
              maxConstituents: 16
              constituentVariables: [deta, dphi, logptrel, pt_log]
            model:
              kind: deepsets
              deepsets: {constituentLayers: [8], headLayers: [8]}
            training: {batchSize: 64, epochs: 2, learningRate: 0.01}
            """.write(toFile: directory.path("run.yaml"), atomically: true, encoding: .utf8)
        return (directory, shippedSample)
    }

    /// Trains `run.yaml` into `directory/name` with `overrides`; returns the path of its `model.h5`.
    private func train(_ directory: TemporaryDirectory, _ name: String, _ overrides: [String] = []) throws -> String {
        let result = try runJetTag(
            arguments: ["train", "--config", directory.path("run.yaml"), "--out", directory.path(name), "--quiet", "--no-report"]
                + overrides.flatMap { ["--set", $0] })
        #expect(result.status == 0, "\(result.stderr)")
        return directory.path("\(name)/model.h5")
    }

    private func rows(_ path: String) throws -> (rows: JetOutputReader.Rows, attributes: [String: String]) {
        let reader = try JetOutputReader(path: path)
        return (try reader.read(0..<reader.count), reader.attributes)
    }

    /// The temperature in the model file's `calibration` attribute (JSON: `..."temperature":<T>}`), read with HDF5
    /// and `Double(_:)` (JSONSerialization can be one ulp off).
    private func storedTemperature(_ model: String) throws -> Double? {
        guard let text = try HDF5File(readingAt: model).stringAttribute("calibration")?.first else { return nil }
        let value = try #require(text.range(of: "\"temperature\":")).upperBound
        return Double(text[value...].prefix { $0 != "," && $0 != "}" })
    }

    @Test func calibrateStoresTWhichPredictAppliesAndInspectShows() throws {
        let (directory, jets) = try prepare(shippedJets: true)
        defer { directory.remove() }
        let model = try train(directory, "run")
        let calibrated = directory.path("calibrated.h5")
        let calibrate = try runJetTag(arguments: ["calibrate", "--model", model, "--out", calibrated])
        #expect(calibrate.status == 0, "\(calibrate.stderr)")
        // "temperature T = <T> from <n> validation jets: NLL <before> -> <after>"
        let words = calibrate.stdout.split(separator: " ")
        let jetCount = try #require(words.firstIndex(of: "validation").flatMap { Int(words[$0 - 1]) })
        // The jets of the validation split, as evaluate --split validation counts them ("<tagger>: <n> jets, ...").
        let evaluate = try runJetTag(arguments: [
            "evaluate", "--model", model, jets, "--split", "validation", "--out", directory.path("eval"), "--no-report",
        ])
        #expect(evaluate.status == 0, "\(evaluate.stderr)")
        #expect(evaluate.stdout.hasPrefix("deepsets: \(jetCount) jets,"), "\(calibrate.stdout)\(evaluate.stdout)")
        #expect(try storedTemperature(model) == nil, "--out leaves the model as it was")
        let temperature = try #require(try storedTemperature(calibrated))
        #expect(temperature > 0.1 && temperature < 10 && abs(temperature - 1) > 1e-3, "\(temperature)")
        #expect(calibrate.stdout.hasPrefix("temperature T = \(temperature) "), "\(calibrate.stdout)")

        let inspect = try runJetTag(arguments: ["inspect", calibrated])
        #expect(inspect.status == 0, "\(inspect.stderr)")
        let shown = "Calibration: temperature T = \(String(format: "%.6g", temperature)), fitted on \(jetCount) validation jets"
        #expect(inspect.stdout.contains(shown), "\(inspect.stdout)")
        #expect(try runJetTag(arguments: ["inspect", model]).stdout.contains("Calibration: none"))

        // predict with T: p = sigmoid(z / T), z = logit of the uncalibrated p; the jets whose p is within 1e-3 of 0
        // or 1 are left out (z from a Float p near 1 is too coarse to divide).
        for (name, file) in [("plain.h5", model), ("calibrated-scores.h5", calibrated)] {
            let predict = try runJetTag(arguments: ["predict", "--model", file, jets, "--out", directory.path(name)])
            #expect(predict.status == 0, "\(predict.stderr)")
        }
        let plain = try rows(directory.path("plain.h5")).rows.values["deepsets_ptop"]!
        let scaled = try rows(directory.path("calibrated-scores.h5")).rows.values["deepsets_ptop"]!
        #expect(plain.count == 7_400 && scaled.count == 7_400)
        var compared = 0
        for (p, q) in zip(plain, scaled) where min(p, 1 - p) > 1e-3 {
            let logit = log(Double(p) / (1 - Double(p)))
            let expected = 1 / (1 + exp(-logit / temperature))
            #expect(abs(Double(q) - expected) < 1e-5, "p \(p): calibrated \(q), expected \(expected)")
            compared += 1
        }
        #expect(compared > 5_000, "\(compared) jets away from 0 and 1")
        #expect(zip(plain, scaled).filter { abs($0 - $1) > 1e-4 }.count > 5_000, "T changes the probabilities")

        // Without --out the model itself is calibrated, with the same T.
        let inPlace = try runJetTag(arguments: ["calibrate", "--model", model])
        #expect(inPlace.status == 0, "\(inPlace.stderr)")
        #expect(try storedTemperature(model) == temperature)
    }

    @Test func calibratingACheckpointOrAMissingModelFails() throws {
        let (directory, _) = try prepare()
        defer { directory.remove() }
        _ = try train(directory, "run")
        let checkpoint = directory.path("run/last.h5")
        let before = try Data(contentsOf: URL(fileURLWithPath: checkpoint))
        let refused = try runJetTag(arguments: ["calibrate", "--model", checkpoint])
        #expect(refused.status != 0)
        #expect(
            refused.stderr.contains("\(checkpoint) is a training checkpoint")
                && refused.stderr.contains("model.h5 in the same run directory"), "\(refused.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: checkpoint)) == before, "the checkpoint is not rewritten")

        let missing = directory.path("run/nothere.h5")
        let absent = try runJetTag(arguments: ["calibrate", "--model", missing, "--out", directory.path("out.h5")])
        #expect(absent.status != 0)
        #expect(absent.stderr.contains("\(missing): no such file"), "\(absent.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.path("out.h5")))
    }

    @Test func predictWithMonteCarloDropoutWritesTheSpreadTheSameForAnyBatchSize() throws {
        let (directory, jets) = try prepare()
        defer { directory.remove() }
        let model = try train(directory, "dropout", ["model.deepsets.dropout=0.3"])
        func predict(_ name: String, _ options: [String]) throws -> (status: Int32, stderr: String, path: String) {
            let path = directory.path(name)
            let result = try runJetTag(arguments: ["predict", "--model", model, jets, "--out", path] + options)
            return (result.status, result.stderr, path)
        }
        let small = try predict("small.h5", ["--mc-dropout", "3", "--batch-size", "7"])
        let large = try predict("large.h5", ["--mc-dropout", "3", "--batch-size", "1000"])
        #expect(small.status == 0 && large.status == 0, "\(small.stderr)\(large.stderr)")
        let (scores, attributes) = try rows(small.path)
        #expect(try rows(large.path).rows == scores, "same bits for batch sizes 7 and 1000")
        #expect(Set(scores.values.keys) == Set(Self.fields + Self.fields.map { $0 + "_std" }))
        #expect(attributes["spread"] == "mc_dropout" && attributes["mc_dropout_passes"] == "3", "\(attributes)")
        let spread = scores.values["deepsets_psignal_std"]!
        #expect(spread.count == 240 && spread.allSatisfy { $0 >= 0 } && spread.filter { $0 > 0 }.count > 200)
        // For two classes p(background) = 1 - p(signal) in every pass: the same spread, means summing to 1.
        #expect(zip(spread, scores.values["deepsets_pbackground_std"]!).allSatisfy { abs($0 - $1) < 1e-5 })
        #expect(
            zip(scores.values["deepsets_psignal"]!, scores.values["deepsets_pbackground"]!).allSatisfy {
                abs($0 + $1 - 1) < 1e-5
            })

        let reseeded = try predict("seed1.h5", ["--mc-dropout", "3", "--mc-dropout-seed", "1"])
        #expect(reseeded.status == 0, "\(reseeded.stderr)")
        #expect(try rows(reseeded.path).rows.values["deepsets_psignal_std"] != spread, "another seed, other masks")
        let plain = try predict("plain.h5", [])
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(try rows(plain.path).rows.values.keys.allSatisfy { !$0.hasSuffix("_std") })

        let zero = try predict("zero.h5", ["--mc-dropout", "0"])
        #expect(zero.status == 1)
        #expect(zero.stderr.contains("--mc-dropout: the number of stochastic passes must be at least 1, got 0"), "\(zero.stderr)")
        #expect(!FileManager.default.fileExists(atPath: zero.path))
    }

    @Test func monteCarloDropoutOfAModelWithoutDropoutFails() throws {
        let (directory, jets) = try prepare()
        defer { directory.remove() }
        let model = try train(directory, "run")
        let out = directory.path("scores.h5")
        let result = try runJetTag(arguments: ["predict", "--model", model, jets, "--out", out, "--mc-dropout", "3"])
        #expect(result.status == 1)
        #expect(
            result.stderr.contains("\(model): the model has no dropout (model.deepsets.dropout is 0)"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
