/// Reads the columns layout (weaver / PyTables style): one dataset per variable at the file's root,
/// `jet_<field>` (N) and `part_<field>` (N, M), with an (N, M) mask dataset or an (N) count dataset.
///
/// Event numbers come from the `eventNumber` dataset (an error when the file lacks it), or are the row index
/// when the layout sets it to nil.
final class ColumnsReader: LayoutReader {
    let file: String
    let jetCount: Int
    let width: Int
    let jetFieldNames: [String]
    let constituentFieldNames: [String]
    private let layout: ColumnsLayout
    private let hdf5: HDF5File
    private var datasets: [String: HDF5Dataset] = [:]
    var threads = 1 { didSet { datasets.values.forEach { $0.threads = threads } } }

    init(file: HDF5File, layout: ColumnsLayout) throws {
        hdf5 = file
        self.file = file.path
        self.layout = layout
        let rootNames = file.datasetNames().map { String($0.dropFirst()) }.filter { !$0.contains("/") }
        let special = [layout.mask, layout.count, layout.eventNumber].compactMap { $0 }
        jetFieldNames = rootNames.filter { $0.hasPrefix(layout.jetPrefix) && !special.contains($0) }
            .map { String($0.dropFirst(layout.jetPrefix.count)) }
        constituentFieldNames = rootNames.filter { $0.hasPrefix(layout.constituentPrefix) && !special.contains($0) }
            .map { String($0.dropFirst(layout.constituentPrefix.count)) }
        guard let anchor = (layout.mask ?? layout.count) else {
            throw JetDataError.invalidOption("\(file.path): the columns layout needs a mask or a count dataset")
        }
        let reference = try file.dataset(anchor)
        try reference.require(rank: layout.mask != nil ? 2 : 1)
        jetCount = reference.shape[0]
        guard jetCount > 0 else { throw JetDataError.emptyFile(file: file.path, dataset: anchor) }
        if layout.mask != nil {
            width = reference.shape[1]
        } else if let first = constituentFieldNames.first {
            width = try file.dataset(layout.constituentPrefix + first).shape.last ?? 0
        } else {
            width = 0
        }
        datasets[anchor] = reference
        if let eventNumber = layout.eventNumber { _ = try open(eventNumber, constituent: false) }
    }

    func dataset(ofJetField field: String) -> String { layout.jetPrefix + field }
    func dataset(ofConstituentField field: String?) -> String {
        field.map { layout.constituentPrefix + $0 } ?? layout.mask ?? layout.count ?? ""
    }

    /// Opens (once) a dataset and checks its shape: (N) for jets, (N, M) for constituents.
    private func open(_ name: String, constituent: Bool) throws -> HDF5Dataset {
        if let dataset = datasets[name] { return dataset }
        let dataset = try hdf5.dataset(name)
        try dataset.require(rank: constituent ? 2 : 1)
        let expected = constituent ? [jetCount, width] : [jetCount]
        guard dataset.shape == expected else {
            throw JetDataError.shapeMismatch(
                file: file, dataset: name, expected: expected, got: dataset.shape, reference: layout.mask ?? layout.count ?? "")
        }
        dataset.threads = threads
        datasets[name] = dataset
        return dataset
    }

    private func readFloats(_ name: String, constituent: Bool, rows: Range<Int>) throws -> [Float] {
        let dataset = try open(name, constituent: constituent)
        return try dataset.readFields(rows: rows, [try dataset.extraction(nil)]).floats[0]
    }

    func read(rows: Range<Int>, jetFields: [String], constituentFields: [String]) throws -> RawJetRows {
        var result = RawJetRows(count: rows.count, width: width)
        for field in jetFields {
            result.jetFields[field] = try readFloats(layout.jetPrefix + field, constituent: false, rows: rows)
        }
        for field in constituentFields {
            result.constituentFields[field] = try readFloats(layout.constituentPrefix + field, constituent: true, rows: rows)
        }
        if let mask = layout.mask {
            result.mask = try readFloats(mask, constituent: true, rows: rows)
        } else if let count = layout.count {
            let counts = try readFloats(count, constituent: false, rows: rows)
            result.mask = [Float](repeating: 0, count: rows.count * width)
            for (jet, value) in counts.enumerated() {
                for slot in 0..<min(max(Int(value), 0), width) { result.mask[jet * width + slot] = 1 }
            }
        }
        if let eventNumber = layout.eventNumber {
            let dataset = try open(eventNumber, constituent: false)
            result.eventNumbers = try dataset.readFields(rows: rows, [], integers: try dataset.extraction(nil)).integers
        } else {
            result.eventNumbers = rows.map { Int64($0) }
        }
        return result
    }
}
