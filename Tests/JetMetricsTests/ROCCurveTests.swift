import JetTestSupport
import Testing
@testable import JetMetrics

@Suite struct ROCCurveTests {
    @Test func matchesScikitLearnWithWeightsAndTies() throws {
        let reference = try MetricsReference.load().binary
        let roc = try ROCCurve(scores: reference.scores, isSignal: reference.isSignal, weights: reference.weights)
        expectClose(roc.thresholds, reference.thresholds, "thresholds")
        expectClose(roc.signalEfficiency, reference.tpr, tolerance: DoubleTolerance.reference, "tpr")
        expectClose(roc.backgroundEfficiency, reference.fpr, tolerance: DoubleTolerance.reference, "fpr")
        expectClose(roc.auc, reference.rocAuc, tolerance: DoubleTolerance.reference, "auc")
        #expect(roc.warnings.isEmpty)
        #expect(roc.count < reference.scores.count, "the fixture has ties, so fewer thresholds than jets")
    }

    @Test func classVersusRestAndVersusOneClassMatchScikitLearn() throws {
        let reference = try MetricsReference.load().multiclass
        let classOneScores = stride(from: 1, to: reference.probabilities.count, by: 3).map { reference.probabilities[$0] }
        let versusRest = try ROCCurve(
            scores: classOneScores, labels: reference.labels, signalClass: 1, weights: reference.weights)
        expectClose(versusRest.auc, reference.rocAuc1VsRest, tolerance: DoubleTolerance.reference, "1 vs rest")
        let versusZero = try ROCCurve(
            scores: classOneScores, labels: reference.labels, signalClass: 1, backgroundClasses: [0],
            weights: reference.weights)
        expectClose(versusZero.auc, reference.rocAuc1Vs0, tolerance: DoubleTolerance.reference, "1 vs 0")
        #expect(versusZero.background.count == reference.labels.filter { $0 == 0 }.count)
    }

    /// Six jets with signed weights, ties at 0.7:
    ///
    ///     score  class  weight        threshold  cum S  cum B   eps_S  eps_B
    ///     0.9    S       3            +inf       0      0       0      0
    ///     0.8    B      -1            0.9        3      0       1.2    0
    ///     0.7    S      -1            0.8        3     -1       1.2   -0.5
    ///     0.7    B       2            0.7        2      1       0.8    0.5
    ///     0.4    S       0.5          0.4        2.5    1       1      0.5
    ///     0.2    B       1            0.2        2.5    2       1      1
    ///
    /// Totals S = 3 - 1 + 0.5 = 2.5, B = -1 + 2 + 1 = 2.
    /// AUC = 0 + (-0.5)(1.2 + 1.2)/2 + (1.0)(1.2 + 0.8)/2 + 0 + (0.5)(1 + 1)/2 = -0.6 + 1.0 + 0.5 = 0.9,
    /// and the weighted Mann-Whitney sum agrees: [3(-1) + 3(2) + 3(1)] + [(-1)(2)/2 + (-1)(1)] + [0.5(1)]
    /// = 6 - 2 + 0.5 = 4.5, divided by S B = 5 gives 0.9.
    @Test func negativeWeightsByHand() throws {
        let roc = try ROCCurve(
            scores: [0.9, 0.8, 0.7, 0.7, 0.4, 0.2], isSignal: [true, false, true, false, true, false],
            weights: [3, -1, -1, 2, 0.5, 1])
        expectClose(roc.thresholds, [.infinity, 0.9, 0.8, 0.7, 0.4, 0.2].map { Double(Float($0)) }, "thresholds")
        expectClose(roc.signalEfficiency, [0, 1.2, 1.2, 0.8, 1, 1], "eps_S")
        expectClose(roc.backgroundEfficiency, [0, 0, -0.5, 0.5, 0.5, 1], "eps_B")
        expectClose(roc.auc, 0.9, "auc")
        #expect(roc.signal == WeightSums(count: 3, sumWeights: 2.5, sumWeightsSquared: 9 + 1 + 0.25))
        #expect(roc.background == WeightSums(count: 3, sumWeights: 2, sumWeightsSquared: 1 + 4 + 1))
        #expect(roc.warnings.map(\.code) == [MetricWarning.efficiencyAboveOne, MetricWarning.negativeCumulativeWeight])
        #expect(roc.warnings[0].message.contains("signal efficiency exceeds 1 at 2 of 6 thresholds"))
        #expect(roc.warnings[1].message.contains("cumulative background weight is negative at 1 of 6 thresholds"))
        // eps_S = 0.5 lies between +inf (0) and 0.9 (1.2); no background passes there.
        let point = try roc.workingPoint(signalEfficiency: 0.5)
        #expect(point.backgroundEfficiency == 0)
        #expect(point.backgroundRejection == .infinity)
        #expect(point.backgroundRejectionError == .infinity)
        expectClose(point.threshold, Double(Float(0.9)), "threshold")
    }

    /// Unit weights: signal 0.9, 0.6, 0.6, 0.2; background 0.8, 0.6, 0.3, 0.1.
    ///
    ///     threshold  +inf  0.9   0.8   0.6   0.3   0.2   0.1
    ///     eps_S      0     .25   .25   .75   .75   1     1
    ///     eps_B      0     0     .25   .5    .75   .75   1
    ///
    /// AUC = .25(.25+.25)/2 + .25(.25+.75)/2 + .25(.75+.75)/2 + .25(1+1)/2 = .0625+.125+.1875+.25 = .625
    /// = Mann-Whitney (4 + 2(2 + 1/2) + 1) / 16 = 10/16.
    /// At eps_S = 0.5: between 0.8 (.25, .25) and 0.6 (.75, .5), fraction (0.5 - .25)/.5 = .5, so
    /// eps_B = .375, threshold = .7, R = 1/.375 = 2.6667, sigma_eps_B = sqrt(.375 .625 / 4) = 0.2420615,
    /// sigma_R = 0.2420615 / .375^2 = 1.7213259, sigma_eps_S = sqrt(.5 .5 / 4) = .25.
    @Test func workingPointInterpolationAndErrorsByHand() throws {
        let roc = try ROCCurve(
            scores: [0.9, 0.6, 0.6, 0.2, 0.8, 0.6, 0.3, 0.1], isSignal: [true, true, true, true, false, false, false, false])
        expectClose(roc.signalEfficiency, [0, 0.25, 0.25, 0.75, 0.75, 1, 1], "eps_S")
        expectClose(roc.backgroundEfficiency, [0, 0, 0.25, 0.5, 0.75, 0.75, 1], "eps_B")
        expectClose(roc.auc, 0.625, "auc")
        let point = try roc.workingPoint(signalEfficiency: 0.5)
        expectClose(point.backgroundEfficiency, 0.375, "eps_B")
        expectClose(point.threshold, 0.7, tolerance: DoubleTolerance.float32, "threshold")
        expectClose(point.backgroundRejection, 1 / 0.375, "rejection")
        expectClose(point.backgroundEfficiencyError, 0.24206145913796356, "sigma eps_B")
        expectClose(point.backgroundRejectionError, 1.721325931647741, "sigma R")
        expectClose(point.signalEfficiencyError, 0.25, "sigma eps_S")
        let standard = try roc.workingPoints()
        #expect(standard.map(\.signalEfficiency) == [0.3, 0.5, 0.7, 0.77])
        // eps_S = 0.77 lies on the step 0.3 -> 0.2, where eps_B stays at 0.75.
        expectClose(standard[3].backgroundEfficiency, 0.75, "eps_B at 0.77")
        expectClose(standard[3].threshold, 0.3 + 0.08 * (0.2 - 0.3), tolerance: DoubleTolerance.float32, "threshold at 0.77")
    }

    @Test func aucEqualsMannWhitneyStatistic() throws {
        var generator = SplitMix64(seed: 7)
        let n = 400
        // Many ties, negative scores, and zeros of both signs (which must form one tie).
        let scores = (0..<n).map { _ -> Float in
            let score = Float(Int(generator.nextUnit() * 50) - 25) / 25
            return score == 0 && generator.nextUnit() < 0.5 ? -0.0 : score
        }
        let isSignal = (0..<n).map { _ in generator.nextUnit() < 0.3 }
        let signedWeights = (0..<n).map { _ in Float(generator.nextUnit() * 2 - 0.4) }
        for weights in [nil, signedWeights] {
            let roc = try ROCCurve(scores: scores, isSignal: isSignal, weights: weights)
            var pairSum = 0.0
            var signalSum = 0.0
            var backgroundSum = 0.0
            for i in 0..<n {
                let wi = weights.map { Double($0[i]) } ?? 1
                if isSignal[i] { signalSum += wi } else { backgroundSum += wi }
                guard isSignal[i] else { continue }
                for j in 0..<n where !isSignal[j] {
                    let wj = weights.map { Double($0[j]) } ?? 1
                    pairSum += wi * wj * (scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0)
                }
            }
            expectClose(roc.auc, pairSum / (signalSum * backgroundSum), tolerance: 1e-10,
                        weights == nil ? "unit weights" : "signed weights")
            #expect(roc.count == Set(scores.map { $0 == 0 ? 0 : $0 }).count + 1)
        }
    }

    @Test func allEqualScoresGiveTheDiagonal() throws {
        let roc = try ROCCurve(scores: [0.5, 0.5, 0.5, 0.5], isSignal: [true, false, true, false], weights: [1, 2, 3, 4])
        #expect(roc.thresholds == [.infinity, 0.5])
        #expect(roc.signalEfficiency == [0, 1])
        #expect(roc.backgroundEfficiency == [0, 1])
        #expect(roc.auc == 0.5)
        let point = try roc.workingPoint(signalEfficiency: 0.3)
        expectClose(point.backgroundEfficiency, 0.3, "eps_B on the diagonal")
        #expect(point.threshold == 0.5)
    }

    @Test func rejectsEmptyClassesBadSumsAndBadInput() throws {
        #expect(throws: JetMetricsError.emptyClass(name: "background")) {
            try ROCCurve(scores: [0.1, 0.2], isSignal: [true, true])
        }
        #expect(JetMetricsError.emptyClass(name: "background").description
            == "The background class has no jets, so its efficiency is undefined. Check the labels and the selection.")
        #expect(throws: JetMetricsError.emptyClass(name: "signal")) {
            try ROCCurve(scores: [0.1, 0.2, 0.3], labels: [0, 2, 2], signalClass: 1)
        }
        #expect(throws: JetMetricsError.nonPositiveWeightSum(name: "signal", sumOfWeights: -1, count: 2)) {
            try ROCCurve(scores: [0.1, 0.2, 0.3], isSignal: [true, true, false], weights: [1, -2, 1])
        }
        let nanError = #expect(throws: JetMetricsError.self) {
            try ROCCurve(scores: [0.1, .nan], isSignal: [true, false])
        }
        #expect(nanError?.description == "'scores'[1] is nan; metrics need finite numbers. Check the input at that row.")
        #expect(throws: JetMetricsError.lengthMismatch(array: "weights", expected: 2, got: 3)) {
            try ROCCurve(scores: [0.1, 0.2], isSignal: [true, false], weights: [1, 1, 1])
        }
        #expect(throws: JetMetricsError.self) {
            try ROCCurve(scores: [0.1, 0.2], labels: [0, 1], signalClass: 1, backgroundClasses: [1])
        }
        let roc = try ROCCurve(scores: [0.1, 0.2], isSignal: [true, false])
        #expect(throws: JetMetricsError.self) { try roc.workingPoint(signalEfficiency: 0) }
    }

    @Test func downsamplingKeepsEndsShapeAndAUC() throws {
        var generator = SplitMix64(seed: 11)
        let n = 50_000
        let isSignal = (0..<n).map { _ in generator.nextUnit() < 0.5 }
        let scores = isSignal.map { Float(generator.nextUnit() + ($0 ? 0.3 : 0)) }
        let roc = try ROCCurve(scores: scores, isSignal: isSignal)
        let small = roc.downsampled(maxPoints: 1000)
        #expect(roc.count > 40_000)
        #expect(small.count <= 1000 && small.count >= 900)
        #expect(small.thresholds.first == .infinity && small.thresholds.last == roc.thresholds.last)
        #expect(small.signalEfficiency.last == 1 && small.backgroundEfficiency.last == 1)
        #expect(small.auc == roc.auc)
        expectClose(ROCCurve.trapezoidArea(x: small.backgroundEfficiency, y: small.signalEfficiency), roc.auc,
                    tolerance: 1e-4, "area of the down-sampled curve")
        // Every kept point is a point of the full curve, in the same order.
        var k = 0
        for (threshold, epsS) in zip(small.thresholds, small.signalEfficiency) {
            while roc.thresholds[k] != threshold { k += 1 }
            #expect(roc.signalEfficiency[k] == epsS)
        }
        // No gap in eps_S wider than the grid step (1/500) plus one original step.
        let widest = zip(small.signalEfficiency.dropFirst(), small.signalEfficiency).map { $0 - $1 }.max() ?? 0
        #expect(widest < 0.003)
        #expect(roc.downsampled(maxPoints: n * 2).count == roc.count)
    }
}

/// A small deterministic generator for test inputs (SplitMix64).
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    mutating func nextUnit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
