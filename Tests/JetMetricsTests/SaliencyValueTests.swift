import Foundation
import JetMetrics
import Testing

/// The saliency value types on their own (the maps a model gives are tested in JetSaliencyTests).
@Suite struct SaliencyValueTests {
    @Test func mapsWithRaggedRowsAreRejected() {
        let text = #"{"feature_names": ["a", "b"], "values": [[1, 2], [3]]}"#
        #expect(throws: DecodingError.self) { try MetricsJSON.makeDecoder().decode(SaliencyMap.self, from: Data(text.utf8)) }
    }

    @Test func targetsDescribeThemselves() throws {
        #expect(SaliencyTarget.binaryLogit.description == "logit 0")
        let d = try TaggingDiscriminant(signalClass: 2, backgroundFractions: [(0, 0.25), (1, 0.75)])
        #expect(SaliencyTarget.discriminant(d).description == "log(p_2 / (0.25 p_0 + 0.75 p_1))")
    }
}
