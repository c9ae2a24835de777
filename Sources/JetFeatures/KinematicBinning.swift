/// Bins of jet-level variables for kinematic flattening and resampling, e.g. (pt, |eta|).
///
/// Each axis has increasing `edges`; bin k of an axis is [edges[k], edges[k+1]), the last one closed.
/// Bins are numbered row-major over the axes (the last axis fastest).
/// YAML: `axes: [{field: pt, edges: [...]}, {field: eta, edges: [...], absolute: true}]`,
/// `outOfRange: error` (default; a jet outside the edges is an error naming it) or `clamp` (it joins the
/// nearest edge bin).
public struct KinematicBinning: Codable, Sendable, Equatable {
    /// One binned jet field.
    public struct Axis: Codable, Sendable, Equatable {
        public var field: String
        public var edges: [Float]
        /// Bin |value| instead of value (for eta).
        public var absolute: Bool

        public init(field: String, edges: [Float], absolute: Bool = false) {
            self.field = field
            self.edges = edges
            self.absolute = absolute
        }

        private enum CodingKeys: String, CodingKey { case field, edges, absolute }

        public init(from decoder: Decoder) throws {
            let keyed = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                field: try keyed.decode(String.self, forKey: .field),
                edges: try keyed.decode([Float].self, forKey: .edges),
                absolute: try keyed.decodeIfPresent(Bool.self, forKey: .absolute) ?? false)
        }
    }

    /// What happens to a jet outside the edges.
    public enum OutOfRange: String, Codable, Sendable {
        case error, clamp
    }

    public var axes: [Axis]
    public var outOfRange: OutOfRange

    public init(axes: [Axis], outOfRange: OutOfRange = .error) {
        self.axes = axes
        self.outOfRange = outOfRange
    }

    private enum CodingKeys: String, CodingKey { case axes, outOfRange }

    public init(from decoder: Decoder) throws {
        let keyed = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            axes: try keyed.decode([Axis].self, forKey: .axes),
            outOfRange: try keyed.decodeIfPresent(OutOfRange.self, forKey: .outOfRange) ?? .error)
    }

    /// Total number of bins (product over axes).
    public var binCount: Int { axes.reduce(1) { $0 * ($1.edges.count - 1) } }

    /// The per-axis bin numbers of a flat bin index.
    public func coordinates(ofBin bin: Int) -> [Int] {
        var rest = bin
        var coordinates = [Int](repeating: 0, count: axes.count)
        for (axis, item) in axes.enumerated().reversed() {
            let size = item.edges.count - 1
            coordinates[axis] = rest % size
            rest /= size
        }
        return coordinates
    }

    func validate() throws {
        guard !axes.isEmpty else { throw JetFeaturesError.invalidSpec("the binning has no axes") }
        for axis in axes {
            let increasing = zip(axis.edges, axis.edges.dropFirst()).allSatisfy { $0 < $1 }
            guard axis.edges.count >= 2, increasing, axis.edges.allSatisfy(\.isFinite) else {
                throw JetFeaturesError.invalidSpec(
                    "binning of '\(axis.field)': edges must be at least 2 finite, increasing values, got \(axis.edges)")
            }
        }
    }

    /// The flat bin index of every jet.
    ///
    /// - Parameters:
    ///   - fields: jet-level columns, each of length `count`, holding at least the axes' fields.
    ///   - rows: file rows for error messages (empty: positions).
    public func binIndices(fields: [String: [Float]], count: Int, rows: [Int] = []) throws -> [Int] {
        try validate()
        var indices = [Int](repeating: 0, count: count)
        for axis in axes {
            guard let values = fields[axis.field] else {
                throw JetFeaturesError.missingField(field: axis.field, level: "jet", neededBy: "binning")
            }
            guard values.count == count else {
                throw JetFeaturesError.shapeMismatch(field: axis.field, expected: count, got: values.count)
            }
            let (low, high, size) = (axis.edges[0], axis.edges[axis.edges.count - 1], axis.edges.count - 1)
            for (b, raw) in values.enumerated() {
                let row = rows.count == count ? rows[b] : b
                guard raw.isFinite else {
                    throw JetFeaturesError.nonFiniteInput(field: axis.field, row: row, constituent: nil, value: raw)
                }
                let value = axis.absolute ? abs(raw) : raw
                if (value < low || value > high) && outOfRange == .error {
                    throw JetFeaturesError.outOfBinningRange(field: axis.field, row: row, value: value, low: low, high: high)
                }
                // Number of edges <= value, minus one: the bin whose lower edge is the largest one <= value.
                let upper = axis.edges.partitioningIndex { $0 > value }
                let bin = min(max(upper - 1, 0), size - 1)
                indices[b] = indices[b] * size + bin
            }
        }
        return indices
    }
}

extension Array where Element == Float {
    /// First index whose element satisfies `predicate`, for a predicate false then true along the array.
    fileprivate func partitioningIndex(where predicate: (Float) -> Bool) -> Int {
        var (low, high) = (0, count)
        while low < high {
            let middle = (low + high) / 2
            if predicate(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
