import Foundation
import JetMetrics
import Testing
@testable import JetReport

@Suite struct ReportSectionsTests {
    private func page(_ section: HTMLReport.Section) throws -> ParsedXML {
        try #require(ParsedXML.parse(HTMLReport(title: "t", sections: [section]).html))
    }

    @Test func closureSectionHasTablesAPlotPerObservableAndTheFactors() throws {
        let mass = try ObservableClosure(
            name: "mass", edges: [0, 100, 200], source: [50, 150, 150], oldWeights: [1, 1, -1], newWeights: [2, 1, 1],
            target: [50, 150], targetWeights: [1, 1])
        let report = ClosureReport(
            observables: [mass], weights: try WeightDiagnostics(old: [1, 1, -1], new: [2, 1, 1]),
            twoSample: TwoSampleAUC(aucBeforeRuns: [0.61], aucAfterRuns: [0.5], trainingJets: 10, testJets: 12), counters: ["capped": 2])
        let html = try page(HTMLReport.Section(closure: report))
        #expect(html.elements.filter { $0.name == "svg" }.count == 2)
        let cells = html.elements.filter { $0.name == "td" }.map(\.text)
        #expect(cells.contains("Jet mass [GeV]"))
        #expect(cells.contains("0.3333"), "fraction negative before")
        #expect(cells.contains("capped"))
        #expect(html.elements.contains { $0.name == "p" && $0.text.contains("AUC 0.6100 before, 0.5000 after") })
        #expect(html.seriesNames.contains("new / old"))
    }

    @Test func trainingSectionHasLossCurvesAndOneRowPerEpoch() throws {
        let history = [
            TrainingEpoch(epoch: 1, trainingLoss: 0.7, validationLoss: 0.65, learningRate: 0.001, seconds: 1.5, jetsPerSecond: 100),
            TrainingEpoch(epoch: 2, trainingLoss: 0.5, validationLoss: 0.45, learningRate: 0.0005, seconds: 1.25, jetsPerSecond: 120),
        ]
        let html = try page(HTMLReport.Section(training: [("run", history)]))
        #expect(html.seriesNames == ["training", "validation", "best (epoch 2)"])
        let cells = html.elements.filter { $0.name == "td" }.map(\.text)
        #expect(cells == ["1", "0.70000", "0.65000", "0.001", "1.5", "100", "2", "0.50000", "0.45000", "0.0005", "1.2", "120"])
    }

    @Test func plotsAreWrittenAsNumberedSVGFiles() throws {
        let report = HTMLReport(title: "t", sections: [
            HTMLReport.Section(title: "a", blocks: [
                .figure(Plot(title: "one", xAxis: Axis(label: "x"), yAxis: Axis(label: "y")), caption: "1"),
                .paragraph("text"),
                .figure(Plot(title: "two", xAxis: Axis(label: "x"), yAxis: Axis(label: "y")), caption: "2"),
            ]),
        ])
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("plots-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try "stale".write(to: directory.appendingPathComponent("009.svg"), atomically: true, encoding: .utf8)
        try report.writePlots(to: directory)
        #expect(report.figureCount == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["001.svg", "002.svg"])
        #expect(try String(contentsOf: directory.appendingPathComponent("002.svg"), encoding: .utf8) == report.figures[1])
    }

    /// Two classes, 2 heads, 3 slots; class "t" has no jet with a third constituent, class "w" no jet at all.
    static func attentionMaps(particle: Bool) -> AttentionMaps {
        func classMaps(_ name: String, jets: Int, counts: [Int], scale: Double) -> AttentionMaps.ClassMaps {
            let means = (0..<2).map { h in
                (0..<3).map { i in (0..<3).map { j in counts[max(i, j)] > 0 ? scale * Double(h + 1) / Double(1 + i + j) : .nan } }
            }
            return AttentionMaps.ClassMaps(
                className: name, jetCount: jets, slotJetCounts: counts, particleMeans: particle ? means : [],
                classTokenMeans: (0..<2).map { _ in counts.map { $0 > 0 ? 0.2 : .nan } }, classTokenSelf: [0.3, 0.4])
        }
        return AttentionMaps(
            slots: 3, heads: 2, particleBlock: particle ? "block.1" : nil, classBlock: "class.0",
            classes: [
                classMaps("q", jets: 4, counts: [4, 4, 2], scale: 0.5), classMaps("t", jets: 2, counts: [2, 1, 0], scale: 0.25),
                classMaps("w", jets: 0, counts: [0, 0, 0], scale: 1),
            ])
    }

    @Test func attentionSectionHasAHeatmapPerClassAndHeadOnOneRangeAndTheClassTokenLines() throws {
        let section = HTMLReport.Section(attention: Self.attentionMaps(particle: true))
        let heatmaps = section.blocks.compactMap { if case .heatmap(let map, _) = $0 { map } else { nil } }
        // Classes with jets only: 2 classes x 2 heads; the colour range is shared: 0 to the largest mean (head 1 of q).
        #expect(heatmaps.map(\.title) == [
            "Attention, block.1 head 0: q jets (4)", "Attention, block.1 head 1: q jets (4)",
            "Attention, block.1 head 0: t jets (2)", "Attention, block.1 head 1: t jets (2)",
        ])
        #expect(heatmaps.allSatisfy { $0.range == 0...1.0 })
        #expect(heatmaps[3][0, 1] == 0.25 && heatmaps[3][2, 0].isNaN && heatmaps[3][1, 1] == 0.5 / 3)
        let html = try page(section)
        #expect(html.elements.filter { $0.name == "svg" }.count == 4 + 2)
        #expect(html.seriesNames.contains("head 1 (on token 0.400)"))
        #expect(html.elements.contains { $0.name == "p" && $0.text.contains("row i shows where constituent i looks") })
        #expect(html.elements.contains { $0.name == "text" && $0.text == "no data" })

        let tokenOnly = HTMLReport.Section(attention: Self.attentionMaps(particle: false))
        #expect(try page(tokenOnly).elements.filter { $0.name == "svg" }.count == 2)
    }
}
