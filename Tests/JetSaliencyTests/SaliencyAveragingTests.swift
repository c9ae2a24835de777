import Foundation
import JetMetrics
import JetModels
import JetNN
import JetTestSupport
import Testing
@testable import JetSaliency

@Suite struct SaliencyAveragingTests {
    /// Three jets, F = 2, P = 3, maps written out by hand:
    /// jet 0: 2 constituents, label 0, score 0.9: [1, -2], [3, 4]
    /// jet 1: 1 constituent,  label 1, score 0.2: [-1, 2]
    /// jet 2: 3 constituents, label 1, score 0.6: [2, 2], [-3, 1], [5, -1]
    private func handAverages() throws -> SaliencyMaps {
        let selections: [SaliencySelection] = [
            .all, .label(1), .multiplicity(2), .passing(threshold: 0.5), .failing(threshold: 0.5),
            SaliencySelection(name: "label 1 passing", label: 1, minScore: 0.5),
        ]
        var accumulator = SaliencyAccumulator(
            selections: selections, featureNames: ["x", "y"], rankCount: 3, recordedJets: [1])
        let maps = Matrix(rows: 6, columns: 2, storage: [1, -2, 3, 4, -1, 2, 2, 2, -3, 1, 5, -1])
        let offsets = try JetOffsets(multiplicities: [2, 1, 3], maxConstituents: 3)
        let context = [
            JetContext(index: 0, label: 0, score: 0.9, multiplicity: 2),
            JetContext(index: 1, label: 1, score: 0.2, multiplicity: 1),
            JetContext(index: 2, label: 1, score: 0.6, multiplicity: 3),
        ]
        accumulator.add(maps, offsets: offsets, jets: context, outputs: [0.5, -1.5, 2.5])
        return accumulator.maps
    }

    @Test func selectionsCountJetsAndAverageByRank() throws {
        let maps = try handAverages()
        let expected: [(jets: Int, ranks: [Int], signed: [Double], absolute: [Double])] = [
            (3, [3, 2, 1], [2.0 / 3, 2.0 / 3, 0, 2.5, 5, -1], [4.0 / 3, 2, 3, 2.5, 5, 1]),
            (2, [2, 1, 1], [0.5, 2, -3, 1, 5, -1], [1.5, 2, 3, 1, 5, 1]),
            (1, [1, 1, 0], [1, -2, 3, 4, 0, 0], [1, 2, 3, 4, 0, 0]),
            (2, [2, 2, 1], [1.5, 0, 0, 2.5, 5, -1], [1.5, 2, 3, 2.5, 5, 1]),
            (1, [1, 0, 0], [-1, 2, 0, 0, 0, 0], [1, 2, 0, 0, 0, 0]),
            (1, [1, 1, 1], [2, 2, -3, 1, 5, -1], [2, 2, 3, 1, 5, 1]),
        ]
        #expect(maps.averages.count == expected.count)
        for (average, want) in zip(maps.averages, expected) {
            let name = average.selection.name
            #expect(average.jetCount == want.jets, "\(name)")
            #expect(average.rankCounts == want.ranks, "\(name)")
            expectClose(average.meanSigned.values, want.signed, "\(name) mean signed")
            expectClose(average.meanAbsolute.values, want.absolute, "\(name) mean absolute")
        }
        #expect(maps.jets == [SingleJetSaliency(
            jetIndex: 1, label: 1, multiplicity: 1, score: Double(Float(0.2)), output: -1.5,
            map: SaliencyMap(featureNames: ["x", "y"], values: [-1, 2, 0, 0, 0, 0]))])
    }

    /// Batches of 2 and two separate `add` calls give the report of one pass, with jets numbered across batches.
    @Test func batchingAndStreamingGiveTheSameReport() throws {
        let (model, _) = try linearDeepSets()
        let jets = try randomJets(multiplicities: [3, 1, 4, 2, 5], features: 3, seed: 31)
        let labels = [0, 1, 1, 0, 1]
        let scores: [Float] = [0.1, 0.7, 0.4, 0.9, 0.5]
        func options(batchSize: Int) -> SaliencyOptions {
            SaliencyOptions(
                featureNames: ["a", "b", "c"], maxConstituents: 5,
                selections: [.all, .label(1), .passing(threshold: 0.5), .multiplicity(4)], jetIndices: [1, 4],
                integratedGradients: IntegratedGradientsOptions(steps: 4), batchSize: batchSize)
        }
        let whole = try SaliencyAnalysis.run(
            model: model, jets: jets, labels: labels, scores: scores, options: options(batchSize: 512))
        let batched = try SaliencyAnalysis.run(
            model: model, jets: jets, labels: labels, scores: scores, options: options(batchSize: 2))
        var streamed = try SaliencyAnalysis(options: options(batchSize: 3))
        var copy = model
        try streamed.add(model: &copy, jets: jets.jets(0..<2), labels: Array(labels[0..<2]), scores: Array(scores[0..<2]))
        try streamed.add(model: &copy, jets: jets.jets(2..<5), labels: Array(labels[2...]), scores: Array(scores[2...]))

        for report in [batched, streamed.report] {
            #expect(report.jetCount == 5)
            #expect(report.gradient.jets.map(\.jetIndex) == [1, 4])
            #expect(report.gradient.jets.map(\.multiplicity) == [1, 5])
            #expect(report.gradient.averages.map(\.jetCount) == whole.gradient.averages.map(\.jetCount))
            #expect(report.gradient.averages.map(\.rankCounts) == whole.gradient.averages.map(\.rankCounts))
            for (a, b) in zip(report.gradient.averages, whole.gradient.averages) {
                expectClose(a.meanSigned.values, b.meanSigned.values, tolerance: DoubleTolerance.float32, a.selection.name)
            }
            expectClose(
                report.integratedGradients?.completeness.attributionSum ?? [],
                whole.integratedGradients?.completeness.attributionSum ?? [], tolerance: DoubleTolerance.float32,
                "attribution sums")
        }
        #expect(whole.gradient.averages.map(\.jetCount) == [5, 3, 3, 1])
        #expect(whole.gradient.averages[0].rankCounts == [5, 4, 3, 2, 1])
    }
}

extension SaliencyAveragingTests {
    @Test func slicingKeepsConstituentsOffsetsAndJetFeatures() throws {
        let jets = try randomJets(multiplicities: [2, 3, 1, 4], features: 2, jetFeatures: 3, seed: 51)
        let slice = jets.jets(1..<3)
        #expect(slice.offsets.offsets == [0, 3, 4])
        #expect(slice.constituents.storage == Array(jets.constituents.storage[4..<12]))
        #expect(slice.jetFeatures?.storage == Array(try #require(jets.jetFeatures).storage[3..<9]))
    }

    /// A jet without constituents counts as selected, reaches no rank, and has a zero map; a batch of only such
    /// jets runs too.
    @Test func jetsWithoutConstituentsHaveEmptyMaps() throws {
        let (model, effective) = try linearDeepSets()
        let jets = try randomJets(multiplicities: [2, 0, 1], features: 3, seed: 52)
        let report = try SaliencyAnalysis.run(
            model: model, jets: jets,
            options: SaliencyOptions(
                featureNames: ["a", "b", "c"], maxConstituents: 2, selections: [.all, .multiplicity(0)],
                jetIndices: [1], integratedGradients: IntegratedGradientsOptions(steps: 2), batchSize: 1))
        #expect(report.gradient.averages.map(\.jetCount) == [3, 1])
        #expect(report.gradient.averages[0].rankCounts == [2, 1])
        #expect(report.gradient.averages[1].rankCounts == [0, 0])
        expectClose(report.gradient.averages[0].meanSigned.values, (effective + effective).map(Double.init),
                    tolerance: DoubleTolerance.float32, "linear model, every rank")
        #expect(report.gradient.jets.first?.map.values == [0, 0, 0, 0, 0, 0])
        #expect(report.integratedGradients?.completeness.absoluteError[1] == 0)
    }
}
