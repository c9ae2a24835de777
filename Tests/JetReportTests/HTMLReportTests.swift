import Foundation
import JetMetrics
import Testing
@testable import JetReport

@Suite struct HTMLReportTests {
    private func sampleReport() throws -> HTMLReport {
        let roc = try ROCCurve(
            scores: [0.9, 0.8, 0.6, 0.6, 0.2, 0.3, 0.1, 0.05], isSignal: [true, true, true, false, true, false, false, false])
        let points = try roc.workingPoints(signalEfficiencies: [0.5, 0.77])
        return HTMLReport(title: "Top tagging <run 7>", sections: [
            HTMLReport.Section(title: "Performance", blocks: [
                .paragraph("AUC = 0.9 & no \"surprises\""),
                .table(HTMLReport.Table(workingPoints: points)),
                .figure(Plot.roc([("Deep Sets", roc)]), caption: "ROC of the test split"),
            ]),
            HTMLReport.Section(title: "Config", blocks: [.preformatted("inputs:\n  - pt_log < 5")]),
        ])
    }

    @Test func pageIsWellFormedWithEscapedTextTablesAndInlinePlots() throws {
        let html = try sampleReport().html
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(!html.contains("<?xml"), "the SVG's XML declaration must not be inlined")
        let page = try #require(ParsedXML.parse(html), "the page is not well-formed XML")
        #expect(page.elements.first { $0.name == "title" }?.text == "Top tagging <run 7>")
        #expect(page.elements.filter { $0.name == "h2" }.map(\.text) == ["Performance", "Config"])
        #expect(page.elements.first { $0.name == "p" }?.text == "AUC = 0.9 & no \"surprises\"")
        #expect(page.elements.first { $0.name == "pre" }?.text == "inputs:\n  - pt_log < 5")
        #expect(page.elements.filter { $0.name == "svg" }.count == 1)
        #expect(page.seriesNames == ["Deep Sets"])
        #expect(page.elements.first { $0.name == "figcaption" }?.text == "ROC of the test split")
        // Signal 0.9, 0.8, 0.6, 0.2 and background 0.6, 0.3, 0.1, 0.05 (unit weights, 4 each): at eps_S = 0.5
        // the curve steps from (0.5, 0) at 0.8 to (0.75, 0.25) at 0.6, so eps_B = 0 and the rejection is inf.
        let cells = page.elements.filter { $0.name == "td" }.map(\.text)
        #expect(Array(cells.prefix(4)) == ["0.5", "0.8", "0 ± 0", "inf ± inf"])
        #expect(page.elements.filter { $0.name == "th" }.map(\.text)
            == ["Signal efficiency", "Score cut", "Background efficiency", "Background rejection"])
    }

    @Test func warningsTableAndAtomicWrite() throws {
        let table = HTMLReport.Table(warnings: [MetricWarning(code: "negative_bin_weight", message: "bin [0, 1) < 0")])
        #expect(table.rows == [["negative_bin_weight", "bin [0, 1) < 0"]])
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("jetreport-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let report = try sampleReport()
        let url = directory.appendingPathComponent("report.html")
        try report.write(to: url)
        #expect(try String(contentsOf: url, encoding: .utf8) == report.html)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["report.html"])
    }
}
