import Foundation
import Testing
import JetMetrics

/// Fixtures/calibration_reference.json, written by Tests/Scripts/make_calibration_fixtures.py (numpy).
struct CalibrationReference: Decodable {
    struct Bin: Decodable {
        var jets: Int
        var sumWeights: Double
        var meanPredicted: Double
        var observedFraction: Double
        var observedFractionError: Double
    }

    struct Diagram: Decodable {
        var bins: [Bin]
        var ece: Double
    }

    struct Case: Decodable {
        var logitCount: Int
        var logits: [Float]
        var probabilities: [Float]
        var labels: [Int]
        var weights: [Float]
        var reliability: [Diagram]
        var temperature: Double
        var nllAt1: Double
        var nllAtT: Double
    }

    var binary: Case
    var multiclass: Case

    static func load() throws -> CalibrationReference {
        try loadFixture(CalibrationReference.self, named: "calibration_reference", madeBy: "make_calibration_fixtures.py")
    }
}

@Suite struct CalibrationTests {
    @Test(arguments: ["binary", "multiclass"])
    func reliabilityDiagramsAndECEMatchNumpyWithSignedWeights(name: String) throws {
        let reference = try CalibrationReference.load()
        let fixture = name == "binary" ? reference.binary : reference.multiclass
        let classCount = fixture.reliability.count
        #expect(fixture.weights.contains { $0 < 0 }, "the fixture must hold negative weights")
        let diagrams = try ReliabilityDiagram.perClass(
            probabilities: fixture.probabilities, classNames: (0..<classCount).map { "c\($0)" }, labels: fixture.labels,
            weights: fixture.weights)
        for (diagram, expected) in zip(diagrams, fixture.reliability) {
            #expect(abs(diagram.expectedCalibrationError - expected.ece) < 1e-9, "\(name) \(diagram.className) ECE")
            #expect(diagram.expectedCalibrationError > 0.005, "an uncalibrated fixture has a visible ECE")
            for (bin, e) in zip(diagram.bins, expected.bins) {
                #expect(bin.jets == e.jets)
                #expect(abs(bin.sumWeights - e.sumWeights) < 1e-9)
                #expect(abs(bin.meanPredicted - e.meanPredicted) < 1e-9)
                #expect(abs(bin.observedFraction - e.observedFraction) < 1e-9)
                #expect(abs(bin.observedFractionError - e.observedFractionError) < 1e-9)
            }
        }
    }

    @Test(arguments: ["binary", "multiclass"])
    func temperatureFitMatchesTheZeroOfTheNumpyGradient(name: String) throws {
        let reference = try CalibrationReference.load()
        let fixture = name == "binary" ? reference.binary : reference.multiclass
        let fit = try TemperatureScaling.fit(
            logits: [fixture.logits], logitCount: fixture.logitCount, labels: fixture.labels, weights: fixture.weights)
        #expect(abs(fit.temperature - fixture.temperature) < 1e-6 * fixture.temperature, "\(name): T \(fit.temperature)")
        #expect(abs(fit.nllBefore - fixture.nllAt1) < 1e-9)
        #expect(abs(fit.nllAfter - fixture.nllAtT) < 1e-9)
        #expect(fit.nllAfter <= fit.nllBefore)
    }

    @Test func emptyBinsAreLeftOutAndBadInputIsRefused() throws {
        // Two jets, both in the last bin of class 1: the other bins have no weight and are NaN.
        let diagram = try ReliabilityDiagram(
            probabilities: [0.08, 0.92, 0.04, 0.96], classCount: 2, classIndex: 1, className: "top", labels: [1, 0],
            weights: [1, 1])
        #expect(diagram.bins.filter { $0.sumWeights > 0 }.count == 1)
        #expect(diagram.bins[0].meanPredicted.isNaN)
        #expect(abs(diagram.expectedCalibrationError - abs(0.5 - 0.94)) < 1e-7)
        #expect(throws: JetMetricsError.self) {
            try ReliabilityDiagram(probabilities: [0.5, 0.5], classCount: 2, classIndex: 0, className: "a", labels: [2], weights: [1])
        }
        #expect(throws: JetMetricsError.self) {
            try TemperatureScaling.fit(logits: [[1, 2]], logitCount: 1, labels: [0, 1], weights: [-1, -1])
        }
    }
}
