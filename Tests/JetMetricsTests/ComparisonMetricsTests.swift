import Testing

@testable import JetMetrics

/// The metrics of `jettag compare`: binomial errors from effective counts, working points in bins (inclusive and
/// flat) and the fraction scan, on cases small enough to compute by hand.
@Suite struct ComparisonMetricsTests {
    /// Weights 2, -1, 1, 1: sum w = 3, sum w^2 = 7, N_eff = 9/7; at eps = 0.4, sigma = sqrt(0.24 * 7 / 9) =
    /// 0.432049... (python: math.sqrt(0.4 * 0.6 / (9 / 7))). A rejection 1 / 0.25 with sigma_eps 0.05 has
    /// sigma_R = 0.05 / 0.0625 = 0.8.
    @Test func binomialErrorsFromEffectiveCountsWithSignedWeights() {
        let sums = WeightSums(weights: [2, -1, 1, 1])
        #expect(abs(sums.effectiveSampleSize - 9.0 / 7) < 1e-15)
        #expect(abs(BinomialUncertainty.efficiencyError(0.4, total: sums) - 0.43204937989385733) < 1e-15)
        #expect(abs(BinomialUncertainty.efficiencyError(0.5, effectiveCount: 100) - 0.05) < 1e-15)
        #expect(BinomialUncertainty.efficiencyError(1.2, effectiveCount: 10) == 0, "eps (1 - eps) < 0 counts as 0")
        #expect(BinomialUncertainty.efficiencyError(0.5, effectiveCount: 0) == .infinity)
        #expect(abs(BinomialUncertainty.rejectionError(efficiency: 0.25, efficiencyError: 0.05) - 0.8) < 1e-15)
        #expect(BinomialUncertainty.rejectionError(efficiency: 0, efficiencyError: 0.1) == .infinity)
    }

    /// Bin [0, 1): signal 0.9, 0.5, background 0.6, 0.1; bin [1, 2): signal 0.7, 0.3, background 0.55, 0.2; one
    /// background jet at 0.05 outside the bins. The inclusive 75% cut is 0.5 (the third signal jet from the top),
    /// passing both signal jets of bin 0 and one of bin 1: eps_S 1 and 0.5, eps_B 0.5 in each bin. Flat: each bin's
    /// own ROC at 75% interpolates half-way between its points (0.5, 0.5) and (1, 0.5): eps_S 0.75, eps_B 0.5, cuts
    /// 0.55 and 0.425; errors sqrt(0.75 * 0.25 / 2) = 0.306186, sigma_R = sqrt(0.25 / 2) / 0.25 = 1.414214.
    @Test func inclusiveAndFlatWorkingPointsInBins() throws {
        let scores: [Float] = [0.9, 0.5, 0.6, 0.1, 0.7, 0.3, 0.55, 0.2, 0.05]
        let labels = [1, 1, 0, 0, 1, 1, 0, 0, 0]
        let variable: [Float] = [0.5, 0.5, 0.5, 0.5, 1.5, 1.5, 1.5, 1.5, 5]
        func binned(_ mode: WorkingPointMode) throws -> BinnedWorkingPoint {
            try BinnedWorkingPoint(
                scores: scores, labels: labels, signalClass: 1, variable: variable, edges: [0, 1, 2], signalEfficiency: 0.75,
                mode: mode)
        }
        let inclusive = try binned(.inclusive)
        #expect(inclusive.bins.map(\.threshold) == [0.5, 0.5])
        #expect(inclusive.bins.map(\.signalEfficiency) == [1, 0.5])
        #expect(inclusive.bins.map(\.backgroundEfficiency) == [0.5, 0.5])
        #expect(inclusive.bins.map(\.backgroundRejection) == [2, 2])
        #expect(inclusive.bins.map(\.background.count) == [2, 2], "the jet outside the edges is in no bin")

        let flat = try binned(.flat)
        #expect(flat.bins.map(\.signalEfficiency) == [0.75, 0.75])
        #expect(flat.bins.map(\.backgroundEfficiency) == [0.5, 0.5])
        #expect(zip(flat.bins.map(\.threshold), [0.55, 0.425]).allSatisfy { abs($0 - $1) < 1e-6 })
        for bin in flat.bins {
            #expect(abs(bin.signalEfficiencyError - 0.30618621784789724) < 1e-12)
            #expect(abs(bin.backgroundRejectionError - 1.4142135623730951) < 1e-12)
        }
    }

    @Test func flatCutsGiveTheTargetInEveryBinWhereInclusiveOnesDoNot() throws {
        // Signal scores grow with the variable, so one inclusive cut passes more signal in the high bins.
        var scores: [Float] = []
        var labels: [Int] = []
        var variable: [Float] = []
        for i in 0..<400 {
            let x = Float((i / 2) % 4)
            let noise = Float((i * 7919) % 100) / 100
            labels.append(i % 2)
            variable.append(x + 0.5)
            scores.append(i % 2 == 1 ? 0.2 * x + noise : noise * 0.8)
        }
        for target in [0.5, 0.7, 0.77] {
            let flat = try BinnedWorkingPoint(
                scores: scores, labels: labels, signalClass: 1, variable: variable, edges: [0, 1, 2, 3, 4],
                signalEfficiency: target, mode: .flat)
            #expect(flat.bins.allSatisfy { abs($0.signalEfficiency - target) < 1e-12 })
            let inclusive = try BinnedWorkingPoint(
                scores: scores, labels: labels, signalClass: 1, variable: variable, edges: [0, 1, 2, 3, 4],
                signalEfficiency: target, mode: .inclusive)
            let efficiencies = inclusive.bins.map(\.signalEfficiency)
            #expect(efficiencies == efficiencies.sorted() && efficiencies.last! - efficiencies.first! > 0.2, "\(efficiencies)")
            // The signal-weighted mean over the bins is the inclusive efficiency at that cut: the target up to the
            // signal jets tied at the cut (the scores take 100 levels per bin, so a few jets share each).
            let mean = zip(efficiencies, inclusive.bins.map(\.signal.sumWeights)).reduce(0) { $0 + $1.0 * $1.1 } / 200
            #expect(abs(mean - target) <= 4.0 / 200, "\(mean)")
        }
    }

    @Test func binnedWorkingPointRejectsBadEdgesAndTargets() {
        #expect(throws: JetMetricsError.self) {
            try BinnedWorkingPoint(scores: [0.1, 0.9], labels: [0, 1], signalClass: 1, variable: [1, 2], edges: [2, 1],
                                   signalEfficiency: 0.5, mode: .flat)
        }
        #expect(throws: JetMetricsError.self) {
            try BinnedWorkingPoint(scores: [0.1, 0.9], labels: [0, 1], signalClass: 1, variable: [1], edges: [0, 3],
                                   signalEfficiency: 0.5, mode: .flat)
        }
        #expect(throws: JetMetricsError.self) {
            try BinnedWorkingPoint(scores: [0.1, 0.9], labels: [0, 1], signalClass: 1, variable: [1, 2], edges: [0, 3],
                                   signalEfficiency: 0, mode: .inclusive)
        }
    }

    /// Four classes (u, c, tau, b = signal): scanning c against u leaves tau's fraction alone and shares the rest;
    /// every point is the working point of the discriminant with those fractions, against c and u on their own.
    @Test func fractionScanVariesTwoFractionsAndKeepsTheOthers() throws {
        var probabilities: [Float] = []
        var labels: [Int] = []
        for i in 0..<200 {
            let label = i % 4
            var p: [Float] = (0..<4).map { Float(((i + 3) * ($0 + 5) * 37) % 97 + 1) }
            p[label] += 60
            let sum = p.reduce(0, +)
            probabilities += p.map { $0 / sum }
            labels.append(label)
        }
        let base = try TaggingDiscriminant(signalClass: 3, backgroundFractions: [(0, 0.5), (1, 0.3), (2, 0.2)])
        let scan = try FractionScan(
            probabilities: probabilities, classCount: 4, labels: labels, base: base, first: 1, second: 0,
            fractions: [0, 0.25, 1], signalEfficiency: 0.7)
        #expect(scan.points.map(\.fraction) == [0, 0.25, 1])
        for point in scan.points {
            let direct = try TaggingDiscriminant(
                signalClass: 3, backgroundFractions: [(0, (1 - point.fraction) * 0.8), (1, point.fraction * 0.8), (2, 0.2)])
            let scores = try direct.evaluate(probabilities: probabilities, classCount: 4)
            for (background, found) in [(1, point.first), (0, point.second)] {
                let expected = try ROCCurve(scores: scores, labels: labels, signalClass: 3, backgroundClasses: [background])
                    .workingPoint(signalEfficiency: 0.7)
                #expect(found == expected)
            }
        }
        #expect(throws: JetMetricsError.self) {
            try FractionScan(probabilities: probabilities, classCount: 4, labels: labels, base: base, first: 3, second: 0,
                             signalEfficiency: 0.7)
        }
    }
}
