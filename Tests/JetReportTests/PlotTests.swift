import Foundation
import JetMetrics
import Testing
@testable import JetReport

@Suite struct PlotTests {
    /// Default layout: margins left 72, right 16, top 36, bottom 48 around a 640 x 480 image, so the
    /// main panel spans x 72...624 (width 552) and y 36...432 (height 396).
    @Test func dataMapsToTheExpectedPixels() throws {
        let plot = Plot(
            title: "mapping", xAxis: Axis(label: "x", range: 0...1),
            yAxis: Axis(label: "y", scale: .logarithmic, range: 1...100),
            series: [.line(name: "one", x: [0, 0.5, 1], y: [1, 10, 100])])
        let svg = try #require(ParsedXML.parse(plot.svg))
        let line = try #require(svg.elements("polyline", inSeries: "one").first)
        // (0, 1) -> (72, 432); (0.5, 10) -> (72 + 276, 36 + 198); (1, 100) -> (624, 36).
        #expect(line.attributes["points"] == "72.00,432.00 348.00,234.00 624.00,36.00")
    }

    @Test func rocPlotIsWellFormedWithEscapedNamesAndBothPanels() throws {
        let scores: [Float] = (0..<200).map { Float($0 % 37) / 37 }
        let isSignal = (0..<200).map { $0 % 3 == 0 }
        let first = try ROCCurve(scores: scores, isSignal: isSignal)
        let second = try ROCCurve(scores: scores.map { $0 * $0 }, isSignal: isSignal.reversed())
        let names = ["Deep Sets <R=0.4> & \"tracks\"", "CNN 'v2'"]
        let plot = Plot.roc([(names[0], first), (names[1], second)], ratioToFirst: true)
        let text = plot.svg
        #expect(text.contains("Deep Sets &lt;R=0.4&gt; &amp; &quot;tracks&quot;"))
        let svg = try #require(ParsedXML.parse(text), "the ROC plot is not well-formed XML")
        #expect(svg.elements.first?.name == "svg")
        #expect(svg.elements.first?.attributes["xmlns"] == "http://www.w3.org/2000/svg")
        #expect(svg.seriesNames == names + names, "main panel, then ratio panel")
        #expect(svg.elements.filter { $0.name == "text" && $0.group == "legend" }.map(\.text) == names)
        let axisTexts = svg.elements.filter { $0.name == "text" }.map(\.text)
        for label in ["Signal efficiency", "Background rejection 1/εB", "Ratio to \(names[0])", "1", "10", "0.2", "1.0"] {
            #expect(axisTexts.contains(label), "missing text \(label)")
        }
        // The first curve's ratio to itself is 1 everywhere on the grid.
        let ratioLine = try #require(svg.elements("polyline", inSeries: names[0]).last)
        let ys = Set((ratioLine.attributes["points"] ?? "").split(separator: " ").map { $0.split(separator: ",")[1] })
        #expect(ys.count == 1)
    }

    @Test func histogramPlotDrawsStepsErrorBarsAndRatioPoints() throws {
        var background = try Histogram(edges: [0, 1, 2, 3])
        var signal = background
        try background.fill([0.5, 0.5, 1.5, 2.5])
        try signal.fill([1.5, 1.5, 2.5, 2.5])
        let plot = try Plot.histograms(
            [("background", background), ("signal", signal)], title: "Score", xLabel: "score", normalized: true,
            ratioToFirst: true)
        let svg = try #require(ParsedXML.parse(plot.svg))
        #expect(svg.seriesNames == ["background", "signal", "signal"])
        // Background: three bins drawn as one step path, one error bar per non-empty bin.
        let backgroundPath = try #require(svg.elements("path", inSeries: "background").first)
        #expect(backgroundPath.attributes["d"]?.hasPrefix("M ") == true)
        #expect(backgroundPath.attributes["d"]?.filter { $0 == "H" }.count == 3)
        #expect(svg.elements("line", inSeries: "background").count == 3)
        // Signal's first bin is empty, so neither its step nor its ratio (0 +- 0) gets an error bar there.
        #expect(svg.elements("line", inSeries: "signal").count == 2 + 2)
        #expect(svg.elements("circle", inSeries: "signal").count == 3)

        var other = try Histogram(edges: [0, 1.5, 3])
        try other.fill([1])
        #expect(throws: JetMetricsError.binningMismatch(leftEdges: 3, rightEdges: 4)) {
            try Plot.histograms([("a", background), ("b", other)], title: "", xLabel: "", ratioToFirst: true)
        }
    }

    @Test func undrawablePointsBreakLinesOnLogAxes() throws {
        let plot = Plot(
            title: "gaps", xAxis: Axis(label: "x"), yAxis: Axis(label: "y", scale: .logarithmic),
            series: [.line(name: "gappy", x: [1, 2, 3, 4, 5, 6], y: [1, 2, 0, 4, .nan, 6])])
        let svg = try #require(ParsedXML.parse(plot.svg))
        let pieces = svg.elements("polyline", inSeries: "gappy").map { $0.attributes["points"]?.split(separator: " ").count }
        #expect(pieces == [2, 1, 1])
    }

    @Test func writesTheSVGFileAtomically() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("jetreport-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let plot = Plot(title: "file", xAxis: Axis(label: "x"), yAxis: Axis(label: "y"),
                        series: [.points(name: "p", x: [1, 2], y: [3, 4], errors: [0.5, 0.5])])
        let url = directory.appendingPathComponent("plot.svg")
        try plot.write(to: url)
        #expect(try String(contentsOf: url, encoding: .utf8) == plot.svg)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["plot.svg"])
    }
}
