import JetCore
import CHDF5

/// The fast read path for chunked datasets compressed with deflate (optionally after shuffle):
/// raw chunks are fetched with `H5Dread_chunk` and the filter pipeline is undone here, on several
/// threads, instead of by libhdf5 on one.
///
/// Applies when every chunk spans whole rows (chunk shape = [c, dims...]). When shuffle is the last
/// filter to undo, chunks stay shuffled (byte planes) and fields are converted straight from the
/// planes, which skips the byte transposition for the fields nobody reads. Decoded chunks are kept
/// until a later read starts past them, and each read decodes at least one chunk per thread (reading
/// ahead), so memory stays bounded by (rows per read + threads chunks).
final class ChunkDecoder {
    private let datasetID: hid_t
    private let file: String
    private let name: String
    private let rowCount: Int
    private let rowSize: Int
    private let elementSize: Int
    private let chunkRows: Int
    private let filters: [HDF5Dataset.Filter]
    /// Decoded chunks by chunk index (with the element size when still shuffled), and buffers of
    /// `chunkSize` bytes ready for reuse (owned here).
    private var decoded: [Int: (buffer: UnsafeMutableRawBufferPointer, shuffledElementSize: Int?)] = [:]
    private var spare: [UnsafeMutableRawBufferPointer] = []

    /// Returns nil when the dataset's storage or filters need libhdf5's own pipeline (also when a shuffle
    /// filter's element size is not the dataset's, which libhdf5 never writes).
    init?(dataset: HDF5Dataset) {
        guard let chunk = dataset.chunkShape, !chunk.isEmpty, chunk.dropFirst().elementsEqual(dataset.shape.dropFirst()),
            dataset.filters.allSatisfy({
                $0.id == H5Z_FILTER_DEFLATE || ($0.id == H5Z_FILTER_SHUFFLE && $0.parameters == [UInt32(dataset.elementSize)])
            })
        else { return nil }
        datasetID = dataset.id
        file = dataset.file
        name = dataset.name
        rowCount = dataset.rowCount
        rowSize = dataset.rowSize
        elementSize = dataset.elementSize
        chunkRows = chunk[0]
        filters = dataset.filters
    }

    deinit {
        for buffer in spare + decoded.values.map(\.buffer) { buffer.deallocate() }
    }

    private var chunkSize: Int { chunkRows * rowSize }

    /// Rows `rows` as segments pointing into decoded chunks, valid until the next call; nil when a
    /// chunk is not allocated in the file, so the caller falls back to `H5Dread`.
    func segments(rows: Range<Int>, threads: Int) throws -> [RawSegment]? {
        let first = rows.lowerBound / chunkRows
        let last = (rows.upperBound - 1) / chunkRows
        for chunk in decoded.keys where chunk < first { spare.append(decoded.removeValue(forKey: chunk)!.buffer) }
        var pending = (first...last).filter { decoded[$0] == nil }
        if !pending.isEmpty {
            let chunkCount = (rowCount + chunkRows - 1) / chunkRows
            var next = last + 1
            while pending.count % max(threads, 1) != 0, next < chunkCount {
                if decoded[next] == nil { pending.append(next) }
                next += 1
            }
            guard let compressed = try readCompressed(pending) else { return nil }
            try decode(pending, compressed: compressed, threads: threads)
        }
        return (first...last).map { chunk in
            let chunkStart = chunk * chunkRows
            let lower = max(rows.lowerBound, chunkStart)
            let upper = min(rows.upperBound, chunkStart + chunkRows)
            let (buffer, shuffledElementSize) = decoded[chunk]!
            guard let elementSize = shuffledElementSize else {
                return RawSegment(
                    firstRow: lower - rows.lowerBound, rowCount: upper - lower,
                    storage: .rows(UnsafeRawPointer(buffer.baseAddress! + (lower - chunkStart) * rowSize)))
            }
            return RawSegment(
                firstRow: lower - rows.lowerBound, rowCount: upper - lower,
                storage: .planes(
                    UnsafeRawPointer(buffer.baseAddress!), planeLength: chunkSize / elementSize,
                    firstElement: (lower - chunkStart) * rowSize / elementSize, elementSize: elementSize))
        }
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
            // H5Dread_chunk writes as many bytes as the chunk index says: a size that the index gives
            // differently to another query, or that no chunk of this dataset can have, is damage
            var storageSize: hsize_t = 0
            guard H5Dget_chunk_storage_size(datasetID, offset, &storageSize) >= 0, storageSize == size,
                size <= hsize_t(maximumStoredSize), UInt64(address) <= fileSize, size <= fileSize - UInt64(address)
            else {
                throw failure(chunk, "the chunk index gives \(size) bytes at address \(address) for a chunk of \(chunkSize) bytes "
                    + "in a file of \(fileSize) bytes; the file is damaged")
            }
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

    /// The most bytes a stored chunk can take: deflate's worst case (zlib's compressBound) for every
    /// deflate filter, applied to `chunkSize` bytes.
    private var maximumStoredSize: Int {
        filters.filter { $0.id == H5Z_FILTER_DEFLATE }.reduce(chunkSize) { size, _ in Int(compressBound(uLong(size))) }
    }

    private lazy var fileSize: hsize_t = {
        let fileID = H5Iget_file_id(datasetID)
        defer { H5Fclose(fileID) }
        var size: hsize_t = 0
        return H5Fget_filesize(fileID, &size) >= 0 ? size : 0
    }()

    private lazy var dimensionCount: Int = {
        let space = H5Dget_space(datasetID)
        defer { H5Sclose(space) }
        return Int(H5Sget_simple_extent_ndims(space))
    }()

    /// A `chunkSize`-byte buffer, reused when one is free.
    private func takeBuffer() -> UnsafeMutableRawBufferPointer {
        spare.popLast() ?? .allocate(byteCount: chunkSize, alignment: 64)
    }

    /// Undoes the filter pipeline of every chunk in parallel and stores the results in `decoded`.
    private func decode(_ chunks: [Int], compressed: [(bytes: [UInt8], mask: UInt32)], threads: Int) throws {
        let outputs = chunks.map { _ in takeBuffer() }
        // one scratch buffer per worker: parallelFor runs index i on worker i % workers
        let workers = min(max(threads, 1), chunks.count)
        let scratch = (0..<workers).map { _ in takeBuffer() }
        var results = [Result<Int?, DecodeError>](repeating: .success(nil), count: chunks.count)
        let filters = filters, elementSize = elementSize
        results.withUnsafeMutableBufferPointer { results in
            parallelFor(chunks.count, threads: threads) { index in
                results[index] = Result {
                    try compressed[index].bytes.withUnsafeBytes { input in
                        try Self.unfilter(
                            input, mask: compressed[index].mask, filters: filters, keepShuffleOf: elementSize,
                            scratch: scratch[index % workers], into: outputs[index])
                    }
                }.mapError { $0 as? DecodeError ?? DecodeError(description: "\($0)") }
            }
        }
        spare += scratch
        for (index, chunk) in chunks.enumerated() {
            switch results[index] {
            case .success(let shuffledElementSize): decoded[chunk] = (outputs[index], shuffledElementSize)
            case .failure(let error):
                spare += outputs[index...]
                throw failure(chunk, error.description)
            }
        }
    }

    private func failure(_ chunk: Int, _ reason: String) -> JetDataError {
        let start = chunk * chunkRows
        return .readFailed(file: file, dataset: name, rows: start..<min(start + chunkRows, rowCount), reason: reason)
    }

    private struct DecodeError: Error, CustomStringConvertible { var description: String }

    /// Applies the inverse of each filter, last written first, skipping those the chunk's mask
    /// disables; the last step writes `output` (`chunkSize` bytes), earlier ones alternate with `scratch`.
    /// A final unshuffle by `keepShuffleOf` bytes (the dataset's element size) is left undone.
    ///
    /// - Returns: the element size when `output` holds byte planes, nil when it holds plain rows.
    private static func unfilter(
        _ input: UnsafeRawBufferPointer, mask: UInt32, filters: [HDF5Dataset.Filter], keepShuffleOf elementSize: Int,
        scratch: UnsafeMutableRawBufferPointer, into output: UnsafeMutableRawBufferPointer
    ) throws -> Int? {
        var steps = filters.enumerated().reversed().filter { mask & (1 << UInt32($0.offset)) == 0 }.map(\.element)
        var shuffled: Int?
        if let last = steps.last, last.id == H5Z_FILTER_SHUFFLE, Int(last.parameters.first ?? 0) == elementSize, elementSize > 1 {
            steps.removeLast()
            shuffled = elementSize
        }
        guard !steps.isEmpty else {
            guard input.count == output.count else {
                throw DecodeError(description: "unfiltered chunk has \(input.count) bytes, expected \(output.count)")
            }
            output.copyMemory(from: input)
            return shuffled
        }
        var source = input
        for (position, filter) in steps.enumerated() {
            // the buffer written must differ from the one read; the final step writes `output`
            let target = (steps.count - 1 - position) % 2 == 0 ? output : scratch
            if filter.id == H5Z_FILTER_DEFLATE {
                try inflate(source, into: target)
            } else {
                guard source.count == target.count else {
                    throw DecodeError(description: "shuffled chunk has \(source.count) bytes, expected \(target.count)")
                }
                unshuffle(source, into: target, elementSize: Int(filter.parameters.first ?? 1))
            }
            source = UnsafeRawBufferPointer(target)
        }
        return shuffled
    }

    /// Inflates the zlib stream `input` (libdeflate, checksum verified), which must fill `output` exactly.
    private static func inflate(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws {
        guard let decompressor = libdeflate_alloc_decompressor() else { throw DecodeError(description: "out of memory") }
        defer { libdeflate_free_decompressor(decompressor) }
        var produced = 0
        let status = libdeflate_zlib_decompress(
            decompressor, input.baseAddress, input.count, output.baseAddress, output.count, &produced)
        guard status == LIBDEFLATE_SUCCESS, produced == output.count else {
            throw DecodeError(description: "inflate failed (libdeflate status \(status.rawValue)); the chunk is damaged")
        }
    }

    /// Inverse of HDF5's shuffle filter: byte k of element i was stored at k * n + i; trailing bytes
    /// (size not a multiple of the element size) are stored as is.
    private static func unshuffle(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer, elementSize: Int) {
        let count = input.count / elementSize
        JetData.unshuffle(
            planes: UnsafeRawPointer(input.baseAddress!), planeLength: count, elements: 0..<count, elementSize: elementSize,
            into: output.baseAddress!)
        for index in (count * elementSize)..<input.count { output[index] = input[index] }
    }
}

/// Writes elements `elements` of a shuffled chunk (byte k of element j at `planes + k * planeLength + j`)
/// as plain elements to `target`. Works in blocks of elements so the output block stays in cache.
func unshuffle(planes: UnsafeRawPointer, planeLength: Int, elements: Range<Int>, elementSize: Int, into target: UnsafeMutableRawPointer) {
    let source = planes.assumingMemoryBound(to: UInt8.self)
    var out = target.assumingMemoryBound(to: UInt8.self)
    let block = 64
    for blockStart in stride(from: elements.lowerBound, to: elements.upperBound, by: block) {
        for index in blockStart..<min(blockStart + block, elements.upperBound) {
            for byte in 0..<elementSize { out[byte] = source[byte * planeLength + index] }
            out += elementSize
        }
    }
}
