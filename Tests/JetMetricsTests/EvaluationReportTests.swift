import Testing

import JetMetrics

@Suite struct EvaluationReportTests {
    /// Four jets by hand: p(signal) 0.9 (signal), 0.6 (background, weight 2), 0.4 (signal), 0.2 (background).
    let probabilities: [Float] = [0.1, 0.9, 0.4, 0.6, 0.6, 0.4, 0.8, 0.2]
    let labels = [1, 0, 1, 0]
    let weights: [Float] = [1, 2, 1, 1]

    @Test func twoClassReportMatchesHandCounts() throws {
        let (report, roc) = try EvaluationReport.evaluating(
            probabilities: probabilities, labels: labels, weights: weights, classNames: ["qcd", "top"], signal: 1,
            discriminant: nil, threshold: 0.5, model: "m.h5", tagger: "test")
        // Signal-background pairs ordered correctly, by weight: 0.9 beats both (2 + 1), 0.4 beats 0.2 (1); of 2 x 3.
        #expect(abs(report.roc.auc - 4.0 / 6.0) < 1e-9)
        #expect(abs(roc.auc - 4.0 / 6.0) < 1e-9)
        // Cut at 0.5: predicted [top, top, qcd, qcd].
        #expect(report.confusionMatrix.matrix == [[1, 2], [1, 1]])
        #expect(report.signalClass == "top" && report.jets == 4 && report.threshold == 0.5)
        #expect(abs(report.scoreHistograms["top"]!.sumWeights.reduce(0, +) - 2) < 1e-12)
        #expect(abs(report.scoreHistograms["qcd"]!.sumWeights.reduce(0, +) - 3) < 1e-12)
    }

    @Test func moreThanTwoClassesNeedADiscriminant() {
        #expect(throws: JetMetricsError.self) {
            try EvaluationReport.evaluating(
                probabilities: [0.2, 0.3, 0.5, 0.6, 0.3, 0.1], labels: [2, 0], weights: [1, 1],
                classNames: ["light", "c", "b"], signal: 2, discriminant: nil, threshold: 0.5, model: "m.h5",
                tagger: "test")
        }
    }
}
