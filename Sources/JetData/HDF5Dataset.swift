import CHDF5

/// One open HDF5 dataset: its shape, element type, compound members, chunking and filters, and
/// reading of row ranges (slices along the first dimension) as raw file-type bytes.
public final class HDF5Dataset {
    /// A member of a compound element type (or the whole element of a plain one: name "").
    public struct Member: Sendable {
        public var name: String
        /// Byte offset inside one element.
        public var offset: Int
        /// Bytes of the member (offset + size <= the element size, checked on opening).
        var size: Int
        /// The HDF5 type, described as numpy would ("float32", "enum(int8)", ...).
        public var typeDescription: String
        var scalar: ScalarType?
    }

    /// A filter of the chunk pipeline, in the order they were applied on writing.
    public struct Filter: Sendable {
        public var id: Int32
        public var name: String
        public var parameters: [UInt32]
    }

    public let file: String
    public let name: String
    let id: hid_t
    let fileType: hid_t
    /// Bytes per element of the file type.
    public let elementSize: Int
    public let shape: [Int]
    /// Chunk shape, or nil for contiguous or compact storage.
    public let chunkShape: [Int]?
    public let filters: [Filter]
    /// Members of a compound type; one member named "" for a plain numeric type.
    public let members: [Member]
    public let isCompound: Bool
    /// Number of threads used to inflate chunks on the fast path.
    var threads = 1
    /// File-type bytes of the rows last read through `H5Dread`, reused across reads.
    private var scratch: [UInt8] = []
    private lazy var chunkDecoder: ChunkDecoder? = ChunkDecoder(dataset: self)

    init(file: String, name: String, id: hid_t) throws {
        self.file = file
        self.name = name
        self.id = id
        let fileType = H5Dget_type(id)
        self.fileType = fileType
        // a throw below leaves deinit unrun: close the type here (HDF5File closes the dataset)
        var opened = false
        defer { if !opened { H5Tclose(fileType) } }
        elementSize = H5Tget_size(fileType)
        func damaged(_ reason: String, field: String? = nil) -> JetDataError {
            .damagedMetadata(file: file, dataset: name, field: field, reason: reason)
        }
        guard fileType >= 0, elementSize > 0 else { throw damaged("no element type") }
        let space = H5Dget_space(id)
        let rank = Int(H5Sget_simple_extent_ndims(space))
        guard (0...32).contains(rank) else {
            H5Sclose(space)
            throw damaged("rank \(rank)")
        }
        var dims = [hsize_t](repeating: 0, count: rank)
        var maxDims = [hsize_t](repeating: 0, count: rank)
        let dimsRead = H5Sget_simple_extent_dims(space, &dims, &maxDims)
        H5Sclose(space)
        guard dimsRead == rank, dims.allSatisfy({ $0 <= hsize_t(Int.max) }) else { throw damaged("shape unreadable") }
        shape = dims.map { Int($0) }
        for (size, limit) in zip(dims, maxDims) where limit != jt_h5s_unlimited() && size > limit {
            throw damaged("shape \(shape) exceeds its maximum shape \(maxDims)")
        }
        // every size derived from the shape must be representable: at most 2^50 bytes (1 PiB) in all
        var bytes = elementSize
        for size in shape {
            let (product, overflow) = bytes.multipliedReportingOverflow(by: max(size, 1))
            guard !overflow, product <= 1 << 50 else { throw damaged("shape \(shape) of \(elementSize)-byte elements is implausibly large") }
            bytes = product
        }

        let plist = H5Dget_create_plist(id)
        defer { H5Pclose(plist) }
        if H5Pget_layout(plist) == H5D_CHUNKED {
            var chunk = [hsize_t](repeating: 0, count: rank)
            guard H5Pget_chunk(plist, Int32(rank), &chunk) == rank, chunk.allSatisfy({ $0 >= 1 && $0 <= 1 << 32 }) else {
                throw damaged("chunk shape unreadable")
            }
            let chunkShape = chunk.map { Int($0) }
            // libhdf5 promises chunks of under 4 GiB, no larger than the maximum shape where it is fixed
            let chunkBytes = chunkShape.reduce(elementSize) { bytes, size in
                let (product, overflow) = bytes.multipliedReportingOverflow(by: size)
                return overflow ? Int.max : product
            }
            guard chunkBytes < 1 << 32, zip(chunk, maxDims).allSatisfy({ $1 == jt_h5s_unlimited() || $0 <= $1 })
            else { throw damaged("chunk shape \(chunkShape) does not fit shape \(shape) of \(elementSize)-byte elements") }
            self.chunkShape = chunkShape
        } else {
            chunkShape = nil
        }
        filters = (0..<max(Int(H5Pget_nfilters(plist)), 0)).map { index in
            var flags: UInt32 = 0, count = 8
            var values = [UInt32](repeating: 0, count: 8)
            var nameBuffer = [CChar](repeating: 0, count: 64)
            let filterID = H5Pget_filter2(plist, UInt32(index), &flags, &count, &values, nameBuffer.count, &nameBuffer, nil)
            return Filter(id: filterID, name: HDF5Strings.string(nameBuffer), parameters: Array(values.prefix(count)))
        }

        isCompound = H5Tget_class(fileType) == H5T_COMPOUND
        if isCompound {
            let count = Int(H5Tget_nmembers(fileType))
            guard (1...65_536).contains(count) else { throw damaged("\(count) compound members") }
            let compoundSize = elementSize
            let members = try (0..<count).map { index in
                let memberName = H5Tget_member_name(fileType, UInt32(index))
                defer { H5free_memory(memberName) }
                let memberType = H5Tget_member_type(fileType, UInt32(index))
                defer { H5Tclose(memberType) }
                let name = memberName.map { String(cString: $0) } ?? ""
                let offset = H5Tget_member_offset(fileType, UInt32(index)), size = H5Tget_size(memberType)
                guard memberType >= 0, !name.isEmpty else { throw damaged("member \(index) unreadable") }
                guard size > 0, offset <= compoundSize - size else {
                    throw damaged("member at bytes \(offset)..<\(offset + size) extends outside the \(compoundSize)-byte compound", field: name)
                }
                return Member(name: name, offset: offset, size: size, typeDescription: Self.describe(memberType), scalar: ScalarType(hdf5: memberType))
            }
            // members may not overlap, nor share a name (libhdf5 refuses to create either)
            let byOffset = members.sorted { $0.offset < $1.offset }
            for (earlier, later) in zip(byOffset, byOffset.dropFirst())
            where earlier.offset + earlier.size > later.offset {
                throw damaged("members '\(earlier.name)' and '\(later.name)' overlap", field: later.name)
            }
            guard Set(members.map(\.name)).count == members.count else { throw damaged("two members share a name") }
            self.members = members
        } else {
            members = [Member(name: "", offset: 0, size: elementSize, typeDescription: Self.describe(fileType), scalar: ScalarType(hdf5: fileType))]
        }
        opened = true
    }

    deinit {
        HDF5Lock.run {
            H5Tclose(fileType)
            H5Dclose(id)
        }
    }

    /// Number of rows (the first dimension; 1 for a scalar dataset).
    public var rowCount: Int { shape.first ?? 1 }

    /// Bytes of one row: the product of the trailing dimensions times the element size.
    public var rowSize: Int { shape.dropFirst().reduce(1, *) * elementSize }

    /// Names of the compound members (empty for a plain type).
    public var fieldNames: [String] { isCompound ? members.map(\.name) : [] }

    /// The element type's description ("compound" for compound types).
    public var typeDescription: String { isCompound ? "compound" : members[0].typeDescription }

    /// The compound member `field`, or the whole element when `field` is nil.
    ///
    /// - Throws: `missingField` when absent, `unsupportedType` when it is not a number.
    func numericMember(_ field: String?) throws -> (offset: Int, type: ScalarType) {
        let member: Member
        if let field {
            guard let found = members.first(where: { $0.name == field }), isCompound else {
                throw JetDataError.missingField(file: file, dataset: name, field: field, available: fieldNames)
            }
            member = found
        } else {
            member = members[0]
        }
        guard let scalar = member.scalar else {
            throw JetDataError.unsupportedType(
                file: file, dataset: name, field: field ?? name, type: member.typeDescription)
        }
        return (member.offset, scalar)
    }

    /// Throws `wrongRank` unless the dataset has rank `rank`.
    func require(rank: Int) throws {
        guard shape.count == rank else {
            throw JetDataError.wrongRank(file: file, dataset: name, expected: rank, got: shape.count)
        }
    }

    /// Calls `body` with rows `rows` as file-type bytes, in segments of consecutive rows.
    ///
    /// Chunked datasets compressed with deflate (and shuffle) take the fast path: raw chunks are
    /// inflated on `threads` threads and the segments point into them. Everything else goes through
    /// `H5Dread` into one segment. The memory is valid during `body` only.
    func withRawRows<T>(_ rows: Range<Int>, _ body: ([RawSegment]) throws -> T) throws -> T {
        try checkReadSize(rows)
        let fastSegments = try HDF5Lock.run { try chunkDecoder?.segments(rows: rows, threads: threads) }
        if let fastSegments { return try body(fastSegments) }
        let byteCount = rows.count * rowSize
        if scratch.count < byteCount { scratch = [UInt8](repeating: 0, count: byteCount) }
        return try scratch.withUnsafeMutableBytes { buffer in
            try HDF5Lock.run { try readThroughLibrary(rows: rows, into: buffer.baseAddress!) }
            return try body([RawSegment(firstRow: 0, rowCount: rows.count, storage: .rows(UnsafeRawPointer(buffer.baseAddress!)))])
        }
    }

    /// Throws `readFailed` when rows `rows` would take more than 16 GiB (a shape no jet file has, so damaged).
    func checkReadSize(_ rows: Range<Int>) throws {
        guard rows.lowerBound >= 0, rows.upperBound <= rowCount else {
            throw JetDataError.readFailed(file: file, dataset: name, rows: rows, reason: "beyond the \(rowCount) rows of the dataset")
        }
        guard rows.count * rowSize <= 1 << 34 else {
            throw JetDataError.readFailed(
                file: file, dataset: name, rows: rows,
                reason: "\(rows.count) rows of \(rowSize) bytes (shape \(shape)) would take over 16 GiB; the shape may be damaged")
        }
    }

    /// Copies rows `rows` as file-type bytes into `destination` (`rows.count * rowSize` bytes).
    func readRaw(rows: Range<Int>, into destination: UnsafeMutableRawPointer) throws {
        guard !rows.isEmpty else { return }
        try withRawRows(rows) { segments in
            for segment in segments {
                let target = destination + segment.firstRow * rowSize
                switch segment.storage {
                case .rows(let bytes):
                    target.copyMemory(from: bytes, byteCount: segment.rowCount * rowSize)
                case .planes(let planes, let planeLength, let firstElement, let elementSize):
                    let elements = segment.rowCount * rowSize / elementSize
                    unshuffle(
                        planes: planes, planeLength: planeLength, elements: firstElement..<(firstElement + elements),
                        elementSize: elementSize, into: target)
                }
            }
        }
    }

    /// Reads rows `rows` with `H5Dread` and a row hyperslab, without type conversion.
    func readThroughLibrary(rows: Range<Int>, into destination: UnsafeMutableRawPointer) throws {
        let fileSpace = H5Dget_space(id)
        defer { H5Sclose(fileSpace) }
        var start = [hsize_t](repeating: 0, count: shape.count)
        var count = shape.map { hsize_t($0) }
        if !shape.isEmpty {
            start[0] = hsize_t(rows.lowerBound)
            count[0] = hsize_t(rows.count)
        }
        let memorySpace = shape.isEmpty ? H5Screate(H5S_SCALAR) : H5Screate_simple(Int32(shape.count), count, nil)
        defer { H5Sclose(memorySpace) }
        if !shape.isEmpty {
            H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, start, nil, count, nil)
        }
        guard H5Dread(id, fileType, memorySpace, fileSpace, jt_h5p_default(), destination) >= 0 else {
            throw JetDataError.readFailed(file: file, dataset: name, rows: rows, reason: "H5Dread failed; the file may be truncated")
        }
    }

    private static func describe(_ type: hid_t) -> String {
        if let scalar = ScalarType(hdf5: type) { return scalar.description }
        switch H5Tget_class(type) {
        case H5T_STRING: return H5Tis_variable_str(type) > 0 ? "string" : "string[\(H5Tget_size(type))]"
        case H5T_COMPOUND: return "compound"
        case H5T_ARRAY: return "array"
        default: return "opaque(\(H5Tget_size(type)) bytes)"
        }
    }
}

extension HDF5Dataset {
    /// Where this dataset's values sit in the file: one range per allocated chunk, or the contiguous block.
    func rawDataRegions() -> [Range<Int>] {
        guard chunkShape != nil else {
            let address = H5Dget_offset(id)
            guard address != haddr_t.max else { return [] }
            return [Int(address)..<(Int(address) + Int(H5Dget_storage_size(id)))]
        }
        // libhdf5 1.10.8 refuses H5S_ALL here
        let space = H5Dget_space(id)
        defer { H5Sclose(space) }
        var count: hsize_t = 0
        guard H5Dget_num_chunks(id, space, &count) >= 0 else { return [] }
        var offset = [hsize_t](repeating: 0, count: max(shape.count, 1))
        return (0..<count).compactMap { index in
            var mask: UInt32 = 0, address: haddr_t = 0, size: hsize_t = 0
            guard H5Dget_chunk_info(id, space, index, &offset, &mask, &address, &size) >= 0, address != haddr_t.max else {
                return nil
            }
            return Int(address)..<(Int(address) + Int(size))
        }
    }
}
