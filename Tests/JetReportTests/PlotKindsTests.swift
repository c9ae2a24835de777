@testable import JetMetrics
import Testing
@testable import JetReport

/// Every plot kind the report draws: well-formed SVG with the expected series and legend entries, drawn from
/// hand-made histograms and curves.
@Suite struct PlotKindsTests {
    /// Legend texts in order.
    private func legend(_ svg: ParsedXML) -> [String] {
        svg.elements.filter { $0.name == "text" && $0.group == "legend" }.map(\.text)
    }

    private func histogram(_ values: [Float], weights: [Float]? = nil, edges: [Double] = [0, 0.25, 0.5, 0.75, 1]) throws -> Histogram {
        var histogram = try Histogram(edges: edges)
        try histogram.fill(values, weights: weights)
        return histogram
    }

    @Test func scoreDistributionsAreNormalisedStepsPerClassOnALogAxis() throws {
        let plot = try Plot.scoreDistributions(
            [("qcd", try histogram([0.1, 0.1, 0.3, 0.6])), ("top", try histogram([0.9, 0.8, 0.6]))], scoreLabel: "p(top)")
        let svg = try #require(ParsedXML.parse(plot.svg))
        #expect(svg.seriesNames == ["qcd jets", "top jets"])
        #expect(legend(svg) == ["qcd jets", "top jets"])
        #expect(plot.yAxis.scale == .logarithmic)
        #expect(plot.series[0].y == [0.5, 0.25, 0.25, 0])
        #expect(svg.elements.contains { $0.name == "text" && $0.text == "p(top)" })
    }

    @Test func lossCurvesMarkTheBestValidationEpochOfEachRun() throws {
        let history = [
            TrainingEpoch(epoch: 1, trainingLoss: 0.7, validationLoss: 0.65, learningRate: 0.001, seconds: 1, jetsPerSecond: 100),
            TrainingEpoch(epoch: 2, trainingLoss: 0.5, validationLoss: 0.45, learningRate: 0.001, seconds: 1, jetsPerSecond: 100),
            TrainingEpoch(epoch: 3, trainingLoss: 0.4, validationLoss: 0.5, learningRate: 0.001, seconds: 1, jetsPerSecond: 100),
        ]
        let single = try #require(ParsedXML.parse(Plot.lossCurves([("run", history)]).svg))
        #expect(single.seriesNames == ["training", "validation", "best (epoch 2)"])
        #expect(single.elements("circle", inSeries: "best (epoch 2)").count == 1)
        #expect(single.elements("polyline", inSeries: "validation").first?.attributes["stroke-dasharray"] == "6 3")

        let two = Plot.lossCurves([("a", history), ("b", Array(history.prefix(1)))])
        #expect(two.series.map(\.name) == [
            "a: training", "a: validation", "a: best (epoch 2)", "b: training", "b: validation", "b: best (epoch 1)",
        ])
        #expect(legend(try #require(ParsedXML.parse(two.svg))).count == 6)
    }

    @Test func featureAndWeightDistributions() throws {
        let feature = try Plot.featureDistribution(
            "deltaR", histograms: [("qcd", try histogram([0.1, 0.2])), ("top", try histogram([0.6, 0.9], weights: [2, -1]))])
        let svg = try #require(ParsedXML.parse(feature.svg))
        #expect(svg.seriesNames == ["qcd jets", "top jets"])
        #expect(svg.elements.contains { $0.name == "text" && $0.text == "deltaR (standardised)" })
        // Normalised by the signed sum 2 - 1 = 1.
        #expect(feature.series[1].y == [0, 0, 2, -1])

        let weights = Plot.weightDistribution([("before", try histogram([0.1, 0.9, 0.9])), ("after", try histogram([0.6]))])
        let weightSVG = try #require(ParsedXML.parse(weights.svg))
        #expect(legend(weightSVG) == ["before", "after"])
        #expect(weights.yAxis.scale == .logarithmic)
        #expect(weights.series[0].y == [1, 0, 0, 2])
    }

    @Test func closurePlotHasThreeShapesAndTwoRatiosToTheTarget() throws {
        let closure = try ObservableClosure(
            name: "mass", edges: [0, 100, 200], source: [50, 150, 150], oldWeights: [1, 1, 1], newWeights: [2, 1, 1],
            target: [50, 150], targetWeights: [1, 1])
        let plot = try Plot.closure(closure)
        let svg = try #require(ParsedXML.parse(plot.svg))
        #expect(svg.seriesNames == ["target", "source", "source reweighted", "source", "source reweighted"])
        #expect(legend(svg) == ["target", "source", "source reweighted"])
        #expect(svg.elements.contains { $0.name == "text" && $0.text == "Jet mass [GeV]" })
        // Source shape (1/3, 2/3) over target (1/2, 1/2); reweighted (1/2, 1/2) closes exactly.
        let ratios = try #require(plot.ratios.first?.series)
        #expect(zip(ratios[0].y, [2.0 / 3, 4.0 / 3]).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(ratios[1].y == [1, 1])
        #expect(svg.elements("circle", inSeries: "source reweighted").count == 2)
    }

    /// With weight variations (new weights 2, 1, 1 and 1, 1, 1 for the same three jets: shapes (1/2, 1/2) and
    /// (1/3, 2/3), deviations 1/12 from the mean: spread sqrt(2 / 144) per bin), a band of the spread around the reweighted shape and its ratio.
    @Test func closurePlotDrawsTheVariationSpreadAsABand() throws {
        let closure = try ObservableClosure(
            name: "mass", edges: [0, 100, 200], source: [50, 150, 150], oldWeights: [1, 1, 1], newWeights: [2, 1, 1],
            target: [50, 150], targetWeights: [1, 1], variationWeights: [[2, 1, 1], [1, 1, 1]])
        let plot = try Plot.closure(closure)
        let spread = 2.0.squareRoot() / 12
        let band = try #require(plot.series.first { $0.kind == .band })
        #expect(band.y == [0.5, 0.5] && zip(band.yErrors!, [spread, spread]).allSatisfy { abs($0 - $1) < 1e-12 })
        let ratioBand = try #require(plot.ratios.first?.series.first { $0.kind == .band })
        #expect(zip(ratioBand.yErrors!, [2 * spread, 2 * spread]).allSatisfy { abs($0 - $1) < 1e-12 })
        let svg = try #require(ParsedXML.parse(plot.svg))
        #expect(legend(svg) == ["target", "source", "source reweighted"])
        #expect(try Plot.closure(try ObservableClosure(
            name: "mass", edges: [0, 100, 200], source: [50, 150, 150], oldWeights: [1, 1, 1], newWeights: [2, 1, 1],
            target: [50, 150], targetWeights: [1, 1])).series.allSatisfy { $0.kind != .band })
    }

    @Test func rocFromStoredSummariesWithARatioPanel() throws {
        let good = try ROCCurve(scores: [0.9, 0.8, 0.7, 0.6, 0.3, 0.2, 0.1, 0.05], isSignal: [true, true, true, false, true, false, false, false])
        let bad = try ROCCurve(scores: [0.9, 0.8, 0.7, 0.6, 0.3, 0.2, 0.1, 0.05], isSignal: [true, false, true, false, true, false, true, false])
        let plot = Plot.roc(summaries: [("reference", try ROCSummary(bad)), ("new", try ROCSummary(good))], ratioToFirst: true)
        let svg = try #require(ParsedXML.parse(plot.svg))
        #expect(legend(svg) == ["reference", "new"])
        #expect(svg.elements.contains { $0.name == "text" && $0.text == "Ratio to reference" })
        #expect(plot.yAxis.scale == .logarithmic)
        // The reference's ratio to itself is 1 wherever it is defined.
        let own = try #require(plot.ratios.first?.series.first)
        #expect(own.y.filter(\.isFinite).allSatisfy { abs($0 - 1) < 1e-12 })
    }

    @Test func storedCurvesInterpolateLinearlyInSignalEfficiency() {
        let points = ROCSummary.Points(
            threshold: [0.9, 0.5, 0.1], signalEfficiency: [0.2, 0.6, 1.0], backgroundEfficiency: [0.01, 0.05, 1.0],
            backgroundRejection: [100, 20, 1])
        // eps_B halfway between 0.01 and 0.05 at eps_S = 0.4 is 0.03.
        #expect(abs(Plot.interpolatedRejection(points, at: 0.4) - 1 / 0.03) < 1e-9)
        #expect(Plot.interpolatedRejection(points, at: 0.6) == 20)
        #expect(Plot.interpolatedRejection(points, at: 0.1).isNaN)
    }
}
