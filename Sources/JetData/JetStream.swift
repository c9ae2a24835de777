import Foundation

/// Several HDF5 files read as one stream of `JetBatch`es, in file order, row batches at a time, so
/// memory is bounded by the batch size whatever the file sizes.
///
/// ```swift
/// let stream = try JetStream(files: ["data/*.h5"], options: JetReadOptions(
///     jetFields: ["pt", "eta", "label", "weight"], constituentFields: ["pt", "eta", "phi"],
///     maxConstituents: 100, batchSize: 1024, selection: try JetSelection("pt > 550")))
/// while let batch = try stream.next() { ... }   // batch.rows / batch.fileIndices locate each jet
/// ```
///
/// Use one stream from one thread at a time; several streams may run on different threads (libhdf5
/// calls take turns behind one lock, inflating and converting run in parallel).
public final class JetStream {
    /// The files, glob patterns expanded (sorted), in stream order.
    public let files: [String]
    public let layout: JetFileLayout
    public let options: JetReadOptions
    /// Jets per file before selection and split.
    public let jetCounts: [Int]
    /// P of the batches.
    public let maxConstituents: Int
    /// Jet fields read from the file: the requested ones plus those the selection needs.
    private let readJetFields: [String]
    private let assembler: BatchAssembler
    private var fileIndex = 0
    private var row = 0
    private var reader: LayoutReader?
    private var pending: JetBatch?

    /// Opens every file (or glob pattern) in `files` and checks layout, fields and shapes up front.
    ///
    /// - Throws: `JetDataError` for a missing file, a pattern matching nothing, a missing dataset or
    ///   field, a bad shape or an unknown selection field.
    public init(files: [String], options: JetReadOptions) throws {
        let paths = try expandFilePatterns(files)
        guard let first = paths.first else { throw JetDataError.invalidOption("no input files given") }
        guard options.batchSize > 0 else { throw JetDataError.invalidOption("batch size must be positive, got \(options.batchSize)") }
        try options.split?.validate()
        let layout = try options.layout ?? detectLayout(path: first)
        var counts: [Int] = []
        var width = 0
        var readJetFields = options.jetFields
        for field in options.selection?.fieldNames ?? [] where !readJetFields.contains(field) { readJetFields.append(field) }
        for path in paths {
            let reader = try makeLayoutReader(path: path, layout: layout)
            if let selection = options.selection { try selection.check(available: reader.jetFieldNames) }
            try reader.check(jetFields: readJetFields, constituentFields: options.constituentFields)
            counts.append(reader.jetCount)
            width = max(width, reader.width)
        }
        self.files = paths
        self.layout = layout
        self.options = options
        self.readJetFields = readJetFields
        jetCounts = counts
        maxConstituents = options.maxConstituents ?? width
        assembler = BatchAssembler(maxConstituents: maxConstituents, checkFinite: options.checkFinite)
    }

    /// Convenience for one file or pattern.
    public convenience init(file: String, options: JetReadOptions) throws {
        try self.init(files: [file], options: options)
    }

    /// All jets of all files, before selection and split.
    public var totalJets: Int { jetCounts.reduce(0, +) }

    /// The next batch: `batchSize` jets passing selection and split (fewer only for the last), or nil at the end.
    public func next() throws -> JetBatch? {
        try HDF5Lock.run { try nextBatch() }
    }

    private func nextBatch() throws -> JetBatch? {
        while (pending?.count ?? 0) < options.batchSize, let batch = try readFiltered() {
            if pending == nil { pending = batch } else { pending!.append(batch) }
        }
        guard let batch = pending, batch.count > 0 else { return nil }
        if batch.count <= options.batchSize {
            pending = nil
            return batch
        }
        pending = batch.gathering(Array(options.batchSize..<batch.count))
        return batch.gathering(Array(0..<options.batchSize))
    }

    /// The jets of rows `rows` of file `fileIndex` (in `files`) that pass the selection and split, in row order,
    /// read `batchSize` rows at a time, whatever ``JetReadOptions/dataShard`` says; for readers that choose their
    /// own order of row ranges (streamed training). The file is opened anew for every call, so a file that
    /// disappeared or was truncated since the stream opened fails here with
    /// ``JetDataError/readFailed(file:dataset:rows:reason:)``: its path, dataset and rows.
    public func read(fileIndex: Int, rows: Range<Int>) throws -> JetBatch {
        var reader: LayoutReader?
        do {
            return try HDF5Lock.run {
                reader = try makeLayoutReader(path: files[fileIndex], layout: layout)
                reader!.threads = options.threads
                var all = JetBatch(count: 0, maxConstituents: maxConstituents)
                for start in stride(from: rows.lowerBound, to: rows.upperBound, by: options.batchSize) {
                    let batchRows = start..<min(start + options.batchSize, rows.upperBound)
                    all.append(try readFiltered(rows: batchRows, fileIndex: fileIndex, reader: reader!))
                }
                return all
            }
        } catch JetDataError.readFailed(let file, let dataset, let rows, let reason) {
            throw JetDataError.readFailed(file: file, dataset: dataset, rows: rows, reason: reason)
        } catch {
            throw JetDataError.readFailed(
                file: files[fileIndex], dataset: reader?.dataset(ofConstituentField: options.constituentFields.first)
                    ?? layout.description, rows: rows, reason: "\(error)")
        }
    }

    /// Starts again from the first file.
    public func rewind() {
        fileIndex = 0
        row = 0
        reader = nil
        pending = nil
    }

    /// Reads the whole (remaining) stream into one batch; for small inputs and tests.
    public func readAll() throws -> JetBatch {
        var all = JetBatch(count: 0, maxConstituents: maxConstituents)
        while let batch = try next() { all.append(batch) }
        return all
    }

    /// Reads the next `batchSize` rows (crossing to the next file when one ends) and filters them;
    /// nil when all files are read.
    private func readFiltered() throws -> JetBatch? {
        while fileIndex < files.count {
            if reader == nil {
                reader = try makeLayoutReader(path: files[fileIndex], layout: layout)
                reader!.threads = options.threads
            }
            let current = reader!
            let shardRows = options.dataShard?.rows(of: current.jetCount) ?? 0..<current.jetCount
            row = max(row, shardRows.lowerBound)
            guard row < shardRows.upperBound else {
                fileIndex += 1
                row = 0
                reader = nil
                continue
            }
            let rows = row..<min(row + options.batchSize, shardRows.upperBound)
            row = rows.upperBound
            let batch = try readFiltered(rows: rows, fileIndex: fileIndex, reader: current)
            if batch.count > 0 { return batch }
        }
        return nil
    }

    /// Rows `rows` of the file `reader` reads (`fileIndex` in `files`), selected, split and without the jet fields
    /// only the selection needed.
    private func readFiltered(rows: Range<Int>, fileIndex: Int, reader: LayoutReader) throws -> JetBatch {
        let raw = try reader.read(rows: rows, jetFields: readJetFields, constituentFields: options.constituentFields)
        var batch = try filter(try assembler.assemble(raw, rows: rows, fileIndex: fileIndex, reader: reader))
        for field in readJetFields where !options.jetFields.contains(field) { batch.jetFields[field] = nil }
        return batch
    }

    private func filter(_ batch: JetBatch) throws -> JetBatch {
        guard options.selection != nil || options.split != nil else { return batch }
        let passed = try options.selection?.evaluate(batch) ?? [Bool](repeating: true, count: batch.count)
        let kept = (0..<batch.count).filter { index in
            passed[index] && (options.split?.contains(index, of: batch, fileOffset: options.splitFileOffset) ?? true)
        }
        return kept.count == batch.count ? batch : batch.gathering(kept)
    }
}

/// Paths as given, glob patterns (`*`, `?`, `[...]`) replaced by their sorted matches.
///
/// - Throws: `JetDataError.noFilesMatch` for a pattern matching nothing.
public func expandFilePatterns(_ patterns: [String]) throws -> [String] {
    try patterns.flatMap(expandFilePattern)
}

private func expandFilePattern(_ pattern: String) throws -> [String] {
    guard pattern.contains(where: { "*?[".contains($0) }) else { return [pattern] }
    var result = glob_t()
    defer { globfree(&result) }
    guard glob(pattern, 0, nil, &result) == 0 else { throw JetDataError.noFilesMatch(pattern: pattern) }
    let matches = (0..<Int(result.gl_pathc)).compactMap { result.gl_pathv[$0].map { String(cString: $0) } }
    guard !matches.isEmpty else { throw JetDataError.noFilesMatch(pattern: pattern) }
    return matches.sorted()
}
