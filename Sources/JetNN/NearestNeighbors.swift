/// The k nearest neighbours of every constituent within its own jet, over packed variable-length jets: the graph
/// an ``EdgeConv`` block works on (ParticleNet, DGCNN).
///
/// For jet b with n_b constituents each of its points gets k_b = min(k, n_b - 1) neighbours: the other points of
/// the jet (never itself) in order of increasing squared Euclidean distance in the given coordinates, ties broken
/// by the lower packed row. A jet with fewer than k + 1 constituents so uses all its other points, and a
/// single-constituent jet has none (its ``EdgeConv`` neighbour mean is zero); a k above the constituent cap
/// behaves like k = cap - 1. Padding never exists, so no padded point can be a neighbour.
///
/// Shapes: coordinates [N, D] (packed as ``JetOffsets``), ``neighbors`` [E] with E = sum_b n_b k_b, the edges of
/// point i at ``edges(of:)``. The indices are constants of the graph (not differentiable, as in PyTorch's
/// `topk`). Jets are searched on the compute threads, each jet alone, so the graph is the same for any thread count.
public struct NeighborGraph: Sendable, Equatable {
    /// The requested number of neighbours k (>= 1).
    public let k: Int
    /// [N + 1] edge offsets: point i owns edges `edgeOffsets[i]..<edgeOffsets[i + 1]`.
    public private(set) var edgeOffsets: [Int]
    /// [E] the packed row of each edge's neighbour, nearest first per point.
    public private(set) var neighbors: [Int32]
    /// The jets of the points.
    public let offsets: JetOffsets

    /// Number of edges E.
    public var edgeCount: Int { neighbors.count }

    /// The edges of packed point `point`.
    public func edges(of point: Int) -> Range<Int> { edgeOffsets[point]..<edgeOffsets[point + 1] }

    /// Searches the neighbours of every point in `coordinates` (all columns) with jets at `offsets`.
    public init(coordinates: Matrix, offsets: JetOffsets, k: Int) {
        self.init(coordinates: coordinates, columns: 0..<coordinates.columns, offsets: offsets, k: k)
    }

    /// Searches the neighbours in the given columns of `points` (e.g. deta and dphi among the input features).
    public init(coordinates points: Matrix, columns: some Collection<Int>, offsets: JetOffsets, k: Int) {
        precondition(k >= 1, "NeighborGraph: k must be >= 1, got \(k)")
        precondition(
            points.rows == offsets.constituentCount,
            "NeighborGraph: \(points.rows) points, the offsets describe \(offsets.constituentCount)")
        precondition(
            !columns.isEmpty && columns.allSatisfy { (0..<points.columns).contains($0) },
            "NeighborGraph: columns \(Array(columns)) outside the \(points.columns) of the points")
        self.k = k
        self.offsets = offsets
        var edgeOffsets = [0]
        edgeOffsets.reserveCapacity(offsets.constituentCount + 1)
        for jet in 0..<offsets.jetCount {
            let n = offsets.multiplicity(of: jet)
            let degree = min(k, max(n - 1, 0))
            for _ in 0..<n { edgeOffsets.append(edgeOffsets[edgeOffsets.count - 1] + degree) }
        }
        self.edgeOffsets = edgeOffsets
        neighbors = [Int32](repeating: 0, count: edgeOffsets[edgeOffsets.count - 1])
        // The chosen columns, contiguous per point, so distances run over one row.
        let dimensions = columns.count
        var gathered = [Float](repeating: 0, count: points.rows * dimensions)
        let chosen = Array(columns)
        for r in 0..<points.rows {
            for (d, c) in chosen.enumerated() { gathered[r * dimensions + d] = points[r, c] }
        }
        let maximum = offsets.maxMultiplicity
        neighbors.withUnsafeMutableBufferPointer { neighbors in
            gathered.withUnsafeBufferPointer { x in
                edgeOffsets.withUnsafeBufferPointer { edgeOffsets in
                    forEachChunk(of: offsets.jetCount, minimumPerChunk: 8) { jets in
                        var distances = [Float](repeating: 0, count: maximum)
                        var best = [(distance: Float, row: Int32)](repeating: (0, 0), count: k)
                        for jet in jets {
                            searchNeighbors(
                                jet: offsets.rows(of: jet), x: x.baseAddress!, dimensions: dimensions, k: k,
                                edgeOffsets: edgeOffsets.baseAddress!, neighbors: neighbors.baseAddress!,
                                distances: &distances, best: &best)
                        }
                    }
                }
            }
        }
    }
}

/// The neighbours of every point of one jet (packed rows `jet`): distances to the jet's points, then the
/// `min(k, n - 1)` smallest by insertion (n <= a few hundred, k <= a few dozen), ties to the lower row.
private func searchNeighbors(
    jet: Range<Int>, x: UnsafePointer<Float>, dimensions: Int, k: Int, edgeOffsets: UnsafePointer<Int>,
    neighbors: UnsafeMutablePointer<Int32>, distances: inout [Float], best: inout [(distance: Float, row: Int32)]
) {
    let degree = min(k, jet.count - 1)
    guard degree > 0 else { return }
    for i in jet {
        let xi = x + i * dimensions
        for j in jet { distances[j - jet.lowerBound] = squaredDistance(xi, x + j * dimensions, count: dimensions) }
        var found = 0
        for j in jet where j != i {
            let d = distances[j - jet.lowerBound]
            // Rows come in increasing order, so an equal distance stays behind the earlier row.
            if found == degree && !(d < best[degree - 1].distance) { continue }
            var slot = min(found, degree - 1)
            while slot > 0 && d < best[slot - 1].distance {
                best[slot] = best[slot - 1]
                slot -= 1
            }
            best[slot] = (d, Int32(j))
            found = min(found + 1, degree)
        }
        let first = edgeOffsets[i]
        for e in 0..<degree { neighbors[first + e] = best[e].row }
    }
}

/// sum_c (a[c] - b[c])^2 with SIMD8 accumulators.
@inline(__always)
func squaredDistance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
    var accumulator = SIMD8<Float>()
    var c = 0
    while c + 8 <= count {
        let difference = UnsafeRawPointer(a + c).loadUnaligned(as: SIMD8<Float>.self)
            - UnsafeRawPointer(b + c).loadUnaligned(as: SIMD8<Float>.self)
        accumulator += difference * difference
        c += 8
    }
    var total = accumulator.sum()
    while c < count {
        let difference = a[c] - b[c]
        total += difference * difference
        c += 1
    }
    return total
}
