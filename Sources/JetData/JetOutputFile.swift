/// A per-jet output file as ``JetOutputWriter`` writes it (`jettag predict` scores, `reweight apply` weights),
/// read back whole: `jet_index`, `event_number` and the float32 fields by name, with the file's attributes.
public struct JetOutputFile: Sendable {
    public let path: String
    /// The fields beside `jet_index` and `event_number`, in file order.
    public let fields: [String]
    /// The row of each jet in the concatenated inputs it was computed from.
    public let jetIndices: [Int64]
    public let eventNumbers: [Int64]
    /// The file attributes (`tagger`, `class_names`, `inputs`, ...) that are strings, joined by commas.
    public let attributes: [String: String]
    private let values: [String: [Float]]

    /// Reads `path` (dataset `jets`).
    ///
    /// - Throws: `JetDataError` when the file or dataset is missing or lacks `jet_index` / `event_number`.
    public init(path: String, dataset name: String = "jets") throws {
        let file = try HDF5File(readingAt: path)
        let dataset = try file.dataset(name)
        let rows = 0..<dataset.rowCount
        let names = dataset.fieldNames.filter { $0 != "jet_index" && $0 != "event_number" }
        let indices = try dataset.readFields(rows: rows, [], integers: try dataset.extraction("jet_index")).integers
        let read = try dataset.readFields(
            rows: rows, try names.map { try dataset.extraction($0) }, integers: try dataset.extraction("event_number"))
        var attributes: [String: String] = [:]
        for attribute in file.attributeNames() {
            if let strings = try? file.stringAttribute(attribute) { attributes[attribute] = strings.joined(separator: ",") }
        }
        self.path = path
        fields = names
        jetIndices = indices
        eventNumbers = read.integers
        self.attributes = attributes
        values = Dictionary(uniqueKeysWithValues: zip(names, read.floats))
    }

    /// Rows in the file.
    public var count: Int { jetIndices.count }

    /// The values of `field`, one per row.
    ///
    /// - Throws: ``JetDataError/missingField(file:dataset:field:available:)`` naming the fields there are.
    public func column(_ field: String) throws(JetDataError) -> [Float] {
        guard let column = values[field] else {
            throw .missingField(file: path, dataset: "jets", field: field, available: fields)
        }
        return column
    }
}
