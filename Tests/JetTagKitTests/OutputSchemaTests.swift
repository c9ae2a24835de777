@testable import JetModels
import JetTagKit
import Testing

/// The fields and attributes of `predict` and `reweight apply` outputs.
@Suite struct OutputSchemaTests {
    @Test func aSingleModelWritesOneProbabilityPerClass() {
        let schema = ScoreSchema(tagger: "pfn", classNames: ["qcd", "top"], hasSpread: false)
        #expect(schema.fields == ["pfn_pqcd", "pfn_ptop"])
        let scores = JetScorer.Scores(count: 2, classes: 2, probabilities: [0.9, 0.1, 0.3, 0.7], spread: nil)
        #expect(schema.values(scores) == ["pfn_pqcd": [0.9, 0.3], "pfn_ptop": [0.1, 0.7]])
        #expect(
            schema.attributes(
                model: "run/model.h5", inputs: ["a.h5", "b.h5"],
                rows: OutputRows(shard: Shard(index: 2, count: 3), rows: 128..<192, inputRows: 200)) == [
                "kind": "scores", "model": "run/model.h5", "tagger": "pfn", "class_names": "qcd,top",
                "inputs": "a.h5,b.h5", "shard": "2/3", "rows": "128:192", "input_rows": "200",
            ])
    }

    @Test func anEnsembleAddsTheSpreadAfterTheProbabilities() {
        let schema = ScoreSchema(tagger: "deepsets", classNames: ["b", "c", "light"], hasSpread: true)
        #expect(
            schema.fields == [
                "deepsets_pb", "deepsets_pc", "deepsets_plight", "deepsets_pb_std", "deepsets_pc_std",
                "deepsets_plight_std",
            ])
        let scores = JetScorer.Scores(
            count: 1, classes: 3, probabilities: [0.5, 0.3, 0.2], spread: [0.05, 0.03, 0.02])
        let values = schema.values(scores)
        #expect(values.keys.sorted() == schema.fields.sorted())
        #expect(values["deepsets_pc"] == [0.3] && values["deepsets_pc_std"] == [0.03])
    }

    @Test func reweightedOutputsHoldTheWeightAndTheClassifierOutput() {
        #expect(WeightSchema().fields == ["weight", "classifier_output"])
        #expect(WeightSchema().values(weights: [1.5], classifierOutputs: [0.6]) == ["weight": [1.5], "classifier_output": [0.6]])
        #expect(
            WeightSchema().attributes(
                model: "m.h5", inputs: ["a.h5"], rows: OutputRows(shard: Shard(index: 1, count: 4), rows: 64..<128, inputRows: 256))
                == [
                    "kind": "weights", "model": "m.h5", "inputs": "a.h5", "shard": "1/4", "rows": "64:128",
                    "input_rows": "256",
                ])
    }

    @Test func weightVariationsFollowTheNominalFields() {
        let schema = WeightSchema(variations: 2, variationKind: "bootstrap")
        #expect(schema.fields == ["weight", "classifier_output", "weight_var0", "weight_var1"])
        #expect(
            schema.values(weights: [1.5], classifierOutputs: [0.6], variations: [[1.4], [1.7]])
                == ["weight": [1.5], "classifier_output": [0.6], "weight_var0": [1.4], "weight_var1": [1.7]])
        let attributes = schema.attributes(model: "m.h5", inputs: ["a.h5"], rows: OutputRows(shard: .whole, rows: 0..<4, inputRows: 4))
        #expect(attributes["variations"] == "2" && attributes["variation_kind"] == "bootstrap")
    }
}
