import JetMetrics
import JetTestSupport
import Testing

@Suite struct TaggingDiscriminantTests {
    /// Classes u = 0, c = 1, b = 2, f_c = 0.018:
    /// jet 1 p = (0.7, 0.2, 0.1): log(0.1 / (0.018 0.2 + 0.982 0.7)) = log(0.1 / 0.691) = -1.9329696;
    /// jet 2 p = (0, 0, 1): log((1 + 1e-10) / 1e-10) = 23.0258509;
    /// jet 3 p = (0, 1, 0): log(1e-10 / (0.018 + 1e-10)) = -23.0258509 + 4.0173835 = -19.0084674;
    /// jet 4 all zero: log(1e-10 / 1e-10) = 0.
    @Test func atlasBTaggingByHand() throws {
        let discriminant = try TaggingDiscriminant.atlasBTagging(bClass: 2, cClass: 1, lightClass: 0, charmFraction: 0.018)
        let values = try discriminant.evaluate(
            probabilities: [0.7, 0.2, 0.1, 0, 0, 1, 0, 1, 0, 0, 0, 0], classCount: 3)
        expectClose(Double(values[0]), -1.9329696377795784, tolerance: DoubleTolerance.float32, "jet 1")
        expectClose(Double(values[1]), 23.025850930040455, tolerance: DoubleTolerance.float32, "jet 2")
        expectClose(Double(values[2]), -19.00846741441004, tolerance: DoubleTolerance.float32, "jet 3")
        #expect(values[3] == 0)
    }

    /// Signal class 0 vs classes 1 (f = 0.25) and 2 (f = 0.75), p = (0.5, 0.3, 0.2):
    /// log(0.5 / (0.075 + 0.15)) = log(0.5 / 0.225) = 0.7985077.
    @Test func generalMixByHand() throws {
        let discriminant = try TaggingDiscriminant(signalClass: 0, backgroundFractions: [(1, 0.25), (2, 0.75)])
        let values = try discriminant.evaluate(probabilities: [0.5, 0.3, 0.2], classCount: 3)
        expectClose(Double(values[0]), 0.7985076959733269, tolerance: DoubleTolerance.float32, "D")
    }

    @Test func rejectsBadFractionsAndClasses() throws {
        #expect(throws: JetMetricsError.self) {
            try TaggingDiscriminant(signalClass: 0, backgroundFractions: [(1, 0.5), (2, 0.4)])
        }
        #expect(throws: JetMetricsError.self) {
            try TaggingDiscriminant(signalClass: 0, backgroundFractions: [(0, 1)])
        }
        let discriminant = try TaggingDiscriminant(signalClass: 3, backgroundFractions: [(0, 1)])
        #expect(throws: JetMetricsError.classOutOfRange(array: "discriminant classes", index: 0, value: 3, classCount: 3)) {
            try discriminant.evaluate(probabilities: [0.2, 0.3, 0.5], classCount: 3)
        }
    }
}
