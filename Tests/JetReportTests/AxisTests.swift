import Testing
@testable import JetReport

@Suite struct AxisTests {
    @Test func linearTicksAreNiceNumbers() {
        let axis = Axis(label: "x")
        #expect(axis.ticks(in: 0...1).map(\.label) == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        #expect(axis.ticks(in: -4...6).map(\.label) == ["-4", "-2", "0", "2", "4", "6"])
        #expect(axis.ticks(in: 0...1400).map(\.value) == [0, 200, 400, 600, 800, 1000, 1200, 1400])
        #expect(Axis.niceStep(for: 0.14) == 0.02 || abs(Axis.niceStep(for: 0.14) - 0.02) < 1e-15)
        #expect(Axis.niceStep(for: 37) == 5)
    }

    @Test func logTicksHaveLabelledDecadesAndMinorTicks() {
        let ticks = Axis(label: "y", scale: .logarithmic).ticks(in: 1...1000)
        #expect(ticks.filter { !$0.label.isEmpty }.map(\.label) == ["1", "10", "100", "1000"])
        #expect(ticks.count == 3 * 9 + 1)
        #expect(ticks.map(\.value).contains(2) && ticks.map(\.value).contains(500))
        #expect([-4, -2, 0, 4, 5].map(Axis.decadeLabel) == ["1e-4", "0.01", "1", "10000", "1e5"])
    }

    @Test func fittedRangesCoverTheDataAndSkipUndrawableValues() {
        let linear = Axis(label: "x").resolvedRange(for: [0.13, 0.92, .nan])
        #expect(linear == 0...1)
        let log = Axis(label: "y", scale: .logarithmic).resolvedRange(for: [0, -3, 2.5, 340, .infinity])
        #expect(log == 1...1000)
        #expect(Axis(label: "y", range: 2...3).resolvedRange(for: [100]) == 2...3)
        let axis = Axis(label: "y", scale: .logarithmic)
        #expect(axis.fraction(of: 10, in: 1...100) == 0.5)
        #expect(axis.fraction(of: 0, in: 1...100) == nil)
    }

    @Test func textIsEscapedForXML() {
        #expect("a<b & \"c\" 'd'>".xmlEscaped == "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;")
        #expect("plain".xmlEscaped == "plain")
    }

    @Test func aRangeAtTheLimitOfDoublePrecisionIsWidened() {
        // Quantile edges of a constant observable (every jet at pT 500 GeV): 500 and its next Double up.
        let axis = Axis(label: "pT")
        let range = axis.resolvedRange(for: [500, 500.00000000000006])
        #expect(range == 494...506, "500 +- 1%, widened to whole ticks of 2")
        #expect(axis.ticks(in: range).map(\.value) == [494, 496, 498, 500, 502, 504, 506])
        let narrow = 500...500.00000000000006
        #expect(axis.ticks(in: narrow).count <= 50)
    }
}
