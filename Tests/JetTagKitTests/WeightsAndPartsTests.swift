import Testing

@testable import JetTagKit

/// Which weight field and which split a model is applied with.
@Suite struct WeightsAndPartsTests {
    private func config(eventWeights: Bool) throws -> RunConfig {
        try RunConfig.load(
            tree: [
                "data": [
                    "files": ["a.h5"], "classNames": ["qcd", "top"], "weightField": "w",
                    "split": ["modulus": 4, "validationFolds": [1]],
                ],
                "weights": ["eventWeights": eventWeights],
            ], file: "c.yaml")
    }

    @Test func eventWeightsFollowTheTrainingConfigUnlessGiven() throws {
        let weighted = try config(eventWeights: true)
        let unweighted = try config(eventWeights: false)
        #expect(EventWeights.asTrained.field(for: weighted) == "w")
        #expect(EventWeights.asTrained.field(for: unweighted) == nil)
        #expect(EventWeights.unit.field(for: weighted) == nil)
        #expect(EventWeights.field("mc_weight").field(for: unweighted) == "mc_weight")
    }

    @Test func partsAreTheModelsOwnSplits() throws {
        let config = try config(eventWeights: true)
        #expect(DataPart.all.split(in: config) == nil)
        #expect(DataPart.training.split(in: config) == config.data.split.splits.training)
        #expect(DataPart.validation.split(in: config) == config.data.split.splits.validation)
        #expect(DataPart.validation.split(in: config) == .eventNumber(modulus: 4, folds: [1]))
    }
}
