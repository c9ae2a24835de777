/// The rows of the concatenated inputs an output file holds, recorded in its attributes so that
/// ``OutputMerge`` can check that sharded outputs cover the inputs once, in order: `shard` (`i/N`), `rows`
/// (`start:end`, a range of row positions before selection and split) and `input_rows` (all rows of the inputs).
public struct OutputRows: Equatable, Sendable {
    public var shard: Shard
    public var rows: Range<Int>
    public var inputRows: Int

    public init(shard: Shard, rows: Range<Int>, inputRows: Int) {
        (self.shard, self.rows, self.inputRows) = (shard, rows, inputRows)
    }

    /// The names of the attributes.
    public static let attributeNames = ["shard", "rows", "input_rows"]

    /// The attributes written.
    public var attributes: [String: String] {
        ["shard": shard.description, "rows": "\(rows.lowerBound):\(rows.upperBound)", "input_rows": "\(inputRows)"]
    }

    /// Reads the attributes of the output `file`.
    ///
    /// - Throws: ``JetTagKitError/invalidOutputPart(file:reason:)`` naming the attribute that is missing or
    ///   malformed.
    public init(attributes: [String: String], file: String) throws(JetTagKitError) {
        func value(_ name: String) throws(JetTagKitError) -> String {
            guard let text = attributes[name] else {
                throw .invalidOutputPart(
                    file: file, reason: "it has no '\(name)' attribute (written by jettag predict, reweight apply and "
                        + "evaluate --shard since the merge command exists; re-run the shard)")
            }
            return text
        }
        let shardText = try value("shard"), rowsText = try value("rows"), totalText = try value("input_rows")
        let bounds = rowsText.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
        guard let shard = Shard(shardText) else {
            throw .invalidOutputPart(file: file, reason: "attribute 'shard' is '\(shardText)', expected i/N")
        }
        guard bounds.count == 2, let start = bounds[0], let end = bounds[1], let total = Int(totalText),
            0 <= start, start <= end, end <= total
        else {
            throw .invalidOutputPart(
                file: file, reason: "attributes 'rows' = '\(rowsText)' and 'input_rows' = '\(totalText)' are not "
                    + "start:end within 0...input_rows")
        }
        self.init(shard: shard, rows: start..<end, inputRows: total)
    }
}
