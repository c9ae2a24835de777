import JetMetrics
import JetTestSupport
import Testing

@Suite struct KolmogorovSmirnovTests {
    @Test func matchesScipyNumpyAndHepML() throws {
        let reference = try MetricsReference.load().kolmogorovSmirnov
        let unweighted = try kolmogorovSmirnovDistance(reference.first, to: reference.second)
        expectClose(unweighted, reference.unweightedScipy, tolerance: DoubleTolerance.reference, "scipy ks_2samp")
        let weighted = try kolmogorovSmirnovDistance(
            reference.first, weights: reference.firstWeights, to: reference.second, weights: reference.secondWeights)
        expectClose(weighted, reference.weighted, tolerance: DoubleTolerance.reference, "weighted CDF difference")
        let symmetrized = try kolmogorovSmirnovDistance(
            reference.first, weights: reference.firstWeights, to: reference.second, weights: reference.secondWeights,
            symmetrized: true)
        expectClose(symmetrized, reference.weightedSymmetrizedHepMl, tolerance: DoubleTolerance.reference, "hep_ml")
    }

    /// A: values [1, 2], weights [2, -1] (total 1); B: values [1, 3], weights [1, 1] (total 2).
    /// At x = 1, 2, 3: F_A = [2, 1, 1], F_B = [0.5, 0.5, 1], |F_A - F_B| = [1.5, 0.5, 0], so D = 1.5
    /// (above 1 because of the negative weight). Symmetrized, F - jump/2: A [1, 1.5, 1], B [0.25, 0.5, 0.75],
    /// differences [0.75, 1, 0.25], so D = 1.
    @Test func negativeWeightsByHand() throws {
        #expect(try kolmogorovSmirnovDistance([2, 1], weights: [-1, 2], to: [3, 1], weights: [1, 1]) == 1.5)
        #expect(try kolmogorovSmirnovDistance([2, 1], weights: [-1, 2], to: [3, 1], weights: [1, 1], symmetrized: true) == 1)
    }

    @Test func identicalSamplesAreAtDistanceZero() throws {
        let values: [Float] = [0.3, -1, 2, 2, 0.3]
        #expect(try kolmogorovSmirnovDistance(values, to: values.reversed()) == 0)
        #expect(try kolmogorovSmirnovDistance(values, weights: [1, 2, 3, 4, 5], to: values, weights: [2, 4, 6, 8, 10]) == 0)
    }

    @Test func rejectsEmptySamplesAndBadWeights() {
        #expect(throws: JetMetricsError.emptyClass(name: "second sample")) {
            try kolmogorovSmirnovDistance([1], to: [])
        }
        #expect(throws: JetMetricsError.nonPositiveWeightSum(name: "first sample", sumOfWeights: -1, count: 2)) {
            try kolmogorovSmirnovDistance([1, 2], weights: [1, -2], to: [1])
        }
    }
}
