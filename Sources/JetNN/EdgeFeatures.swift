/// The edge features of an ``EdgeConv`` block: for every edge (i, j) of a ``NeighborGraph`` the row
/// [x_i, x_j - x_i], ParticleNet's `get_graph_feature`.
///
/// Shapes: input x [N, C] (packed points), ``output`` [E, 2C] (edge e of point i at row e, see
/// ``NeighborGraph/edges(of:)``). The backward is the scatter-add
/// dx_i += dE_e[0..<C] - dE_e[C..<2C] over the edges of i, and dx_j += dE_e[C..<2C] over the edges whose
/// neighbour is j; both stay inside a jet, so the jets are shared out over the compute threads and each jet's
/// edges are added in edge order: the same bits for any thread count.
public struct EdgeFeatures: Sendable {
    /// The last forward's edge features [E, 2C].
    public private(set) var output = Matrix(rows: 0, columns: 0)
    /// The last backward's d(loss)/d(x) [N, C] (overwritten).
    public private(set) var inputGradient = Matrix(rows: 0, columns: 0)
    private var forwardShape: (points: Int, channels: Int)?

    public init() {}

    /// ``output`` from the points `input` [N, C] and their `graph`.
    public mutating func forward(_ input: Matrix, graph: NeighborGraph) {
        precondition(
            input.rows == graph.offsets.constituentCount,
            "EdgeFeatures: \(input.rows) points, the graph has \(graph.offsets.constituentCount)")
        let channels = input.columns
        forwardShape = (input.rows, channels)
        output.resize(rows: graph.edgeCount, columns: 2 * channels)
        output.storage.withUnsafeMutableBufferPointer { out in
            input.storage.withUnsafeBufferPointer { x in
                graph.neighbors.withUnsafeBufferPointer { neighbors in
                    graph.edgeOffsets.withUnsafeBufferPointer { edgeOffsets in
                        forEachChunk(of: input.rows, minimumPerChunk: pointsPerChunk) { points in
                            for i in points {
                                let xi = x.baseAddress! + i * channels
                                for e in edgeOffsets[i]..<edgeOffsets[i + 1] {
                                    let row = out.baseAddress! + e * 2 * channels
                                    let xj = x.baseAddress! + Int(neighbors[e]) * channels
                                    row.update(from: xi, count: channels)
                                    for c in 0..<channels { row[channels + c] = xj[c] - xi[c] }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// ``inputGradient`` [N, C] from dOutput [E, 2C], d(loss)/d(``output``), for the graph of the last forward.
    public mutating func backward(dOutput: Matrix, graph: NeighborGraph) {
        guard let forwardShape else { preconditionFailure("EdgeFeatures: backward before forward") }
        let channels = forwardShape.channels
        precondition(
            dOutput.rows == graph.edgeCount && dOutput.columns == 2 * channels
                && graph.offsets.constituentCount == forwardShape.points,
            "EdgeFeatures: dOutput \(dOutput) for a graph of \(graph.edgeCount) edges; forward had \(forwardShape.points) points of \(channels) channels")
        inputGradient.resize(rows: forwardShape.points, columns: channels)
        inputGradient.zero()
        let offsets = graph.offsets
        inputGradient.storage.withUnsafeMutableBufferPointer { dx in
            dOutput.storage.withUnsafeBufferPointer { dEdges in
                graph.neighbors.withUnsafeBufferPointer { neighbors in
                    graph.edgeOffsets.withUnsafeBufferPointer { edgeOffsets in
                        forEachChunk(of: offsets.jetCount, minimumPerChunk: 8) { jets in
                            for jet in jets {
                                for i in offsets.rows(of: jet) {
                                    let dxi = dx.baseAddress! + i * channels
                                    for e in edgeOffsets[i]..<edgeOffsets[i + 1] {
                                        let row = dEdges.baseAddress! + e * 2 * channels
                                        let dxj = dx.baseAddress! + Int(neighbors[e]) * channels
                                        for c in 0..<channels {
                                            dxi[c] += row[c] - row[channels + c]
                                            dxj[c] += row[channels + c]
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Points per thread below which the edge gather stays on one thread.
private let pointsPerChunk = 256
