import JetFeatures
import Testing

/// Class weighting, binning and kinematic flattening against hand calculations.
@Suite struct WeightingTests {
    @Test func classWeightsGiveEveryClassTheSameSignedSum() throws {
        // Class 0: signed sum 1 + 2 - 1 = 2 -> factor 2.5 / 2; class 1: sum 1 -> factor 2.5 (total = 5 jets / 2).
        let weights = try ClassWeighting.balanced(
            weights: [1, 2, -1, 0.5, 0.5], labels: [0, 0, 0, 1, 1], classCount: 2)
        expectClose(weights, [1.25, 2.5, -1.25, 1.25, 1.25], "balanced weights")

        let unit = try ClassWeighting.balanced(weights: [1, 2, -1, 0.5, 0.5], labels: [0, 0, 0, 1, 1], classCount: 2, total: 1)
        expectClose(unit, [0.5, 1, -0.5, 0.5, 0.5], "balanced to 1")
    }

    @Test func classWeightingRejectsNonPositiveSumsEmptyClassesAndBadLabels() throws {
        #expect(throws: JetFeaturesError.nonPositiveClassWeightSum(label: 1, sum: -0.5)) {
            try ClassWeighting.balanced(weights: [1, 0.5, -1], labels: [0, 1, 1], classCount: 2)
        }
        #expect(throws: JetFeaturesError.emptyClass(label: 2)) {
            try ClassWeighting.balanced(weights: [1, 1], labels: [0, 1], classCount: 3)
        }
        #expect(throws: JetFeaturesError.invalidLabel(row: 12, label: 5, classCount: 2)) {
            try ClassWeighting.balanced(weights: [1, 1], labels: [0, 5], classCount: 2, rows: [11, 12])
        }
        #expect(throws: JetFeaturesError.nonFiniteInput(field: "weight", row: 1, constituent: nil, value: .infinity)) {
            try ClassWeighting.balanced(weights: [1, .infinity], labels: [0, 1], classCount: 2)
        }
    }

    /// pt edges [0, 10, 20], |eta| edges [0, 1, 2]; flat bin = 2 * ptBin + etaBin.
    static let binning = KinematicBinning(axes: [
        .init(field: "pt", edges: [0, 10, 20]), .init(field: "eta", edges: [0, 1, 2], absolute: true),
    ])

    @Test func binsAreRowMajorHalfOpenWithClosedLastEdge() throws {
        let bins = try Self.binning.binIndices(
            fields: ["pt": [0, 9.99, 10, 20, 15], "eta": [-0.5, 1.0, -1.99, 2.0, 0.999]], count: 5)
        #expect(bins == [0, 1, 3, 3, 2])
        #expect(Self.binning.coordinates(ofBin: 2) == [1, 0])
        #expect(throws: JetFeaturesError.outOfBinningRange(field: "pt", row: 31, value: 25, low: 0, high: 20)) {
            try Self.binning.binIndices(fields: ["pt": [5, 25], "eta": [0, 0]], count: 2, rows: [30, 31])
        }
        var clamped = Self.binning
        clamped.outOfRange = .clamp
        #expect(try clamped.binIndices(fields: ["pt": [-3, 25], "eta": [2.5, 0]], count: 2) == [1, 2])
        let bad = KinematicBinning(axes: [.init(field: "pt", edges: [0, 10, 10])])
        #expect(throws: JetFeaturesError.self) { try bad.binIndices(fields: ["pt": [1]], count: 1) }
    }

    @Test func flatteningToTargetClassMatchesHandCalculation() throws {
        // Class 0 (pt, eta, w): (5, 0.5, 2) and (5, -0.5, -1) in bin 0, (15, 1.5, 1) and (15, -1.2, 1) in bin 3,
        //   (15, 0.5, 1) in bin 2. Signed sums 1, 0, 1, 2 over bins 0..3, total 4: density 1/4, 0, 1/4, 1/2.
        // Class 1, the target: one unit-weight jet in each of bins 1, 0, 3: density 1/3, 1/3, 0, 1/3.
        // Ratios for class 0: bin 0: (1/3)/(1/4) = 4/3, bin 3: (1/3)/(1/2) = 2/3, bin 2: 0 (target empty).
        let pt: [Float] = [5, 5, 15, 15, 15, 5, 5, 15]
        let eta: [Float] = [0.5, -0.5, 1.5, -1.2, 0.5, 1.5, 0.2, 1.9]
        let weights: [Float] = [2, -1, 1, 1, 1, 1, 1, 1]
        let labels: [Int32] = [0, 0, 0, 0, 0, 1, 1, 1]
        let bins = try Self.binning.binIndices(fields: ["pt": pt, "eta": eta], count: 8)
        #expect(bins == [0, 0, 3, 3, 2, 1, 0, 3])

        let flattened = try KinematicFlattening.weights(
            weights: weights, labels: labels, bins: bins, binning: Self.binning, classCount: 2, targetClass: 1)
        expectClose(flattened.weights, [8.0 / 3, -4.0 / 3, 2.0 / 3, 2.0 / 3, 0, 1, 1, 1], "flattened weights")
        #expect(flattened.zeroTargetBins == [2])

        // Uniform target over the 4 bins: ratio (1/4) / density; class 0 bin 0: 1, bin 3: 1/2, bin 2: 1.
        let uniform = try KinematicFlattening.weights(
            weights: weights, labels: labels, bins: bins, binning: Self.binning, classCount: 2, targetClass: nil)
        expectClose(Array(uniform.weights[0..<5]), [2, -1, 0.5, 0.5, 1], "flattened to uniform")
        #expect(uniform.zeroTargetBins.isEmpty)
    }

    @Test func populatedBinWithNonPositiveSignedSumIsAnError() throws {
        // Class 0 has +1 and -1 in bin 0 (pt < 10, |eta| < 1): the ratio is undefined there.
        #expect(throws: JetFeaturesError.nonPositiveBinSum(label: 0, bin: [0, 0], sum: 0, jets: 2)) {
            try KinematicFlattening.weights(
                weights: [1, -1, 1, 1], labels: [0, 0, 0, 1], bins: [0, 0, 3, 0], binning: Self.binning,
                classCount: 2, targetClass: 1)
        }
    }

    @Test func specAppliesFlatteningThenClassBalance() throws {
        let spec = WeightingSpec(method: .weighting, binning: Self.binning, targetClass: 1)
        let result = try spec.apply(
            labels: [0, 0, 0, 1, 1], weights: [1, 1, 1, 1, 1],
            fields: ["pt": [5, 5, 15, 5, 15], "eta": [0, 0, 0, 0, 0]], classCount: 2)
        // Class 0 density 2/3, 1/3; target 1/2, 1/2 -> ratios 3/4 and 3/2 (sum 3); then each class -> 2.5.
        #expect(result.indices == [0, 1, 2, 3, 4])
        expectClose(result.weights, [0.625, 0.625, 1.25, 1.25, 1.25], "flattened and balanced")

        let plain = try WeightingSpec(balanceClasses: false).apply(
            labels: [0, 1], weights: [3, -2], fields: [:], classCount: 2)
        #expect(plain.weights == [3, -2])
        #expect(throws: JetFeaturesError.invalidSpec("weighting method 'count' needs a binning")) {
            try WeightingSpec(method: .count).apply(labels: [0], weights: [1], fields: [:], classCount: 1)
        }
    }
}
