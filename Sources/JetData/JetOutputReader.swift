/// Reads a file of per-jet outputs written by ``JetOutputWriter``: the dataset's float fields (beside `jet_index`
/// and `event_number`), the file's string attributes, and row ranges of the three.
public final class JetOutputReader {
    public let path: String
    /// The float fields, in file order (without `jet_index` and `event_number`).
    public let fields: [String]
    /// The file's string attributes.
    public let attributes: [String: String]
    private let dataset: HDF5Dataset

    /// Rows in the file.
    public var count: Int { dataset.rowCount }

    /// Rows of the file: jet indices, event numbers and one column per field.
    public struct Rows: Equatable, Sendable {
        public var jetIndices: [Int64]
        public var eventNumbers: [Int64]
        public var values: [String: [Float]]
    }

    /// Opens `path` and checks that its dataset `dataset` is a 1-D compound with `jet_index` and `event_number`.
    ///
    /// - Throws: `JetDataError` for a missing or unreadable file or dataset, or `.invalidOption` naming the file
    ///   when the dataset is not such an output.
    public init(path: String, dataset name: String = "jets") throws {
        self.path = path
        let file = try HDF5File(readingAt: path)
        dataset = try file.dataset(name)
        let names = dataset.fieldNames
        guard dataset.shape.count == 1, Array(names.prefix(2)) == ["jet_index", "event_number"] else {
            throw JetDataError.invalidOption(
                "\(path): dataset '\(name)' is not a jettag output (a 1-D compound starting with jet_index, "
                    + "event_number; it has shape \(dataset.shape) and fields \(names))")
        }
        fields = Array(names.dropFirst(2))
        var attributes: [String: String] = [:]
        for attribute in file.attributeNames() {
            if let value = try file.stringAttribute(attribute), value.count == 1 { attributes[attribute] = value[0] }
        }
        self.attributes = attributes
    }

    /// Rows `rows` of the file.
    public func read(_ rows: Range<Int>) throws -> Rows {
        let indices = try dataset.readFields(rows: rows, [], integers: try dataset.extraction("jet_index")).integers
        let read = try dataset.readFields(
            rows: rows, try fields.map { try dataset.extraction($0) }, integers: try dataset.extraction("event_number"))
        return Rows(
            jetIndices: indices, eventNumbers: read.integers,
            values: Dictionary(uniqueKeysWithValues: zip(fields, read.floats)))
    }
}
