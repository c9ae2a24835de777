import JetData

/// How the label values of each file of a stream become class indices, checked against the files' own
/// `label_names` attributes (comma-separated class names in label order) when they carry one.
///
/// Without a `data.labelMap`, a file's label value is the class index, and a file whose `label_names` differ
/// from the class names (in names, count or order) is an error. A label map remaps on purpose: its keys are a
/// file's label names or integer label values (written as text, `"0"`), its values the class indices.
public struct ClassLabelMap: Sendable {
    public let classNames: [String]
    /// For each file of the stream: the class index of label value v at index v (nil where the map has none);
    /// nil for a file whose label values are the class indices.
    private let tables: [[Int32?]?]

    /// Opens each of `files` to read its `label_names`.
    ///
    /// - Throws: ``JetModelsError/classNamesMismatch(file:fileNames:classNames:)`` for a file whose label names
    ///   differ and no `labelMap`; ``JetModelsError/invalidData(_:)`` for a label map naming a class index out of
    ///   range, a label name the file does not have, or one label twice; `JetDataError` when a file cannot be opened.
    public init(classNames: [String], labelMap: [String: Int]?, files: [String]) throws {
        self.classNames = classNames
        guard let labelMap else {
            tables = try files.map { file in
                if let names = try HDF5File(readingAt: file).nameListAttribute("label_names"), names != classNames {
                    throw JetModelsError.classNamesMismatch(file: file, fileNames: names, classNames: classNames)
                }
                return nil
            }
            return
        }
        for (key, index) in labelMap.sorted(by: { $0.key < $1.key }) where !classNames.indices.contains(index) {
            throw JetModelsError.invalidData(
                "data.labelMap: '\(key)' maps to class \(index), expected a class index in 0..<\(classNames.count) "
                    + "(classes: \(classNames.joined(separator: ", ")))")
        }
        tables = try files.map { file in
            let names = try HDF5File(readingAt: file).nameListAttribute("label_names")
            var table: [Int32?] = []
            for (key, index) in labelMap.sorted(by: { $0.key < $1.key }) {
                guard let value = Int(key) ?? names?.firstIndex(of: key), value >= 0 else {
                    throw JetModelsError.invalidData(
                        "data.labelMap: '\(key)' is neither a label value (0, 1, ...) nor a class of \(file) "
                            + (names.map { "(label_names: \($0.joined(separator: ", ")))" } ?? "(it has no label_names)"))
                }
                if table.count <= value { table += [Int32?](repeating: nil, count: value + 1 - table.count) }
                guard table[value] == nil else {
                    throw JetModelsError.invalidData(
                        "data.labelMap: label \(value) of \(file) is mapped twice (once as '\(key)')")
                }
                table[value] = Int32(index)
            }
            return table
        }
    }

    /// The class index of label `value` read from file `file` (its position in the stream's files); nil for a
    /// value that is no integer, or no class index, or not in the label map.
    func classIndex(of value: Float, file: Int) -> Int32? {
        guard value == value.rounded(), value >= 0, value < Float(Int32.max) else { return nil }
        guard let table = tables[file] else { return Int(value) < classNames.count ? Int32(value) : nil }
        return Int(value) < table.count ? table[Int(value)] : nil
    }

    /// What a bad label value was expected to be, for error messages.
    var expectation: String {
        tables.contains { $0 != nil }
            ? "a label value of data.labelMap" : "an integer in 0..<\(classNames.count)"
    }
}
