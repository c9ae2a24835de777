@testable import JetFeatures
import JetModels
import JetNN
import Testing

@Suite struct PackedJetsTests {
    /// The extractor's packed output becomes a batch with its rows, offsets and jet features; without jet features
    /// there is no jet-feature matrix.
    @Test func aPackedFeatureBatchBecomesABatchWithItsRowsAndJetFeatures() {
        let jets = PackedJets(features([2, 0, 3]))
        #expect(jets.offsets.offsets == [0, 2, 2, 5])
        #expect(jets.constituents == Matrix(rows: 5, columns: 2, storage: rows(jets: [0, 2], multiplicities: [2, 3])))
        #expect(jets.jetFeatures == Matrix(rows: 3, columns: 1, storage: [0, 1, 2]))
        #expect(PackedJets(features([1], jetFeatures: 0)).jetFeatures == nil)
        #expect(PackedJets(featureCount: 2, jetFeatureCount: 0).jetFeatures == nil)
    }

    /// Batches appended to an empty set equal the jets packed at once; gathering by indices (in any order, with
    /// repeats) or by a range takes each jet's rows and jet features.
    @Test func appendingAndGatheringKeepEachJetsRows() {
        var jets = PackedJets(featureCount: 2, jetFeatureCount: 1)
        jets.append(contentsOf: PackedJets(features([2, 0])))
        jets.append(contentsOf: PackedJets(features([3, 1], firstJet: 2)))
        #expect(jets == PackedJets(features([2, 0, 3, 1])))
        let gathered = jets.jets(at: [2, 1, 0, 2])
        #expect(gathered.offsets.offsets == [0, 3, 3, 5, 8])
        #expect(gathered.constituents.storage == rows(jets: [2, 0, 2], multiplicities: [3, 2, 3]))
        #expect(gathered.jetFeatures?.storage == [2, 1, 0, 2])
        #expect(jets.jets(at: 1..<3) == jets.jets(1..<3))
        #expect(jets.jets(at: []).jetCount == 0 && jets.jets(at: []).constituents.rows == 0)
    }

    /// Labels, weights, event numbers and fields stay with their jets through appends and subsets.
    @Test func jetSetColumnsStayAlignedWithTheJets() {
        var set = JetSet(featureCount: 2, jetFeatureCount: 1)
        set.append(features([2, 0]), labels: [1, 0], weights: [0.5, -1], eventNumbers: [-7, 8], fields: ["pt": [10, 20]])
        set.append(
            features([3], firstJet: 2), labels: [1], weights: [2], eventNumbers: [9], fields: ["pt": [30]])
        var twice = set
        twice.append(contentsOf: set.subset([2, 0], weights: [4, 5]))
        #expect(twice.count == 5 && twice.inputs.jetCount == 5)
        #expect(twice.labels == [1, 0, 1, 1, 1] && twice.weights == [0.5, -1, 2, 4, 5])
        #expect(twice.eventNumbers == [-7, 8, 9, 9, -7] && twice.fields == ["pt": [10, 20, 30, 30, 10]])
        #expect(twice.batch([3, 4]) == set.batch([2, 0]))
        #expect(twice.batch([3, 4]).constituents.storage == rows(jets: [2, 0], multiplicities: [3, 2]))
    }

    /// An emptied set (how a stream reuses a finished round) holds no jets, keeps its arrays' storage, and refilled
    /// equals a set filled from scratch.
    @Test func anEmptiedSetKeepsItsStorageAndRefillsLikeANewOne() {
        var set = JetSet(featureCount: 2, jetFeatureCount: 1)
        set.append(features([2, 0, 3]), labels: [1, 0, 1], weights: [1, 2, 3], eventNumbers: [4, 5, 6], fields: ["pt": [1, 2, 3]])
        let capacities = (set.inputs.constituents.storage.capacity, set.inputs.offsets.offsets.capacity, set.labels.capacity)
        set.removeAll()
        #expect(set.count == 0 && set.inputs.constituents.rows == 0 && set.inputs.jetFeatures?.rows == 0)
        #expect(set.labels.isEmpty && set.weights.isEmpty && set.eventNumbers.isEmpty && set.fields == ["pt": []])
        #expect(set.inputs.constituents.storage.capacity == capacities.0)
        #expect(set.inputs.offsets.offsets.capacity == capacities.1 && set.labels.capacity == capacities.2)
        set.append(features([1], firstJet: 7), labels: [0], weights: [9], eventNumbers: [8], fields: ["pt": [7]])
        var fresh = JetSet(featureCount: 2, jetFeatureCount: 1)
        fresh.append(features([1], firstJet: 7), labels: [0], weights: [9], eventNumbers: [8], fields: ["pt": [7]])
        #expect(set.inputs == fresh.inputs && set.labels == fresh.labels && set.weights == fresh.weights)
        #expect(set.eventNumbers == fresh.eventNumbers && set.fields == fresh.fields)
    }
}

/// Jets `firstJet`, `firstJet + 1`, ... with the given multiplicities, packed as the feature extractor gives them:
/// feature f of constituent s of jet b is 100 b + 10 s + f; the jet features of jet b are b, b + 0.1, ...
private func features(_ multiplicities: [Int], jetFeatures: Int = 1, firstJet: Int = 0) -> PackedFeatureBatch {
    PackedFeatureBatch(
        constituentFeatureCount: 2, jetFeatureCount: jetFeatures,
        offsets: multiplicities.reduce(into: [0]) { $0.append($0.last! + $1) },
        constituentFeatures: rows(jets: multiplicities.indices.map { firstJet + $0 }, multiplicities: multiplicities),
        jetFeatures: multiplicities.indices.flatMap { position in
            (0..<jetFeatures).map { Float(firstJet + position) + Float($0) / 10 }
        })
}

/// The packed [N, 2] rows the jets `jets` (as numbered by ``features(_:jetFeatures:firstJet:)``) with these
/// multiplicities hold, row-major.
private func rows(jets: [Int], multiplicities: [Int]) -> [Float] {
    zip(jets, multiplicities).flatMap { jet, multiplicity in
        (0..<multiplicity).flatMap { slot in (0..<2).map { Float(100 * jet + 10 * slot + $0) } }
    }
}
