import Foundation
import JetTestSupport
import Testing

@testable import JetData

/// `jettag train` with the particle-ID flags and new variables on the shipped sample, and `jettag predict`
/// recomputing them from the model file's feature spec alone.
@Suite struct ParticleIDEndToEndTests {
    @Test func trainAndPredictWithParticleIDAndNewVariables() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let config = """
            data:
              files: [\(shippedSample)]
              maxJets: 1200
              split: {validationFraction: 0.25, seed: 3}
            features:
              maxConstituents: 48
              newVariables: {ptrel: "pt / jet.pt", charged_ptrel: "(charge != 0) * ptrel", log_m_pt: "log(mass / pt)"}
              constituentVariables: [deta, dphi, {name: charge, standardize: false}, isChargedHadron, isNeutralHadron,
                                     isPhoton, isElectron, isMuon, charged_ptrel]
              jetVariables: [log_m_pt]
            model:
              deepsets: {constituentLayers: [16, 16], headLayers: [16]}
            training: {batchSize: 64, epochs: 3, learningRate: 0.005}
            """
        try config.write(toFile: directory.path("run.yaml"), atomically: true, encoding: .utf8)
        let train = try runJetTag(arguments: [
            "train", "--config", directory.path("run.yaml"), "--out", directory.path("run"), "--no-report",
        ])
        #expect(train.status == 0, "\(train.stderr)")

        let model = directory.path("run/model.h5")
        let stored = try #require(try HDF5File(readingAt: model).stringAttribute("features")?.joined())
        let features = try #require(try JSONSerialization.jsonObject(with: Data(stored.utf8)) as? [String: Any])
        #expect(features["newVariables"] as? [String: String]
            == ["ptrel": "pt / jet.pt", "charged_ptrel": "(charge != 0) * ptrel", "log_m_pt": "log(mass / pt)"])
        let variables = try #require(features["constituentVariables"] as? [[String: Any]])
        for variable in variables where ["charge", "isPhoton", "isMuon"].contains(variable["name"] as? String) {
            #expect(variable["subtractBy"] as? Double == 0 && variable["multiplyBy"] as? Double == 1, "\(variable)")
        }

        let predict = try runJetTag(arguments: [
            "predict", "--model", model, shippedSample, "--out", directory.path("scores.h5"),
        ])
        #expect(predict.status == 0, "\(predict.stderr)")
        let scores = try HDF5File(readingAt: directory.path("scores.h5")).dataset("jets")
        let top = try scores.readFields(rows: 0..<scores.rowCount, [try scores.extraction("deepsets_ptop")]).floats[0]
        let labels = try HDF5File(readingAt: shippedSample).dataset("jets")
        let label = try labels.readFields(rows: 0..<labels.rowCount, [try labels.extraction("label")]).floats[0]
        #expect(top.count == 7400 && top.allSatisfy(\.isFinite))
        // The features predict recomputes are the ones the model learnt on: top jets score higher on average.
        let meanTop = zip(top, label).filter { $0.1 == 1 }.map(\.0).reduce(0, +) / 3700
        let meanQCD = zip(top, label).filter { $0.1 == 0 }.map(\.0).reduce(0, +) / 3700
        #expect(meanTop > meanQCD + 0.2, "mean p(top): \(meanTop) top jets, \(meanQCD) QCD jets")

        try config.replacingOccurrences(of: "pt / jet.pt", with: "pt / jet.ptt")
            .write(toFile: directory.path("bad.yaml"), atomically: true, encoding: .utf8)
        let bad = try runJetTag(arguments: ["train", "--config", directory.path("bad.yaml"), "--out", directory.path("bad")])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains(
            "new variable 'ptrel' = 'pt / jet.ptt': unknown field 'jet.ptt' at position 5 in \(shippedSample)"), "\(bad.stderr)")
    }
}
