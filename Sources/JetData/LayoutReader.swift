/// What every layout reader delivers for a range of rows, before masks are normalised.
///
/// Sizes: n = `count` rows, M = `width` constituent slots as stored in the file.
struct RawJetRows {
    var count: Int
    var width: Int
    /// Jet fields, n values each.
    var jetFields: [String: [Float]] = [:]
    /// Constituent fields, [n, M] each.
    var constituentFields: [String: [Float]] = [:]
    /// [n, M], nonzero where a constituent is real (not necessarily a prefix yet).
    var mask: [Float] = []
    var eventNumbers: [Int64] = []
    /// Declared numbers of constituents and the field holding them, checked against `mask` when present.
    var declaredCounts: (field: String, values: [Int32])?
}

/// One file read in one layout: the fields it offers and row-range reads.
protocol LayoutReader: AnyObject {
    var file: String { get }
    var jetCount: Int { get }
    /// Constituent slots per jet in the file (M).
    var width: Int { get }
    var jetFieldNames: [String] { get }
    var constituentFieldNames: [String] { get }
    /// The dataset holding a jet field, for messages.
    func dataset(ofJetField field: String) -> String
    /// The dataset holding a constituent field (or the mask when `field` is nil), for messages.
    func dataset(ofConstituentField field: String?) -> String
    /// Inflate/convert threads.
    var threads: Int { get set }
    /// Reads `rows` with the given fields (already checked to exist).
    func read(rows: Range<Int>, jetFields: [String], constituentFields: [String]) throws -> RawJetRows
}

extension LayoutReader {
    /// Throws `missingField` for the first requested field the file does not offer.
    func check(jetFields: [String], constituentFields: [String]) throws {
        for field in jetFields where !jetFieldNames.contains(field) {
            throw JetDataError.missingField(
                file: file, dataset: dataset(ofJetField: field), field: field, available: jetFieldNames)
        }
        for field in constituentFields where !constituentFieldNames.contains(field) {
            throw JetDataError.missingField(
                file: file, dataset: dataset(ofConstituentField: field), field: field, available: constituentFieldNames)
        }
    }
}

/// Opens `path` with the reader for `layout`.
func makeLayoutReader(path: String, layout: JetFileLayout) throws -> LayoutReader {
    try HDF5Lock.run {
        let file = try HDF5File(readingAt: path)
        switch layout {
        case .compound(let layout): return try CompoundReader(file: file, layout: layout)
        case .columns(let layout): return try ColumnsReader(file: file, layout: layout)
        case .dense(let layout): return try DenseReader(file: file, layout: layout)
        case .pandas(let layout): return try PandasReader(file: file, layout: layout)
        }
    }
}
