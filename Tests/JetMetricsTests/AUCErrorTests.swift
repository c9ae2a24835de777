import Foundation
import JetTestSupport
import Testing
import JetMetrics

/// Fixtures/auc_error_reference.json, written by Tests/Scripts/make_auc_error_fixtures.py (numpy, DeLong's
/// placement values from the full signal x background comparison matrix).
private struct AUCErrorReference: Decodable {
    struct Case: Decodable {
        var scores: [Float]
        var isSignal: [Bool]
        var weights: [Float]
        var auc: Double
        var aucError: Double
    }

    var unit: Case
    var weighted: Case

    static func load() throws -> AUCErrorReference {
        try loadFixture(AUCErrorReference.self, named: "auc_error_reference", madeBy: "make_auc_error_fixtures.py")
    }
}

@Suite struct AUCErrorTests {
    @Test func matchesDeLongFromTheComparisonMatrixWithTiesAndSignedWeights() throws {
        let reference = try AUCErrorReference.load()
        for (name, fixture) in [("unit", reference.unit), ("weighted", reference.weighted)] {
            let roc = try ROCCurve(
                scores: fixture.scores, isSignal: fixture.isSignal, weights: name == "unit" ? nil : fixture.weights)
            expectClose(roc.auc, fixture.auc, tolerance: 1e-10, "\(name) AUC")
            expectClose(roc.aucError, fixture.aucError, tolerance: 1e-10, "\(name) AUC error")
            #expect(roc.downsampled(maxPoints: 10).aucError == roc.aucError, "\(name): the summary keeps the full curve's error")
        }
        #expect(reference.weighted.weights.contains { $0 < 0 }, "the weighted fixture must hold negative weights")
        #expect(Set(reference.unit.scores).count < reference.unit.scores.count, "the fixture must hold ties")
    }

    /// The error is the spread of the AUC over independent samples: 400 samples of 300 + 300 jets from two
    /// Gaussians, with unit and with signed weights (10% negative). The spread of a standard deviation from 400
    /// samples is about 3.5%, so 12% is more than three of those.
    @Test(arguments: [false, true])
    func equalsTheSpreadOverRepeatedSamples(signedWeights: Bool) throws {
        var generator = SplitMix64(seed: signedWeights ? 23 : 29)
        func gaussian() -> Float {
            Float((-2 * log(1 - generator.nextUnit())).squareRoot() * cos(2 * Double.pi * generator.nextUnit()))
        }
        let jets = 600
        let isSignal = (0..<jets).map { $0 < jets / 2 }
        var aucs: [Double] = []
        var errors: [Double] = []
        for _ in 0..<400 {
            let scores = isSignal.map { $0 ? 1.2 + gaussian() : gaussian() }
            let weights: [Float]? = signedWeights
                ? (0..<jets).map { _ in Float(0.5 + generator.nextUnit()) * (generator.nextUnit() < 0.1 ? -1 : 1) }
                : nil
            let roc = try ROCCurve(scores: scores, isSignal: isSignal, weights: weights)
            aucs.append(roc.auc)
            errors.append(roc.aucError)
        }
        let mean = aucs.reduce(0, +) / Double(aucs.count)
        let spread = (aucs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(aucs.count - 1)).squareRoot()
        let meanError = errors.reduce(0, +) / Double(errors.count)
        #expect(abs(meanError / spread - 1) < 0.12, "mean error \(meanError) against the spread \(spread)")
    }

    @Test func isInfiniteWithOneEffectiveJetInAClass() throws {
        let roc = try ROCCurve(scores: [0.9, 0.1, 0.2], isSignal: [true, false, false])
        #expect(roc.aucError == .infinity)
        #expect(try ROCCurve(scores: [0.9, 0.8, 0.1, 0.2], isSignal: [true, true, false, false]).aucError.isFinite)
    }
}
