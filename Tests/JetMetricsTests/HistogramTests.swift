import JetMetrics
import JetTestSupport
import Testing

@Suite struct HistogramTests {
    @Test func weightedFillMatchesNumpy() throws {
        let reference = try MetricsReference.load().histograms
        var uniform = try Histogram(binCount: 12, lowerEdge: -3, upperEdge: 3)
        var variable = try Histogram(edges: reference.variable.edges)
        expectClose(uniform.edges, reference.uniform.edges, "uniform edges")
        for (histogram, expected, name) in [(uniform, reference.uniform, "uniform"), (variable, reference.variable, "variable")] {
            var filled = histogram
            try filled.fill(reference.values, weights: reference.weights)
            expectClose(filled.sumWeights, expected.sumWeights, tolerance: DoubleTolerance.reference, "\(name) sum w")
            expectClose(filled.sumWeightsSquared, expected.sumWeightsSquared, tolerance: DoubleTolerance.reference,
                        "\(name) sum w^2")
            expectClose(filled.underflow.sumWeights, expected.underflow, tolerance: DoubleTolerance.reference, "\(name) underflow")
            expectClose(filled.overflow.sumWeights, expected.overflow, tolerance: DoubleTolerance.reference, "\(name) overflow")
            #expect(filled.entries + filled.underflow.count + filled.overflow.count == reference.values.count)
            if name == "uniform" { uniform = filled } else { variable = filled }
        }
        #expect(uniform.warnings.isEmpty)
        let shape = try uniform.normalized()
        expectClose(shape.sumWeights.reduce(0, +), 1, "normalised sum")
        expectClose(shape.errors[3], uniform.errors[3] / uniform.inRange.sumWeights, "normalised error")
    }

    @Test func edgesUnderflowOverflowAndNaN() throws {
        var histogram = try Histogram(edges: [0, 1, 2])
        for value in [-0.5, 0, 0.999, 1, 2, 2.0001, .nan, .infinity] { histogram.fill(value, weight: 2) }
        // [0, 1) holds 0 and 0.999; [1, 2] holds 1 and the upper edge 2 (numpy's closed last bin).
        #expect(histogram.sumWeights == [4, 4])
        #expect(histogram.sumWeightsSquared == [8, 8])
        #expect(histogram.underflow == WeightSums(count: 1, sumWeights: 2, sumWeightsSquared: 4))
        #expect(histogram.overflow == WeightSums(count: 2, sumWeights: 4, sumWeightsSquared: 8))
        #expect(histogram.nanCount == 1)
        #expect(histogram.entries == 4)
    }

    @Test func equalAndUnequalEdgesBinLikeALinearScan() throws {
        var generator = SplitMix64(seed: 3)
        let equal = (0...10).map { -1 + 0.2 * Double($0) }
        let unequal = equal.enumerated().map { $0.offset == 5 ? $0.element + 0.05 : $0.element }
        for edges in [equal, unequal] {
            // Random values plus every edge itself, where the bin guess from the width is most fragile.
            let values = (0..<5000).map { _ in generator.nextUnit() * 2.4 - 1.2 } + edges
            var histogram = try Histogram(edges: edges)
            for value in values { histogram.fill(value) }
            var expected = [Double](repeating: 0, count: edges.count - 1)
            for value in values where value >= edges[0] && value <= edges[edges.count - 1] {
                let bin = value == edges[edges.count - 1] ? edges.count - 2 : edges.lastIndex { $0 <= value }!
                expected[bin] += 1
            }
            #expect(histogram.sumWeights == expected)
        }
    }

    @Test func negativeBinsAreReportedNotClipped() throws {
        var histogram = try Histogram(edges: [0, 1, 2, 3])
        try histogram.fill([0.5, 0.5, 1.5, 2.5, 2.5], weights: [1, -3, 2, -1, 0.5])
        #expect(histogram.sumWeights == [-2, 2, -0.5])
        #expect(histogram.sumWeightsSquared == [10, 4, 1.25])
        #expect(histogram.warnings == [MetricWarning(
            code: MetricWarning.negativeBinWeight,
            message: "2 of 3 bins have a negative weight sum: [0.0, 1.0): -2.0; [2.0, 3.0): -0.5")])
    }

    /// a = [1 + 1, 2 + 2] = [2, 4] (sum w^2 [2, 8]), b = [2 + 2, 1 + 1] = [4, 2] (sum w^2 [8, 2]):
    /// r = [0.5, 2], sigma_r = sqrt(sigma_a^2/b^2 + r^2 sigma_b^2/b^2) = [sqrt(2/16 + .25 8/16), sqrt(8/4 + 4 2/4)]
    /// = [0.5, 2]; the empty denominator bin gives NaN.
    @Test func ratioWithErrorsByHand() throws {
        var a = try Histogram(edges: [0, 1, 2, 3])
        var b = a
        try a.fill([0.5, 1.5, 1.5], weights: [1, 2, 2])
        a.fill(0.5, weight: 1)
        try b.fill([0.5, 0.5, 1.5], weights: [2, 2, 1])
        b.fill(1.5, weight: 1)
        let ratio = try a.ratio(to: b)
        expectClose(Array(ratio.ratio.prefix(2)), [0.5, 2], "ratio")
        expectClose(Array(ratio.error.prefix(2)), [0.5, 2], "ratio error")
        #expect(ratio.ratio[2].isNaN && ratio.error[2].isNaN)
    }

    /// A: unit-weight counts [1, 2, 1, 0], B: [0, 2, 2, 0]; shapes p = [.25, .5, .25], q = [0, .5, .5],
    /// variances sumw2/N^2: p [1/16, 2/16, 1/16], q [0, 2/16, 2/16]. Bin 0: .25^2 / (1/16) = 1; bin 1: 0;
    /// bin 2: .25^2 / (3/16) = 1/3; bin 3 is empty in both and skipped. chi2 = 4/3, ndf = 3 - 1 = 2.
    @Test func chiSquareOfShiftedAndIdenticalHistograms() throws {
        var a = try Histogram(edges: [0, 1, 2, 3, 4])
        var b = a
        try a.fill([0.5, 1.5, 1.5, 2.5])
        try b.fill([1.5, 1.5, 2.5, 2.5])
        let shifted = try a.chiSquare(comparedTo: b)
        expectClose(shifted.chi2, 4.0 / 3, "chi2")
        #expect(shifted.ndf == 2 && shifted.comparedBins == 3 && shifted.skippedBins == 1)
        expectClose(shifted.chi2PerNdf, 2.0 / 3, "chi2/ndf")

        // Same shape, different normalisation and weights: chi2 is exactly 0.
        var scaled = try Histogram(edges: [0, 1, 2, 3, 4])
        try scaled.fill([0.5, 1.5, 2.5], weights: [3, 6, 3])
        let identical = try a.chiSquare(comparedTo: scaled)
        #expect(identical.chi2 == 0)
        #expect(identical.ndf == 2)
    }

    @Test func addingBatchesEqualsOneFill() throws {
        let values: [Float] = [0.1, 0.7, 1.2, 5, -1, 0.3]
        let weights: [Float] = [1, -0.5, 2, 1, 1, 0.25]
        var whole = try Histogram(binCount: 4, lowerEdge: 0, upperEdge: 2)
        try whole.fill(values, weights: weights)
        var first = try Histogram(binCount: 4, lowerEdge: 0, upperEdge: 2)
        var second = first
        try first.fill(Array(values[..<3]), weights: Array(weights[..<3]))
        try second.fill(Array(values[3...]), weights: Array(weights[3...]))
        try first.add(second)
        #expect(first == whole)
    }

    @Test func rejectsBadEdgesAndMismatchedBinnings() throws {
        #expect(throws: JetMetricsError.invalidArgument(
            name: "histogram edges[2]", value: "1.0", expected: "finite and above the previous edge")) {
            try Histogram(edges: [0, 1, 1])
        }
        #expect(throws: JetMetricsError.self) { try Histogram(edges: [0]) }
        let a = try Histogram(edges: [0, 1, 2])
        let b = try Histogram(edges: [0, 2])
        #expect(throws: JetMetricsError.binningMismatch(leftEdges: 3, rightEdges: 2)) { try a.chiSquare(comparedTo: b) }
        #expect(throws: JetMetricsError.nonPositiveWeightSum(name: "histogram", sumOfWeights: 0, count: 2)) {
            try a.normalized()
        }
    }

    @Test func perClassHistogramsSplitJetsByLabel() throws {
        let histograms = try Histogram.perClass(
            [0.1, 0.6, 0.7, 0.2], labels: [0, 1, 1, 0], weights: [2, 1, -0.5, 1], classCount: 3, binCount: 2,
            lowerEdge: 0, upperEdge: 1)
        #expect(histograms.map(\.sumWeights) == [[3, 0], [0, 0.5], [0, 0]])
        #expect(throws: JetMetricsError.classOutOfRange(array: "labels", index: 1, value: 3, classCount: 3)) {
            try Histogram.perClass(
                [0.1, 0.2], labels: [0, 3], weights: [1, 1], classCount: 3, binCount: 2, lowerEdge: 0, upperEdge: 1)
        }
    }
}
