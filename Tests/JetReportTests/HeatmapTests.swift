import Foundation
import JetMetrics
import Testing
@testable import JetReport

@Suite struct HeatmapTests {
    /// A signed map over P = 12 ranks of 5 features that falls off with rank, as saliency maps do; rank 11 has no
    /// jets.
    private func sampleAverage() -> AveragedSaliency {
        let names = ["pt_log", "e_log", "logptrel", "deta", "dphi"]
        var signed: [Double] = []
        for rank in 0..<12 {
            for feature in 0..<5 {
                signed.append(rank == 11 ? 0 : (feature % 2 == 0 ? 1 : -0.6) * exp(-Double(rank) / 3) * Double(feature + 1) / 5)
            }
        }
        return AveragedSaliency(
            selection: .label(1, name: "top jets"), jetCount: 420,
            rankCounts: (0..<12).map { $0 == 11 ? 0 : 420 - 30 * $0 },
            meanSigned: SaliencyMap(featureNames: names, values: signed),
            meanAbsolute: SaliencyMap(featureNames: names, values: signed.map(abs)))
    }

    @Test func saliencyHeatmapHasOneCellPerRankAndFeatureAndAColourBar() throws {
        let average = sampleAverage()
        let heatmap = Heatmap.saliency(average, absolute: false)
        // Rank 11 has no jets, so the map stops at rank 10.
        #expect(heatmap.columnLabels == (0...10).map(String.init))
        #expect(heatmap.rowLabels == average.meanSigned.featureNames)
        let svg = try #require(ParsedXML.parse(heatmap.svg), "the heatmap is not well-formed XML")
        let cells = svg.elements.filter { $0.name == "rect" && $0.group == "cells" }
        #expect(cells.count == 11 * 5)
        let texts = svg.elements.filter { $0.name == "text" }.map(\.text)
        for label in average.meanSigned.featureNames + ["0", "10", "Constituent rank (0 = highest pT)", "Input feature",
                                                        "mean d logit / dx", "Gradient saliency: top jets (420 jets)"] {
            #expect(texts.contains(label), "missing text \(label)")
        }
        // Colour bar: stripes, a frame, and labelled ticks symmetric around 0 for a signed map.
        let bar = svg.elements.filter { $0.group == "colorbar" }
        #expect(bar.filter { $0.name == "rect" }.count == 96 + 1)
        let tickLabels = bar.filter { $0.name == "text" }.map(\.text).dropLast()
        #expect(tickLabels.contains("0.0") && tickLabels.contains("-0.5") && tickLabels.contains("0.5"), "\(tickLabels)")
        #expect(bar.last?.text == "mean d logit / dx")

        // The largest value (+1, rank 0 of feature 4) gets the end red; rank 0 of feature 3 (-0.48) a blue.
        let range = ColorScale.diverging.range(for: heatmap.values)
        #expect(range == -1...1)
        let columns = heatmap.columnLabels.count
        #expect(cells[4 * columns].attributes["fill"] == "#67001f", "rank 0 of feature 4 is +1")
        #expect(cells[3 * columns].attributes["fill"] == ColorScale.diverging.color(for: -0.48, in: range))
    }

    @Test func emptyRanksAreGreyAndOutsideTheColourRange() throws {
        let map = SaliencyMap(featureNames: ["a", "b"], values: [0.5, 0.25, 100, 100, 0.1, 0.2])
        let heatmap = Heatmap.saliency(map, title: "t", absolute: true, valueLabel: "|grad|", emptyRanks: [1])
        #expect(ColorScale.sequential.range(for: heatmap.values) == 0...0.5)
        let svg = try #require(ParsedXML.parse(heatmap.svg))
        let fills = svg.elements.filter { $0.name == "rect" && $0.group == "cells" }.compactMap { $0.attributes["fill"] }
        // Row a: ranks 0, 1, 2 = 0.5 (top of viridis), empty, 0.1; row b: 0.25, empty, 0.2.
        #expect(fills[0] == "#fde725" && fills[2] == ColorScale.sequential.color(for: 0.1, in: 0...0.5))
        #expect(fills[1] == Heatmap.emptyCellColor && fills[4] == Heatmap.emptyCellColor)
        #expect(svg.elements.contains { $0.name == "text" && $0.text == "no data" })
    }

    @Test func colourScalesInterpolateBetweenControlColours() {
        let diverging = ColorScale.diverging
        #expect(diverging.color(for: 0, in: -2...2) == "#f7f7f7")
        #expect(diverging.color(for: -2, in: -2...2) == "#053061")
        #expect(diverging.color(for: 5, in: -2...2) == "#67001f", "values beyond the range take the end colour")
        // Halfway between the first two control colours (5, 48, 97) and (33, 102, 172): (19, 75, 134.5 -> 135).
        #expect(diverging.color(for: -2 + 0.2, in: -2...2) == "#134b87")
        #expect(diverging.range(for: [-0.3, 0.1, .nan]) == -0.3...0.3)
        #expect(ColorScale.sequential.range(for: [2, 3]) == 0...3, "non-negative values start at 0")
        #expect(ColorScale.sequential.range(for: [-1, 3]) == -1...3)
        #expect(ColorScale.sequential.range(for: [0, 0]) == -1...1)
    }
}

@Suite struct SaliencySectionTests {
    @Test func sectionHasHeatmapsForEverySelectionAndTheCompletenessTable() throws {
        let names = ["pt_log", "deta"]
        func average(_ selection: SaliencySelection, jets: Int) -> AveragedSaliency {
            AveragedSaliency(
                selection: selection, jetCount: jets, rankCounts: [jets, jets / 2, 0],
                meanSigned: SaliencyMap(featureNames: names, values: [0.4, -0.2, 0.1, 0.05, 0, 0]),
                meanAbsolute: SaliencyMap(featureNames: names, values: [0.4, 0.2, 0.1, 0.05, 0, 0]))
        }
        let maps = SaliencyMaps(averages: [average(.all, jets: 4), average(.label(1), jets: 2)], jets: [])
        let report = SaliencyReport(
            target: .discriminant(try TaggingDiscriminant(signalClass: 1, backgroundFractions: [(0, 1)])),
            featureNames: names, maxConstituents: 3, jetCount: 4, gradient: maps,
            integratedGradients: IntegratedGradientsResult(
                options: IntegratedGradientsOptions(steps: 20), maps: maps,
                completeness: CompletenessCheck(output: [1, 2], baselineOutput: [0.5, 0.5], attributionSum: [0.4, 1.5])))
        let page = HTMLReport(title: "run", sections: [HTMLReport.Section(saliency: report)])
        let parsed = try #require(ParsedXML.parse(page.html), "the page is not well-formed XML")
        #expect(parsed.elements.filter { $0.name == "svg" }.count == 2 * 2 * 2, "2 methods x 2 selections x signed/absolute")
        let captions = parsed.elements.filter { $0.name == "figcaption" }.map(\.text)
        #expect(captions.first == "Gradient saliency, mean signed values: all jets, 4 jets")
        #expect(captions.last == "Integrated gradients, mean absolute values: label 1, 2 jets")
        #expect(parsed.elements.contains { $0.name == "text" && $0.text == "mean d log(p_1 / p_0) / dx" })
        // Errors |0.4 - 0.5| = 0.1 and |1.5 - 1.5| = 0; relative 0.2 and 0.
        let cells = parsed.elements.filter { $0.name == "td" }.map(\.text)
        #expect(cells == ["|sum of attributions - output difference|", "0.1", "0.05", "relative to |output difference|", "0.2", "0.1"])
    }
}

@Test func columnLabelsAreThinnedToRoundSteps() {
    #expect(Heatmap.labelStride(cellWidth: 40, minimumSpacing: 30) == 1)
    #expect(Heatmap.labelStride(cellWidth: 12, minimumSpacing: 30) == 5)
    #expect(Heatmap.labelStride(cellWidth: 2, minimumSpacing: 30) == 20)
}
