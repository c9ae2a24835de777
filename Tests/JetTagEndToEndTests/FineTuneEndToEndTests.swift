import Foundation
import JetTestSupport
import Testing

@testable import JetData

/// `jettag train` with `training.initFrom` as a user runs it, on the shipped sample: a tagger trained on jets of
/// 550-600 GeV fine-tuned on jets of 600-650 GeV (a tiny network and a few hundred jets, to stay fast).
@Suite struct FineTuneEndToEndTests {
    private func writeConfig(to path: String, selection: String, variables: String = "[deta, dphi, logptrel, pt_log]")
        throws
    {
        try """
        data:
          files: [\(shippedSample)]
          selection: "\(selection)"
          maxJets: 400
          split: {validationFraction: 0.25, seed: 3}
        features:
          maxConstituents: 16
          constituentVariables: \(variables)
        model:
          kind: deepsets
          deepsets: {constituentLayers: [8], headLayers: [8]}
        training: {batchSize: 64, epochs: 1, learningRate: 0.01}
        """.write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test func fineTuneAHighPtTaggerFromALowPtOne() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try writeConfig(to: directory.path("low.yaml"), selection: "pt < 600")
        try writeConfig(to: directory.path("high.yaml"), selection: "pt >= 600")
        let parent = directory.path("low/model.h5")
        let low = try runJetTag(arguments: [
            "train", "--config", directory.path("low.yaml"), "--out", directory.path("low"), "--no-report",
        ])
        #expect(low.status == 0, "\(low.stderr)")

        let tuning = [
            "--set", "training.initFrom=\(parent)", "--set", "training.freeze=[constituent.*]",
            "--set", "training.epochs=2",
        ]
        let printed = try runJetTag(
            arguments: ["train", "--config", directory.path("high.yaml"), "--out", directory.path("high"), "--print-config"]
                + tuning)
        #expect(printed.status == 0, "\(printed.stderr)")
        #expect(printed.stdout.contains("\"initFrom\" : \"\(parent)\""))
        #expect(printed.stdout.contains("\"standardizationSource\" : \"parent\""))
        #expect(printed.stdout.contains("\"initExclude\" : ["))

        let high = try runJetTag(
            arguments: ["train", "--config", directory.path("high.yaml"), "--out", directory.path("high"), "--no-report"]
                + tuning)
        #expect(high.status == 0, "\(high.stderr)")
        let tuned = try HDF5File(readingAt: directory.path("high/model.h5"))
        let provenance = try #require(try tuned.stringAttribute("parent")?.first)
        #expect(provenance.contains("\"path\":\"\(parent)\""))
        #expect(provenance.contains("\"sha256\":\""))
        // The frozen per-constituent layer is the parent's, bit for bit; the head trained.
        let source = try HDF5File(readingAt: parent)
        for name in ["constituent.0.weight", "constituent.0.bias"] {
            #expect(try tuned.readFloats("parameters/\(name)").1 == source.readFloats("parameters/\(name)").1)
        }
        #expect(try tuned.readFloats("parameters/head.1.weight").1 != source.readFloats("parameters/head.1.weight").1)

        // Evaluated on the high-pt jets only.
        let evaluate = try runJetTag(arguments: [
            "evaluate", "--model", directory.path("high/model.h5"), shippedSample, "--selection", "pt >= 600",
            "--out", directory.path("eval"), "--no-report",
        ])
        #expect(evaluate.status == 0, "\(evaluate.stderr)")
        let words = evaluate.stdout.split(separator: " ")
        let jets = words.firstIndex(of: "jets,").flatMap { Int(words[$0 - 1]) }
        // About 40% of the sample's 7,400 jets have pt >= 600 GeV.
        #expect((2_000..<5_000).contains(jets ?? 0), "\(evaluate.stdout)")
    }

    @Test func aParentWithOtherInputsOrACheckpointIsRefused() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try writeConfig(to: directory.path("low.yaml"), selection: "pt < 600")
        try writeConfig(
            to: directory.path("other.yaml"), selection: "pt >= 600", variables: "[dphi, deta, logptrel, pt_log]")
        let low = try runJetTag(arguments: [
            "train", "--config", directory.path("low.yaml"), "--out", directory.path("low"), "--no-report",
        ])
        #expect(low.status == 0, "\(low.stderr)")
        let reordered = try runJetTag(arguments: [
            "train", "--config", directory.path("other.yaml"), "--out", directory.path("other"), "--set",
            "training.initFrom=\(directory.path("low/model.h5"))",
        ])
        #expect(reordered.status == 1)
        #expect(
            reordered.stderr.contains(
                "differs from the config in features.constituentVariables: [deta, dphi, logptrel, pt_log] in the parent "
                    + "model, [dphi, deta, logptrel, pt_log] in the config"), "\(reordered.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.path("other")))
        let checkpoint = try runJetTag(arguments: [
            "train", "--config", directory.path("low.yaml"), "--out", directory.path("again"), "--set",
            "training.initFrom=\(directory.path("low/last.h5"))",
        ])
        #expect(checkpoint.status == 1)
        #expect(checkpoint.stderr.contains("it is a checkpoint"), "\(checkpoint.stderr)")
    }
}
