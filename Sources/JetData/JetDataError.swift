/// Everything that can go wrong reading or writing jet files; each message names the file, dataset,
/// field and row where they apply.
public enum JetDataError: Error, CustomStringConvertible, Equatable, Sendable {
    case fileNotFound(file: String)
    case notHDF5(file: String)
    case unreadableFile(file: String, reason: String)
    case noFilesMatch(pattern: String)
    case missingDataset(file: String, dataset: String)
    case missingField(file: String, dataset: String, field: String, available: [String])
    case wrongRank(file: String, dataset: String, expected: Int, got: Int)
    case shapeMismatch(file: String, dataset: String, expected: [Int], got: [Int], reference: String)
    case unsupportedType(file: String, dataset: String, field: String, type: String)
    case nonFinite(file: String, dataset: String, field: String, row: Int, value: Float)
    case inconsistentMultiplicity(file: String, dataset: String, row: Int, countField: String, count: Int, valid: Int)
    case emptyFile(file: String, dataset: String)
    case readFailed(file: String, dataset: String, rows: Range<Int>, reason: String)
    /// The file's own description of a dataset (shape, type, chunks) contradicts itself: damaged HDF5 metadata.
    case damagedMetadata(file: String, dataset: String, field: String?, reason: String)
    /// An attribute exists but cannot be read (damaged or of a kind JetTag does not read).
    case unreadableAttribute(file: String, object: String, attribute: String, reason: String)
    case undetectableLayout(file: String, datasets: [String])
    case invalidSelection(expression: String, position: Int, reason: String)
    case unknownSelectionField(expression: String, field: String, available: [String])
    case invalidOption(String)
    case writeFailed(file: String, reason: String)

    public var description: String {
        switch self {
        case .fileNotFound(let file):
            return "\(file): no such file"
        case .notHDF5(let file):
            return "\(file): not an HDF5 file"
        case .unreadableFile(let file, let reason):
            return "\(file): cannot open as HDF5 (\(reason)); the file may be truncated or damaged"
        case .noFilesMatch(let pattern):
            return "no file matches '\(pattern)'"
        case .missingDataset(let file, let dataset):
            return "\(file): no dataset '\(dataset)'"
        case .missingField(let file, let dataset, let field, let available):
            return "\(file): dataset '\(dataset)' has no field '\(field)' (available: \(available.joined(separator: ", ")))"
        case .wrongRank(let file, let dataset, let expected, let got):
            return "\(file): dataset '\(dataset)' has rank \(got), expected rank \(expected)"
        case .shapeMismatch(let file, let dataset, let expected, let got, let reference):
            return "\(file): dataset '\(dataset)' has shape \(got), expected \(expected) to match '\(reference)'"
        case .unsupportedType(let file, let dataset, let field, let type):
            return "\(file): field '\(field)' of dataset '\(dataset)' has type \(type), which cannot be read as a number"
        case .nonFinite(let file, let dataset, let field, let row, let value):
            return "\(file): field '\(field)' of dataset '\(dataset)' is \(value) in row \(row)"
        case .inconsistentMultiplicity(let file, let dataset, let row, let countField, let count, let valid):
            return "\(file): dataset '\(dataset)' row \(row): \(valid) constituents marked valid but '\(countField)' is \(count)"
        case .emptyFile(let file, let dataset):
            return "\(file): dataset '\(dataset)' holds zero jets"
        case .readFailed(let file, let dataset, let rows, let reason):
            return "\(file): reading rows \(rows.lowerBound)..<\(rows.upperBound) of dataset '\(dataset)' failed (\(reason))"
        case .damagedMetadata(let file, let dataset, let field, let reason):
            let what = field.map { "field '\($0)' of dataset '\(dataset)'" } ?? "dataset '\(dataset)'"
            return "\(file): the HDF5 description of \(what) is damaged (\(reason)); the file cannot be trusted, copy or write it again"
        case .unreadableAttribute(let file, let object, let attribute, let reason):
            return "\(file): attribute '\(attribute)' of '\(object)' cannot be read (\(reason)); the file may be damaged"
        case .undetectableLayout(let file, let datasets):
            return "\(file): layout not recognised (datasets: \(datasets.joined(separator: ", "))); "
                + "expected 'jets' + 'constituents', 'jet_*' + 'part_*' columns, 'particle_features', or a pandas 'table' group"
        case .invalidSelection(let expression, let position, let reason):
            return "selection '\(expression)': \(reason) at position \(position)"
        case .unknownSelectionField(let expression, let field, let available):
            return "selection '\(expression)': unknown jet field '\(field)' (available: \(available.joined(separator: ", ")))"
        case .invalidOption(let message):
            return message
        case .writeFailed(let file, let reason):
            return "\(file): writing failed (\(reason))"
        }
    }
}
