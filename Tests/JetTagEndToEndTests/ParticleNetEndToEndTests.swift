import Foundation
import JetTestSupport
import Testing

/// `model.kind: particlenet` through the command line: k-fold training, predict, evaluate, saliency and the report.
@Suite struct ParticleNetEndToEndTests {
    @Test func kFoldTrainPredictEvaluateSaliencyAndReport() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let jets = directory.path("jets.h5")
        try SyntheticJetFile.write(to: jets, count: 480, seed: 21)
        try writeSmallRunConfig(to: directory.path("run.yaml"), file: jets)
        // The small config's model is a Deep Sets: --set switches it (the other section stays, unused).
        let run = directory.path("run")
        let train = try runJetTag(arguments: [
            "train", "--config", directory.path("run.yaml"), "--out", run, "--set", "model.kind=particlenet",
            "--set", "model.particlenet.k=4", "--set", "model.particlenet.blocks=[[8, 8], [12]]",
            "--set", "model.particlenet.headLayers=[8]", "--set", "training.kfold=3",
        ])
        #expect(train.status == 0, "\(train.stderr)")
        #expect(train.stderr.contains("wrote \(run)/report.html"), "\(train.stderr)")

        let predict = try runJetTag(arguments: ["predict", "--model", "\(run)/model.h5", jets, "--out", directory.path("s.h5")])
        #expect(predict.status == 0, "\(predict.stderr)")
        let evaluate = try runJetTag(arguments: ["evaluate", "--model", "\(run)/model.h5", jets, "--out", "\(run)/eval"])
        #expect(evaluate.status == 0, "\(evaluate.stderr)")
        let metrics = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: "\(run)/eval/metrics.json"))) as! [String: Any]
        // The synthetic classes are separable: even two epochs of a small ParticleNet see it.
        let auc = try #require((metrics["roc"] as? [String: Any])?["auc"] as? Double)
        #expect(auc > 0.7, "AUC \(auc)")
        #expect(metrics["tagger"] as? String == "particlenet")

        let saliency = try runJetTag(arguments: [
            "saliency", "--model", "\(run)/model.h5", jets, "--out", "\(run)/saliency", "--max-jets", "32",
            "--ig-steps", "4",
        ])
        #expect(saliency.status == 0, "\(saliency.stderr)")
        #expect(saliency.stdout.contains("completeness error"))
        let report = try runJetTag(arguments: ["report", run])
        #expect(report.status == 0, "\(report.stderr)")
    }
}
