import CHDF5

/// The fast read path for chunked datasets compressed with deflate (optionally after shuffle):
/// raw chunks are fetched with `H5Dread_chunk` and the filter pipeline is undone here, on several
/// threads, instead of by libhdf5 on one.
///
/// Applies when every chunk spans whole rows (chunk shape = [c, dims...]). Decoded chunks are kept
/// until a later read starts past them, and each read decodes at least one chunk per thread (reading
/// ahead), so memory stays bounded by (rows per read + threads chunks).
final class ChunkDecoder {
    private let datasetID: hid_t
    private let file: String
    private let name: String
    private let rowCount: Int
    private let rowSize: Int
    private let chunkRows: Int
    private let filters: [HDF5Dataset.Filter]
    private var decoded: [Int: [UInt8]] = [:]

    /// Returns nil when the dataset's storage or filters need libhdf5's own pipeline.
    init?(dataset: HDF5Dataset) {
        guard let chunk = dataset.chunkShape, !chunk.isEmpty, chunk.dropFirst().elementsEqual(dataset.shape.dropFirst()),
            dataset.filters.allSatisfy({ $0.id == H5Z_FILTER_DEFLATE || $0.id == H5Z_FILTER_SHUFFLE })
        else { return nil }
        datasetID = dataset.id
        file = dataset.file
        name = dataset.name
        rowCount = dataset.rowCount
        rowSize = dataset.rowSize
        chunkRows = chunk[0]
        filters = dataset.filters
    }

    private var chunkSize: Int { chunkRows * rowSize }

    /// Copies rows `rows` into `destination`; returns false (having written nothing) when a chunk is
    /// not allocated in the file, so the caller falls back to `H5Dread`.
    func read(rows: Range<Int>, into destination: UnsafeMutableRawPointer, threads: Int) throws -> Bool {
        let first = rows.lowerBound / chunkRows
        let last = (rows.upperBound - 1) / chunkRows
        decoded = decoded.filter { $0.key >= first }
        var pending = (first...last).filter { decoded[$0] == nil }
        if !pending.isEmpty {
            let chunkCount = (rowCount + chunkRows - 1) / chunkRows
            var next = last + 1
            while pending.count % max(threads, 1) != 0, next < chunkCount {
                if decoded[next] == nil { pending.append(next) }
                next += 1
            }
            guard let compressed = try readCompressed(pending) else { return false }
            try decode(pending, compressed: compressed, threads: threads)
        }
        for chunk in first...last {
            let chunkStart = chunk * chunkRows
            let lower = max(rows.lowerBound, chunkStart)
            let upper = min(rows.upperBound, chunkStart + chunkRows)
            decoded[chunk]!.withUnsafeBytes { bytes in
                (destination + (lower - rows.lowerBound) * rowSize).copyMemory(
                    from: bytes.baseAddress! + (lower - chunkStart) * rowSize, byteCount: (upper - lower) * rowSize)
            }
        }
        return true
    }

    /// Fetches the still-compressed chunks (libhdf5 calls stay on this thread), with their filter masks;
    /// nil when one is not allocated.
    private func readCompressed(_ chunks: [Int]) throws -> [(bytes: [UInt8], mask: UInt32)]? {
        var result: [(bytes: [UInt8], mask: UInt32)] = []
        for chunk in chunks {
            let offset = chunkOffset(chunk)
            var mask: UInt32 = 0
            var address: haddr_t = 0
            var size: hsize_t = 0
            guard H5Dget_chunk_info_by_coord(datasetID, offset, &mask, &address, &size) >= 0 else {
                throw failure(chunk, "chunk index unreadable; the file may be truncated")
            }
            guard address != haddr_t.max, size > 0 else { return nil }
            var bytes = [UInt8](repeating: 0, count: Int(size))
            guard H5Dread_chunk(datasetID, jt_h5p_default(), offset, &mask, &bytes) >= 0 else {
                throw failure(chunk, "raw chunk unreadable; the file may be truncated")
            }
            result.append((bytes, mask))
        }
        return result
    }

    private func chunkOffset(_ chunk: Int) -> [hsize_t] {
        var offset = [hsize_t](repeating: 0, count: dimensionCount)
        offset[0] = hsize_t(chunk * chunkRows)
        return offset
    }

    private lazy var dimensionCount: Int = {
        let space = H5Dget_space(datasetID)
        defer { H5Sclose(space) }
        return Int(H5Sget_simple_extent_ndims(space))
    }()

    /// Undoes the filter pipeline of every chunk in parallel and stores the results in `decoded`.
    private func decode(_ chunks: [Int], compressed: [(bytes: [UInt8], mask: UInt32)], threads: Int) throws {
        var outputs = [[UInt8]](repeating: [], count: chunks.count)
        var errors = [String?](repeating: nil, count: chunks.count)
        let size = chunkSize
        let filters = filters
        outputs.withUnsafeMutableBufferPointer { outputs in
            errors.withUnsafeMutableBufferPointer { errors in
                parallelFor(chunks.count, threads: threads) { index in
                    do {
                        outputs[index] = try Self.unfilter(compressed[index].bytes, mask: compressed[index].mask, filters: filters, size: size)
                    } catch {
                        errors[index] = "\(error)"
                    }
                }
            }
        }
        for (index, chunk) in chunks.enumerated() {
            if let error = errors[index] { throw failure(chunk, error) }
            decoded[chunk] = outputs[index]
        }
    }

    private func failure(_ chunk: Int, _ reason: String) -> JetDataError {
        let start = chunk * chunkRows
        return .readFailed(file: file, dataset: name, rows: start..<min(start + chunkRows, rowCount), reason: reason)
    }

    private struct DecodeError: Error, CustomStringConvertible { var description: String }

    /// Applies the inverse of each filter, last written first, skipping those the chunk's mask disables.
    private static func unfilter(_ input: [UInt8], mask: UInt32, filters: [HDF5Dataset.Filter], size: Int) throws -> [UInt8] {
        var data = input
        for (position, filter) in filters.enumerated().reversed() where mask & (1 << UInt32(position)) == 0 {
            if filter.id == H5Z_FILTER_DEFLATE {
                data = try inflate(data, size: size)
            } else {
                data = unshuffle(data, elementSize: Int(filter.parameters.first ?? 1))
            }
        }
        guard data.count == size else {
            throw DecodeError(description: "chunk decodes to \(data.count) bytes, expected \(size)")
        }
        return data
    }

    /// zlib-inflates `input`, which must expand to exactly `size` bytes.
    private static func inflate(_ input: [UInt8], size: Int) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: size)
        var outputSize = uLongf(size)
        let status = output.withUnsafeMutableBufferPointer { out in
            input.withUnsafeBufferPointer { uncompress(out.baseAddress!, &outputSize, $0.baseAddress!, uLong($0.count)) }
        }
        guard status == Z_OK, Int(outputSize) == size else {
            throw DecodeError(description: "inflate failed (zlib status \(status)); the chunk is damaged")
        }
        return output
    }

    /// Inverse of HDF5's shuffle filter: byte k of element i was stored at k * n + i.
    private static func unshuffle(_ input: [UInt8], elementSize: Int) -> [UInt8] {
        let count = input.count / elementSize
        guard elementSize > 1, count > 1 else { return input }
        var output = input
        input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                for byte in 0..<elementSize {
                    let plane = source.baseAddress! + byte * count
                    var out = target.baseAddress! + byte
                    for index in 0..<count {
                        out.pointee = plane[index]
                        out += elementSize
                    }
                }
            }
        }
        return output
    }
}
