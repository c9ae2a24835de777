import Testing

@testable import JetModels

/// `training.trainFraction`: the learning curve's subsets of a training split are seeded and nested.
@Suite struct TrainFractionTests {
    /// The jets (file, row) that `training.trainFraction` keeps of 1000 rows of two files.
    private func kept(_ fraction: Double, seed: UInt64 = 11) throws -> [UInt64] {
        let tree: [String: Any] = [
            "data": ["files": ["jets.h5"]], "features": ["constituentVariables": ["deta"]],
            "model": ["kind": "deepsets"], "training": ["trainFraction": fraction, "seed": seed],
        ]
        let weighting = SplitWeighting(config: try RunConfig.load(tree: tree, file: "c.yaml"), part: "training")
        #expect(SplitWeighting(config: try RunConfig.load(tree: tree, file: "c.yaml"), part: "validation").fraction == 1)
        return (0..<2).flatMap { file in (0..<500).map { UInt64(file) << 40 | UInt64($0) } }.filter(weighting.keeps)
    }

    @Test func subsetsAreNestedSeededAndOfAboutTheRequestedSize() throws {
        let subsets = try [0.1, 0.25, 0.5, 1].map { try kept($0) }
        for (subset, expected) in zip(subsets, [100, 250, 500]) {
            #expect(abs(subset.count - expected) < 4 * Int(Double(expected).squareRoot()) + 1, "\(subset.count)")
        }
        #expect(subsets[3].count == 1000)
        for (smaller, larger) in zip(subsets, subsets.dropFirst()) {
            #expect(Set(smaller).isSubset(of: Set(larger)), "the smaller subset lies inside the larger one")
        }
        #expect(try kept(0.1) == subsets[0], "same seed, same jets")
        #expect(try kept(0.1, seed: 12) != subsets[0])
        // Not the first jets: a random subset spreads over both files (about 50 of 100 in each).
        let firstFile = subsets[0].filter { $0 >> 40 == 0 }.count
        #expect(firstFile > 30 && firstFile < 70, "\(firstFile)")
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
