import Foundation

/// A numeric table written as CSV: a header row of column names, then one row per point.
///
/// Numbers use Swift's shortest round-trip form (`0.1`, `1e-05`, `inf`, `nan`), which Python's `float()`
/// and numpy read back exactly.
public struct CSVTable: Equatable, Sendable {
    public var columnNames: [String]
    /// Column-major values; every column has the same length.
    public var columns: [[Double]]

    /// - Parameter columns: (name, values) pairs, all of the same length.
    public init(columns: [(name: String, values: [Double])]) {
        precondition(Set(columns.map(\.values.count)).count <= 1, "CSV columns must have equal lengths")
        columnNames = columns.map(\.name)
        self.columns = columns.map(\.values)
    }

    /// Number of data rows.
    public var rowCount: Int { columns.first?.count ?? 0 }

    /// The CSV text, lines ending in `\n`.
    public var text: String {
        var text = columnNames.joined(separator: ",") + "\n"
        for row in 0..<rowCount {
            text += columns.map { "\($0[row])" }.joined(separator: ",") + "\n"
        }
        return text
    }

    /// Writes ``text`` to `url` atomically.
    public func write(to url: URL) throws(JetMetricsError) {
        try AtomicFile.write(text, to: url)
    }
}
