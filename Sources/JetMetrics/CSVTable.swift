import Foundation

/// A table written as CSV: a header row of column names, then one row per point; optional text columns (for
/// example feature names) come before the numeric ones.
///
/// Numbers use Swift's shortest round-trip form (`0.1`, `1e-05`, `inf`, `nan`), which Python's `float()`
/// and numpy read back exactly. Text containing a comma, quote or line break is quoted as in RFC 4180.
public struct CSVTable: Equatable, Sendable {
    /// A column of text values.
    public struct TextColumn: Equatable, Sendable {
        public var name: String
        public var values: [String]

        public init(name: String, values: [String]) {
            self.name = name
            self.values = values
        }
    }

    /// Text columns, written first.
    public var textColumns: [TextColumn]
    public var columnNames: [String]
    /// Column-major values; every column has the same length.
    public var columns: [[Double]]

    /// - Parameters:
    ///   - textColumns: text columns written before the numeric ones.
    ///   - columns: (name, values) pairs; all columns have the same length.
    public init(textColumns: [TextColumn] = [], columns: [(name: String, values: [Double])]) {
        precondition(
            Set(columns.map(\.values.count) + textColumns.map(\.values.count)).count <= 1,
            "CSV columns must have equal lengths")
        self.textColumns = textColumns
        columnNames = columns.map(\.name)
        self.columns = columns.map(\.values)
    }

    /// Number of data rows.
    public var rowCount: Int { columns.first?.count ?? textColumns.first?.values.count ?? 0 }

    /// The CSV text, lines ending in `\n`.
    public var text: String {
        var text = (textColumns.map { Self.field($0.name) } + columnNames.map(Self.field)).joined(separator: ",") + "\n"
        for row in 0..<rowCount {
            let fields = textColumns.map { Self.field($0.values[row]) } + columns.map { "\($0[row])" }
            text += fields.joined(separator: ",") + "\n"
        }
        return text
    }

    /// Writes ``text`` to `url` atomically.
    public func write(to url: URL) throws(JetMetricsError) {
        try AtomicFile.write(text, to: url)
    }

    /// `value` as one CSV field: quoted, with quotes doubled, when it holds a comma, quote or line break.
    private static func field(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
