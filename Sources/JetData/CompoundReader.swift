/// Reads the compound layout: a 1-D compound dataset of jets and a 2-D compound dataset of
/// constituents (N, M) whose boolean field marks real entries.
///
/// Event numbers come from `eventNumberField` (an error when the jets lack it), or are the row index when
/// the layout sets it to nil.
final class CompoundReader: LayoutReader {
    let file: String
    let jetCount: Int
    let width: Int
    let jetFieldNames: [String]
    let constituentFieldNames: [String]
    private let layout: CompoundLayout
    private let jets: HDF5Dataset
    private let constituents: HDF5Dataset
    /// Keeps the file open as long as the reader.
    private let hdf5: HDF5File

    var threads = 1 {
        didSet {
            jets.threads = threads
            constituents.threads = threads
        }
    }

    init(file: HDF5File, layout: CompoundLayout) throws {
        hdf5 = file
        self.file = file.path
        self.layout = layout
        jets = try file.dataset(layout.jets)
        constituents = try file.dataset(layout.constituents)
        try jets.require(rank: 1)
        try constituents.require(rank: 2)
        guard constituents.shape[0] == jets.shape[0] else {
            throw JetDataError.shapeMismatch(
                file: file.path, dataset: layout.constituents, expected: [jets.shape[0], constituents.shape[1]],
                got: constituents.shape, reference: layout.jets)
        }
        guard jets.shape[0] > 0 else { throw JetDataError.emptyFile(file: file.path, dataset: layout.jets) }
        _ = try constituents.numericMember(layout.validField)
        if let eventNumberField = layout.eventNumberField { _ = try jets.numericMember(eventNumberField) }
        jetCount = jets.shape[0]
        width = constituents.shape[1]
        jetFieldNames = jets.members.filter { $0.scalar != nil }.map(\.name)
        constituentFieldNames = constituents.members.filter { $0.scalar != nil && $0.name != layout.validField }.map(\.name)
    }

    func dataset(ofJetField field: String) -> String { layout.jets }
    func dataset(ofConstituentField field: String?) -> String { layout.constituents }

    func read(rows: Range<Int>, jetFields: [String], constituentFields: [String]) throws -> RawJetRows {
        var result = RawJetRows(count: rows.count, width: width)
        let hasCount = jetFieldNames.contains(layout.countField)
        let jetNames = jetFields + (hasCount ? [layout.countField] : [])
        let jetValues = try jets.readFields(
            rows: rows, try jetNames.map { try jets.extraction($0) },
            integers: try layout.eventNumberField.map { try jets.extraction($0) })
        for (name, values) in zip(jetFields, jetValues.floats) { result.jetFields[name] = values }
        if hasCount { result.declaredCounts = (layout.countField, jetValues.floats.last!.map { Int32($0) }) }
        result.eventNumbers = layout.eventNumberField == nil ? rows.map { Int64($0) } : jetValues.integers

        let constituentValues = try constituents.readFields(
            rows: rows, try (constituentFields + [layout.validField]).map { try constituents.extraction($0) })
        for (name, values) in zip(constituentFields, constituentValues.floats) { result.constituentFields[name] = values }
        result.mask = constituentValues.floats.last!
        return result
    }
}
