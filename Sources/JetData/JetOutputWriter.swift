import CHDF5

/// Writes per-jet outputs (scores, weights) as one 1-D compound dataset aligned row by row with the
/// input: `jet_index` (int64), `event_number` (int64), then one float32 field per name in `fields`.
/// Chunked and gzip-compressed; written under a temporary name and renamed by `finish()`.
///
/// ```swift
/// let writer = try JetOutputWriter(path: "scores.h5", fields: ["deepsets_p0", "deepsets_p1"])
/// try writer.append(jetIndices: ..., eventNumbers: ..., values: ["deepsets_p0": p0, "deepsets_p1": p1])
/// try writer.finish()
/// ```
public final class JetOutputWriter {
    public let fields: [String]
    public let datasetName: String
    /// The final path.
    public var path: String { file.path }
    private let file: HDF5FileWriter
    private let dataset: hid_t
    private let memoryType: hid_t
    private let recordSize: Int
    /// Rows written so far.
    public private(set) var count = 0

    /// Creates the (temporary) file with an empty dataset `dataset` and the string `attributes` on the file.
    ///
    /// - Parameters:
    ///   - chunkRows: rows per chunk; `compression`: gzip level 0-9.
    public init(
        path: String, dataset: String = "jets", fields: [String], attributes: [String: String] = [:],
        chunkRows: Int = 10_000, compression: Int = 4
    ) throws {
        self.fields = fields
        datasetName = dataset
        file = try HDF5FileWriter(path: path)
        recordSize = 16 + 4 * fields.count
        let (memoryType, datasetID) = try HDF5Lock.run { [recordSize, file] in
            try Self.create(dataset, fields: fields, recordSize: recordSize, file: file, chunkRows: chunkRows, compression: compression)
        }
        self.memoryType = memoryType
        self.dataset = datasetID
        for (name, value) in attributes.sorted(by: { $0.key < $1.key }) { try file.setAttribute(value, named: name) }
    }

    private static func create(
        _ dataset: String, fields: [String], recordSize: Int, file: HDF5FileWriter, chunkRows: Int, compression: Int
    ) throws -> (hid_t, hid_t) {
        let memoryType = H5Tcreate(H5T_COMPOUND, recordSize)
        H5Tinsert(memoryType, "jet_index", 0, jt_native_int64())
        H5Tinsert(memoryType, "event_number", 8, jt_native_int64())
        for (index, field) in fields.enumerated() { H5Tinsert(memoryType, field, 16 + 4 * index, jt_native_float()) }
        var dims: [hsize_t] = [0], maxDims = [jt_h5s_unlimited()], chunk = [hsize_t(max(chunkRows, 1))]
        let space = H5Screate_simple(1, &dims, &maxDims)
        defer { H5Sclose(space) }
        let plist = H5Pcreate(jt_h5p_dataset_create())
        defer { H5Pclose(plist) }
        H5Pset_chunk(plist, 1, &chunk)
        H5Pset_shuffle(plist)
        H5Pset_deflate(plist, UInt32(min(max(compression, 0), 9)))
        let datasetID = H5Dcreate2(file.id, dataset, memoryType, space, jt_h5p_default(), plist, jt_h5p_default())
        guard datasetID >= 0 else {
            H5Tclose(memoryType)
            throw JetDataError.writeFailed(file: file.path, reason: "cannot create dataset '\(dataset)' with fields \(fields)")
        }
        return (memoryType, datasetID)
    }

    private var closed = false

    deinit { close() }

    private func close() {
        guard !closed else { return }
        closed = true
        HDF5Lock.run {
            H5Dclose(dataset)
            H5Tclose(memoryType)
        }
    }

    /// Appends B rows: `jetIndices` and `eventNumbers` of length B, and B values for every field.
    public func append(jetIndices: [Int64], eventNumbers: [Int64], values: [String: [Float]]) throws {
        guard !closed else { throw JetDataError.writeFailed(file: file.path, reason: "append after finish") }
        let rows = jetIndices.count
        guard eventNumbers.count == rows, fields.allSatisfy({ values[$0]?.count == rows }) else {
            throw JetDataError.writeFailed(
                file: file.path, reason: "append needs \(rows) event numbers and \(rows) values for each of \(fields)")
        }
        var buffer = [UInt8](repeating: 0, count: rows * recordSize)
        buffer.withUnsafeMutableBytes { bytes in
            for row in 0..<rows {
                let record = bytes.baseAddress! + row * recordSize
                record.storeBytes(of: jetIndices[row], as: Int64.self)
                record.storeBytes(of: eventNumbers[row], toByteOffset: 8, as: Int64.self)
                for (index, field) in fields.enumerated() {
                    record.storeBytes(of: values[field]![row], toByteOffset: 16 + 4 * index, as: Float.self)
                }
            }
        }
        try HDF5Lock.run { try write(buffer, rows: rows) }
        count += rows
    }

    private func write(_ buffer: [UInt8], rows: Int) throws {
        var newSize = [hsize_t(count + rows)]
        guard H5Dset_extent(dataset, &newSize) >= 0 else {
            throw JetDataError.writeFailed(file: file.path, reason: "cannot extend dataset '\(datasetName)'")
        }
        let fileSpace = H5Dget_space(dataset)
        defer { H5Sclose(fileSpace) }
        var start = [hsize_t(count)], size = [hsize_t(rows)]
        H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, &start, nil, &size, nil)
        let memorySpace = H5Screate_simple(1, &size, nil)
        defer { H5Sclose(memorySpace) }
        let status = buffer.withUnsafeBytes { H5Dwrite(dataset, memoryType, memorySpace, fileSpace, jt_h5p_default(), $0.baseAddress) }
        guard status >= 0 else { throw JetDataError.writeFailed(file: file.path, reason: "cannot write rows to '\(datasetName)'") }
    }

    /// Closes the dataset and removes the temporary file, leaving nothing under the final path (an interrupted run).
    public func abandon() {
        close()
        file.abandon()
    }

    /// Closes the dataset and renames the file to its final path.
    public func finish() throws {
        close()
        try file.commit()
    }
}
