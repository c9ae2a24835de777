import Foundation
import JetData
@testable import JetFeatures
import Testing

/// weaver's "auto" standardisation (median, 1 / max(p84 - p50, p50 - p16)) and the percentiles behind it,
/// against numpy (Fixtures/percentiles.json, made by Tests/Scripts/make_features_fixtures.py).
@Suite struct RobustStandardizationTests {
    struct Sample: Decodable {
        var values: [Float]
        var percentiles: [String: Double]
        var centre: Double
        var scale: Double
    }

    static func fixture() throws -> [String: Sample] {
        let url = try #require(Bundle.module.url(forResource: "percentiles", withExtension: "json", subdirectory: "Fixtures"))
        return try JSONDecoder().decode([String: Sample].self, from: Data(contentsOf: url))
    }

    @Test func percentilesMatchNumpy() throws {
        for (name, sample) in try Self.fixture() {
            var quantiles = QuantileSample()
            sample.values.withUnsafeBufferPointer { quantiles.add($0) }
            let levels = sample.percentiles.keys.map { Double($0)! }.sorted()
            let got = try #require(quantiles.percentiles(levels))
            for (level, value) in zip(levels, got) {
                let expected = sample.percentiles["\(Int(level))"]!
                #expect(abs(value - expected) <= 1e-9 * max(1, abs(expected)), "\(name) p\(level): \(value) vs \(expected)")
            }
        }
    }

    @Test func aFullReservoirStillEstimatesThePercentiles() throws {
        let sample = try #require(try Self.fixture()["lognormal"])
        var quantiles = QuantileSample(capacity: 500, seed: 3)
        for _ in 0..<4 { sample.values.withUnsafeBufferPointer { quantiles.add($0) } }
        #expect(quantiles.count == 4 * sample.values.count)
        let median = try #require(quantiles.percentiles([50])).first!
        // 500 draws of the distribution: the median's standard error is about 0.063 times p50's density width.
        #expect(abs(median - sample.percentiles["50"]!) < 0.25 * sample.percentiles["50"]!)
        var again = QuantileSample(capacity: 500, seed: 3)
        for _ in 0..<4 { sample.values.withUnsafeBufferPointer { again.add($0) } }
        #expect(again.percentiles([16, 50, 84]) == quantiles.percentiles([16, 50, 84]), "seeded: the same sample")
    }

    @Test func nothingAddedHasNoPercentiles() {
        #expect(QuantileSample().percentiles([50]) == nil)
    }

    /// numpy on `handJets` (the same float32 inputs as `StandardizationFitterTests.numpyFit`):
    ///   low, c, high = np.percentile(x, [16, 50, 84]); w = max(high - c, c - low); c, 1 / w
    static let weaverFit: [String: (centre: Float, scale: Float)] = [
        "pt_log": (3.6888794541139363, 1.3599340576778436),
        "deta": (-0.10000002384185791, 4.999998807907389),
        "charge": (0.0, 1.0),
        "log_pt": (4.951743776268064, 4.243220708496947),
        "mass": (55.0, 0.058823529411764705),
    ]

    @Test func robustFitMatchesWeaversAutoStandardisation() throws {
        var spec = StandardizationFitterTests.unfitted
        spec.standardization = .robust
        var fitter = try StandardizationFitter(spec: spec)
        try fitter.accumulate(makeBatch(handJets, slots: 4, padding: 1e6))
        let fitted = try fitter.fittedSpec()
        for variable in fitted.constituentVariables + fitted.jetVariables {
            let reference = try #require(Self.weaverFit[variable.name])
            #expect(abs(variable.subtractBy! - reference.centre) <= 1e-5, "\(variable.name) centre")
            #expect(abs(variable.multiplyBy! / reference.scale - 1) <= 1e-5, "\(variable.name) scale")
        }
        #expect(fitted.standardization == .robust)
    }

    @Test func theMethodIsAConfigKeyAndSurvivesTheModelFile() throws {
        let decoded = try JSONDecoder().decode(FeatureSpec.self, from: Data(#"{"standardization": "robust"}"#.utf8))
        #expect(decoded.standardization == .robust)
        #expect(try JSONDecoder().decode(FeatureSpec.self, from: Data("{}".utf8)).standardization == .meanStd)
        let again = try JSONDecoder().decode(FeatureSpec.self, from: JSONEncoder().encode(decoded))
        #expect(again == decoded)
    }
}
