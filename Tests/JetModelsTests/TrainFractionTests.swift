import Testing

@testable import JetModels

/// `training.trainFraction`: the learning curve's subsets of a training split are seeded and nested.
@Suite struct TrainFractionTests {
    @Test func subsetsAreNestedSeededAndOfTheRequestedSize() {
        let fractions = [0.1, 0.25, 0.5, 1]
        let subsets = fractions.map { TrainingData.subsampleIndices(count: 1000, fraction: $0, seed: 11) }
        #expect(subsets.map(\.count) == [100, 250, 500, 1000])
        for (smaller, larger) in zip(subsets, subsets.dropFirst()) {
            #expect(Set(smaller).isSubset(of: Set(larger)), "the smaller subset lies inside the larger one")
        }
        #expect(subsets[3] == Array(0..<1000))
        #expect(subsets.allSatisfy { $0 == $0.sorted() }, "jets keep their order")
        #expect(TrainingData.subsampleIndices(count: 1000, fraction: 0.1, seed: 11) == subsets[0], "same seed, same jets")
        let other = TrainingData.subsampleIndices(count: 1000, fraction: 0.1, seed: 12)
        #expect(other != subsets[0])
        // Not the first jets: a random subset spreads over the split (about 50 of 100 in each half).
        let firstHalf = subsets[0].filter { $0 < 500 }.count
        #expect(firstHalf > 30 && firstHalf < 70, "\(firstHalf)")
        #expect(TrainingData.subsampleIndices(count: 7, fraction: 0.1, seed: 1).count == 1, "ceil(0.7) = 1")
    }

    @Test func theFractionIsCheckedWithItsKeyPath() throws {
        for bad in [0.0, 1.5] {
            let tree: [String: Any] = [
                "data": ["files": ["jets.h5"]], "features": ["constituentVariables": ["deta"]],
                "model": ["kind": "deepsets"], "training": ["trainFraction": bad],
            ]
            #expect(throws: JetModelsError.invalidValue(path: "training.trainFraction", file: "c.yaml", expected: "expected a fraction in (0, 1]")) {
                try RunConfig.load(tree: tree, file: "c.yaml")
            }
        }
    }
}
