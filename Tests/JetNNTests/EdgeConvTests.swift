import JetCore
import JetNN
import JetTestSupport
import Testing

/// The ParticleNet layers: k nearest neighbours over packed jets, the edge-feature gather, the neighbour mean and
/// the EdgeConv block, against brute-force references and central finite differences.
@Suite struct EdgeConvTests {
    /// Jets of 1 (no neighbour), 2 and 3 (fewer than k + 1 = 4), 0, 6 and 8 (the cap) constituents.
    static let offsets = try! JetOffsets(multiplicities: [1, 2, 3, 0, 6, 8], maxConstituents: 8)
    static let n = offsets.constituentCount

    /// Brute force: for each point, the other points of its jet sorted by (squared distance, row), first min(k, n-1).
    func referenceNeighbors(_ points: Matrix, columns: [Int], k: Int) -> [[Int]] {
        (0..<Self.offsets.jetCount).flatMap { jet in
            let rows = Self.offsets.rows(of: jet)
            return rows.map { i in
                let others = rows.filter { $0 != i }.map { j in
                    (columns.reduce(0.0) { sum, c in let d = Double(points[i, c] - points[j, c]); return sum + d * d }, j)
                }
                return Array(others.sorted { $0 < $1 }.prefix(k).map(\.1))
            }
        }
    }

    func neighbors(_ graph: NeighborGraph) -> [[Int]] {
        (0..<Self.n).map { i in graph.edges(of: i).map { Int(graph.neighbors[$0]) } }
    }

    @Test(arguments: [1, 3, 7, 20])
    func nearestNeighborsMatchBruteForce(k: Int) {
        let points = randomMatrix(rows: Self.n, columns: 5, seed: 101)
        let graph = NeighborGraph(coordinates: points, columns: [1, 3], offsets: Self.offsets, k: k)
        let expected = referenceNeighbors(points, columns: [1, 3], k: k)
        #expect(neighbors(graph) == expected)
        // Degrees min(k, n - 1): none for the single constituent, never the point itself.
        for jet in 0..<Self.offsets.jetCount {
            for i in Self.offsets.rows(of: jet) {
                #expect(graph.edges(of: i).count == min(k, Self.offsets.multiplicity(of: jet) - 1))
                #expect(!neighbors(graph)[i].contains(i))
            }
        }
        // Feature-space distances over all columns (SIMD path with 8 + 3 columns).
        let features = randomMatrix(rows: Self.n, columns: 11, seed: 102)
        #expect(
            neighbors(NeighborGraph(coordinates: features, offsets: Self.offsets, k: k))
                == referenceNeighbors(features, columns: Array(0..<11), k: k))
    }

    @Test func kAboveTheCapUsesEveryOtherPointAndTiesGoToTheLowerRow() throws {
        let points = randomMatrix(rows: Self.n, columns: 2, seed: 103)
        let (all, capped) = (
            NeighborGraph(coordinates: points, offsets: Self.offsets, k: 100),
            NeighborGraph(coordinates: points, offsets: Self.offsets, k: 7))
        #expect(all.neighbors == capped.neighbors && all.edgeOffsets == capped.edgeOffsets)
        // Four points of one jet on a square around the origin and one at it: equal distances.
        let offsets = try JetOffsets(multiplicities: [5], maxConstituents: 5)
        let square = Matrix(rows: 5, columns: 2, storage: [0, 0, 1, 0, 0, 1, -1, 0, 0, -1])
        let graph = NeighborGraph(coordinates: square, offsets: offsets, k: 2)
        #expect(graph.edges(of: 0).map { graph.neighbors[$0] } == [1, 2])
        #expect(graph.edges(of: 3).map { graph.neighbors[$0] } == [0, 2])
    }

    @Test func edgeFeaturesAndTheirScatterAddBackward() {
        let x = randomMatrix(rows: Self.n, columns: 3, seed: 104)
        let graph = NeighborGraph(coordinates: x, offsets: Self.offsets, k: 3)
        var gather = EdgeFeatures()
        gather.forward(x, graph: graph)
        var expected: [Float] = []
        for i in 0..<Self.n {
            for e in graph.edges(of: i) {
                let j = Int(graph.neighbors[e])
                expected += (0..<3).map { x[i, $0] } + (0..<3).map { x[j, $0] - x[i, $0] }
            }
        }
        #expect(gather.output.rows == graph.edgeCount && gather.output.columns == 6)
        expectClose(gather.output.storage, expected, tolerance: .closedForm, "edge features [x_i, x_j - x_i]")
        let projection = randomValues(graph.edgeCount * 6, seed: 105)
        gather.backward(dOutput: Matrix(rows: graph.edgeCount, columns: 6, storage: projection), graph: graph)
        checkInputGradient("edge gather dInput", analytic: gather.inputGradient, input: x, projection: projection) { x in
            var layer = EdgeFeatures()
            layer.forward(x, graph: graph)
            return layer.output
        }
    }

    @Test func neighborMeanIsZeroWithoutNeighborsAndMatchesFiniteDifferences() {
        let points = randomMatrix(rows: Self.n, columns: 2, seed: 106)
        let graph = NeighborGraph(coordinates: points, offsets: Self.offsets, k: 4)
        let edges = randomMatrix(rows: graph.edgeCount, columns: 3, seed: 107)
        var mean = NeighborMean()
        mean.forward(edges, graph: graph)
        var expected = [Float](repeating: 0, count: Self.n * 3)
        for i in 0..<Self.n where !graph.edges(of: i).isEmpty {
            for c in 0..<3 {
                expected[i * 3 + c] = graph.edges(of: i).map { edges[$0, c] }.reduce(0, +) / Float(graph.edges(of: i).count)
            }
        }
        expectClose(mean.output.storage, expected, tolerance: .float32, "neighbour mean")
        #expect(mean.output.storage[0..<3] == [0, 0, 0])  // the single-constituent jet
        let projection = randomValues(Self.n * 3, seed: 108)
        mean.backward(dOutput: Matrix(rows: Self.n, columns: 3, storage: projection), graph: graph)
        checkInputGradient("neighbour mean dInput", analytic: mean.inputGradient, input: edges, projection: projection) { e in
            var layer = NeighborMean()
            layer.forward(e, graph: graph)
            return layer.output
        }
    }

    /// One EdgeConv block with BatchNorm in training or evaluation mode: parameter and input gradients against
    /// finite differences (the graph is fixed: k-NN indices are constants), no NaN for the lone constituent. Few
    /// jets (1, 2, 3 and 5 constituents, k = 3: 18 edges) and inputs (seed 1002) for which no ReLU input lies within
    /// a step of its kink (about half the seeds put one there; the smaller-step quotients then agree).
    @Test(arguments: [(3, [6, 5], true), (4, [5, 4], false), (4, [4], true)])
    func edgeConvGradientsMatchFiniteDifferences(inputCount: Int, widths: [Int], training: Bool) {
        let offsets = try! JetOffsets(multiplicities: [1, 2, 3, 5], maxConstituents: 5)
        let n = offsets.constituentCount
        var rng = SeededGenerator(seed: 109)
        var parameters = Parameters()
        var block = EdgeConv("block", inputCount: inputCount, widths: widths, parameters: &parameters, rng: &rng)
        // Non-trivial running statistics for evaluation mode.
        for entry in parameters.entries where !entry.trainable {
            let values = randomValues(entry.count, seed: 110, scale: 0.3)
            parameters.setValues(entry.name.hasSuffix("running_var") ? values.map { 1 + abs($0) } : values, of: entry)
        }
        let x = randomMatrix(rows: n, columns: inputCount, seed: 1002)
        let graph = NeighborGraph(coordinates: randomMatrix(rows: n, columns: 2, seed: 112), offsets: offsets, k: 3)
        let projection = randomValues(n * widths[widths.count - 1], seed: 113)
        func scalar(_ parameters: Parameters, _ x: Matrix) -> Double {
            var layer = block
            var parameters = parameters
            layer.forward(x, graph: graph, parameters: &parameters, training: training)
            return project(layer.output.storage, onto: projection)
        }
        var trained = parameters
        block.forward(x, graph: graph, parameters: &trained, training: training)
        #expect(block.output.storage.allSatisfy { $0.isFinite })
        trained.zeroGradients()
        block.backward(&trained, dOutput: Matrix(rows: n, columns: projection.count / n, storage: projection), input: x)
        var analytic = parameters
        for entry in parameters.entries { analytic.setGradients(trained.gradients(of: entry), of: entry) }
        checkParameterGradients("EdgeConv \(widths) training \(training)", parameters: analytic, step: 1e-3) { scalar($0, x) }
        checkGradient("EdgeConv \(widths) dInput", analytic: block.inputGradient.storage, at: x.storage, step: 1e-3) { values in
            scalar(parameters, Matrix(rows: x.rows, columns: x.columns, storage: values))
        }
        // The lone constituent has no neighbours: its output is ReLU(shortcut(x_0)) alone.
        #expect(graph.edges(of: 0).isEmpty)
    }

    @Test func aBatchWithoutEdgesTrainsOnTheShortcutWithoutNaN() throws {
        let offsets = try JetOffsets(multiplicities: [1, 1, 1], maxConstituents: 4)
        var rng = SeededGenerator(seed: 114)
        var parameters = Parameters()
        var block = EdgeConv("block", inputCount: 2, widths: [3], parameters: &parameters, rng: &rng)
        let x = randomMatrix(rows: 3, columns: 2, seed: 115)
        let graph = NeighborGraph(coordinates: x, offsets: offsets, k: 16)
        #expect(graph.edgeCount == 0)
        block.forward(x, graph: graph, parameters: &parameters, training: true)
        #expect(block.output.storage.allSatisfy { $0.isFinite })
        block.backward(&parameters, dOutput: Matrix(rows: 3, columns: 3, repeating: 1), input: x)
        #expect(block.inputGradient.storage.allSatisfy { $0.isFinite } && parameters.gradients.allSatisfy { $0.isFinite })
        // The edge MLP got no rows, so no gradient; the shortcut did.
        let edgeWeight = try #require(parameters.entry(named: "block.edge.0.weight"))
        #expect(parameters.gradients(of: edgeWeight).allSatisfy { $0 == 0 })
        let shortcutWeight = try #require(parameters.entry(named: "block.shortcut.weight"))
        #expect(parameters.gradients(of: shortcutWeight).contains { $0 != 0 })
    }

    @Test func twoThreadsGiveTheSameBitsAsOne() throws {
        // 300 jets of up to 40 constituents: the k-NN, gather, mean and the MLP's sgemm parts all split.
        let offsets = try JetOffsets(multiplicities: (0..<96).map { Int32(1 + $0 * 7 % 30) }, maxConstituents: 30)
        var rng = SeededGenerator(seed: 116)
        var parameters = Parameters()
        let block = EdgeConv("block", inputCount: 9, widths: [16, 12], parameters: &parameters, rng: &rng)
        let x = randomMatrix(rows: offsets.constituentCount, columns: 9, seed: 117)
        let dOutput = randomMatrix(rows: offsets.constituentCount, columns: 12, seed: 118)
        func run(threads: Int) -> [[Float]] {
            ComputeThreads.set(threads)
            defer { ComputeThreads.set(1) }
            var (layer, values) = (block, parameters)
            let graph = NeighborGraph(coordinates: x, offsets: offsets, k: 16)
            layer.forward(x, graph: graph, parameters: &values, training: true)
            layer.backward(&values, dOutput: dOutput, input: x)
            return [graph.neighbors.map(Float.init), layer.output.storage, layer.inputGradient.storage, values.gradients, values.values]
        }
        #expect(run(threads: 2) == run(threads: 1))
    }
}
