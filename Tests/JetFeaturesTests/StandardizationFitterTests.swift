import Foundation
import JetData
import JetFeatures
import Testing

/// Fitted centres and scales against numpy on `handJets`.
@Suite struct StandardizationFitterTests {
    /// numpy, float32 inputs as in `handJets`:
    ///   pt_log = np.log(np.float32([60, 30, 150, 40, 10]).astype(np.float64))
    ///   deta = (np.float32([0.6, 0.3, -1.2, -0.9, -1.1]) - np.float32([0.5, 0.5, -1, -1, -1])).astype(np.float64)
    ///   charge = np.float64([1, -1, 0, 1, -1]); log_pt = np.log([100., 200.]); mass = np.float64([80, 30])
    ///   x.mean(), 1 / x.std()   (population std, ddof = 0)
    static let numpyFit: [String: (mean: Float, inverseStd: Float)] = [
        "pt_log": (3.699528357017699, 1.1300414029771484),
        "deta": (-0.06000000238418579, 7.372096718769176),
        "charge": (0.0, 1.118033988749895),
        "log_pt": (4.951743776268064, 2.8853900817779303),
        "mass": (55.0, 0.04),
    ]

    static let unfitted = FeatureSpec(
        maxConstituents: 3,
        constituentVariables: ["pt_log", "deta", "charge"].map { VariableSpec($0, clipMin: nil, clipMax: nil) },
        jetVariables: ["log_pt", "mass"].map { VariableSpec($0) })

    @Test func fitMatchesNumpyOnValidEntriesOnly() throws {
        // Batch with 4 slots and junk padding, which must not enter the fit.
        var fitter = try StandardizationFitter(spec: Self.unfitted)
        try fitter.accumulate(makeBatch(handJets, slots: 4, padding: 1e6))
        let fitted = try fitter.fittedSpec()
        #expect(fitted.isStandardized)
        for variable in fitted.constituentVariables + fitted.jetVariables {
            let reference = try #require(Self.numpyFit[variable.name])
            #expect(abs(variable.subtractBy! - reference.mean) <= 1e-5, "\(variable.name) mean")
            #expect(abs(variable.multiplyBy! / reference.inverseStd - 1) <= 1e-5, "\(variable.name) scale")
        }
    }

    @Test func streamingOverBatchesEqualsOneBatch() throws {
        var whole = try StandardizationFitter(spec: Self.unfitted)
        try whole.accumulate(makeBatch(handJets, slots: 3))
        var streamed = try StandardizationFitter(spec: Self.unfitted)
        try streamed.accumulate(makeBatch([handJets[0]], slots: 2))
        try streamed.accumulate(makeBatch([handJets[1]], slots: 3))
        for (a, b) in zip(whole.constituentMoments + whole.jetMoments, streamed.constituentMoments + streamed.jetMoments) {
            #expect(a.count == b.count)
            #expect(abs(a.mean - b.mean) <= 1e-12 && abs(a.m2 - b.m2) <= 1e-9)
        }
    }

    @Test func givenValuesAreKeptAndFittedFeaturesAreStandardised() throws {
        var spec = Self.unfitted
        spec.constituentVariables[2] = VariableSpec("charge", subtractBy: 0, multiplyBy: 1, clipMin: nil, clipMax: nil)
        var fitter = try StandardizationFitter(spec: spec)
        try fitter.accumulate(makeBatch(handJets, slots: 3))
        let fitted = try fitter.fittedSpec()
        #expect(fitted.constituentVariables[2] == spec.constituentVariables[2])

        // With the fitted spec (no clipping), pt_log over the real constituents has mean 0 and std 1.
        let features = try FeatureExtractor(spec: fitted).extract(makeBatch(handJets, slots: 3))
        let ptLog = (0..<6).filter { features.mask[$0] == 1 }.map { Double(features.constituentFeatures[$0 * 3]) }
        let mean = ptLog.reduce(0, +) / Double(ptLog.count)
        let variance = ptLog.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(ptLog.count)
        #expect(ptLog.count == 5 && abs(mean) < 1e-6 && abs(variance - 1) < 1e-5)
    }

    @Test func fitSeesOnlyTheConstituentsKeptByMaxConstituents() throws {
        // With maxConstituents = 2 jet 1 keeps pt 150 and 40: pt_log values log 60, log 30, log 150, log 40.
        // numpy: x = np.log([60., 30., 150., 40.]); x.mean() = 4.048764173023612, 1 / x.std() = 1.6461416154707853
        var spec = Self.unfitted
        spec.maxConstituents = 2
        var fitter = try StandardizationFitter(spec: spec)
        try fitter.accumulate(makeBatch(handJets, slots: 3))
        let ptLog = try fitter.fittedSpec().constituentVariables[0]
        #expect(fitter.constituentMoments[0].count == 4)
        #expect(abs(ptLog.subtractBy! - 4.048764173) < 1e-5 && abs(ptLog.multiplyBy! / 1.6461416 - 1) < 1e-5)
    }

    @Test func fittedSpecSurvivesJSONRoundTrip() throws {
        var fitter = try StandardizationFitter(spec: Self.unfitted)
        try fitter.accumulate(makeBatch(handJets, slots: 3))
        let fitted = try fitter.fittedSpec()
        let decoded = try JSONDecoder().decode(FeatureSpec.self, from: JSONEncoder().encode(fitted))
        #expect(decoded == fitted)
    }

    @Test func constantVariableGetsUnitScaleAndEmptyFitIsAnError() throws {
        let jets = handJets.map { jet -> TestJet in
            var jet = jet
            jet.constituents = jet.constituents.map { var c = $0; c.charge = 1; return c }
            return jet
        }
        var fitter = try StandardizationFitter(spec: FeatureSpec(maxConstituents: 3, constituentVariables: [VariableSpec("charge")]))
        try fitter.accumulate(makeBatch(jets, slots: 3))
        let charge = try fitter.fittedSpec().constituentVariables[0]
        #expect(charge.subtractBy == 1 && charge.multiplyBy == 1)

        let empty = try StandardizationFitter(spec: Self.unfitted)
        #expect(throws: JetFeaturesError.noEntriesToFit(variable: "pt_log")) { try empty.fittedSpec() }
    }
}
