/// The mean over each point's edges: [E, C] -> [N, C], out_i = (1 / k_i) sum over the edges of i (k_i of them,
/// see ``NeighborGraph``); a point without edges (a single-constituent jet) gets zeros and passes no gradient,
/// never NaN.
///
/// The backward spreads d(out_i) / k_i over i's edges. Each point's sum is its own, in edge order, so the
/// result does not depend on the thread count.
public struct NeighborMean: Sendable {
    /// The last forward's result [N, C].
    public private(set) var output = Matrix(rows: 0, columns: 0)
    /// The last backward's d(loss)/d(edges) [E, C] (overwritten).
    public private(set) var inputGradient = Matrix(rows: 0, columns: 0)

    public init() {}

    /// ``output`` from edge rows `input` [E, C] of `graph`.
    public mutating func forward(_ input: Matrix, graph: NeighborGraph) {
        precondition(input.rows == graph.edgeCount, "NeighborMean: \(input.rows) rows, the graph has \(graph.edgeCount) edges")
        let channels = input.columns
        let points = graph.offsets.constituentCount
        output.resize(rows: points, columns: channels)
        output.storage.withUnsafeMutableBufferPointer { out in
            input.storage.withUnsafeBufferPointer { edges in
                graph.edgeOffsets.withUnsafeBufferPointer { edgeOffsets in
                    forEachChunk(of: points, minimumPerChunk: pointsPerChunk) { points in
                        for i in points {
                            let row = out.baseAddress! + i * channels
                            row.update(repeating: 0, count: channels)
                            let range = edgeOffsets[i]..<edgeOffsets[i + 1]
                            guard !range.isEmpty else { continue }
                            for e in range { addElementwise(row, row, edges.baseAddress! + e * channels, count: channels) }
                            let scale = 1 / Float(range.count)
                            for c in 0..<channels { row[c] *= scale }
                        }
                    }
                }
            }
        }
    }

    /// ``inputGradient`` [E, C] from dOutput [N, C] for the graph of the last forward.
    public mutating func backward(dOutput: Matrix, graph: NeighborGraph) {
        precondition(
            dOutput.rows == graph.offsets.constituentCount && dOutput.columns == output.columns,
            "NeighborMean: dOutput \(dOutput), expected [\(graph.offsets.constituentCount), \(output.columns)]")
        let channels = dOutput.columns
        inputGradient.resize(rows: graph.edgeCount, columns: channels)
        inputGradient.storage.withUnsafeMutableBufferPointer { dEdges in
            dOutput.storage.withUnsafeBufferPointer { dOut in
                graph.edgeOffsets.withUnsafeBufferPointer { edgeOffsets in
                    forEachChunk(of: dOutput.rows, minimumPerChunk: pointsPerChunk) { points in
                        for i in points {
                            let range = edgeOffsets[i]..<edgeOffsets[i + 1]
                            guard !range.isEmpty else { continue }
                            let scale = 1 / Float(range.count)
                            let source = dOut.baseAddress! + i * channels
                            for e in range {
                                let row = dEdges.baseAddress! + e * channels
                                for c in 0..<channels { row[c] = source[c] * scale }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Points per thread below which the neighbour mean stays on one thread.
private let pointsPerChunk = 256
