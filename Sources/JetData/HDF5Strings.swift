import CHDF5

/// Reading and writing string attributes the way h5py does (variable-length UTF-8), also accepting
/// fixed-length strings and string arrays (pandas writes those).
enum HDF5Strings {
    /// H5T_VARIABLE, (size_t)-1 (size_t imports as Int).
    static let variableLength = Int(bitPattern: UInt.max)

    /// The text of a NUL-terminated C buffer.
    static func string(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Why strings that are present could not be read.
    struct ReadFailure: Error, CustomStringConvertible { var description: String }

    /// The strings stored in an attribute, or nil when it does not hold strings.
    ///
    /// - Throws: `ReadFailure` when libhdf5 cannot read them, or their count or size is implausible.
    static func read(attribute: hid_t) throws -> [String]? {
        try read(fileType: H5Aget_type(attribute), space: H5Aget_space(attribute)) { memoryType, buffer in
            H5Aread(attribute, memoryType, buffer)
        }
    }

    /// The strings of a 1-D string dataset (such as pandas' `axis0`), or nil when it does not hold strings.
    static func read(dataset: hid_t) throws -> [String]? {
        try read(fileType: H5Dget_type(dataset), space: H5Dget_space(dataset)) { memoryType, buffer in
            H5Dread(dataset, memoryType, jt_h5s_all(), jt_h5s_all(), jt_h5p_default(), buffer)
        }
    }

    /// Reads all strings of an attribute or dataset (closing `fileType` and `space`) through `reader`.
    private static func read(fileType: hid_t, space: hid_t, reader: (hid_t, UnsafeMutableRawPointer) -> herr_t) throws -> [String]? {
        defer {
            H5Tclose(fileType)
            H5Sclose(space)
        }
        guard H5Tget_class(fileType) == H5T_STRING else { return nil }
        // bounds before allocating: names and JSON documents, never more than 2^20 strings or 256 MiB
        let count = Int(H5Sget_simple_extent_npoints(space))
        guard (0...(1 << 20)).contains(count) else { throw ReadFailure(description: "\(count) strings") }
        let memoryType = H5Tcopy(jt_c_s1())
        defer { H5Tclose(memoryType) }
        H5Tset_cset(memoryType, H5Tget_cset(fileType))
        if H5Tis_variable_str(fileType) > 0 {
            H5Tset_size(memoryType, Self.variableLength)
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            guard pointers.withUnsafeMutableBytes({ reader(memoryType, $0.baseAddress!) }) >= 0 else {
                throw ReadFailure(description: "libhdf5 cannot read the variable-length strings")
            }
            defer { pointers.forEach { H5free_memory($0) } }
            // h5py and JetTag never write a null string: one means a damaged heap
            guard pointers.allSatisfy({ $0 != nil }) else { throw ReadFailure(description: "a null string (damaged global heap)") }
            return pointers.map { String(cString: $0!) }
        }
        let width = H5Tget_size(fileType)
        guard width > 0, width <= (1 << 28) / max(count, 1) else { throw ReadFailure(description: "\(count) strings of \(width) bytes") }
        H5Tset_size(memoryType, width)
        H5Tset_strpad(memoryType, H5T_STR_NULLPAD)
        var bytes = [UInt8](repeating: 0, count: width * count + 1)
        guard bytes.withUnsafeMutableBytes({ reader(memoryType, $0.baseAddress!) }) >= 0 else {
            throw ReadFailure(description: "libhdf5 cannot read the fixed-length strings")
        }
        return (0..<count).map { index in
            let slice = bytes[(index * width)..<((index + 1) * width)]
            return String(decoding: slice.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    /// Writes `value` as a scalar variable-length UTF-8 string attribute of `object`, replacing an old one.
    static func write(_ value: String, named name: String, on object: hid_t) -> Bool {
        if H5Aexists(object, name) > 0 { H5Adelete(object, name) }
        let type = H5Tcopy(jt_c_s1())
        defer { H5Tclose(type) }
        H5Tset_size(type, Self.variableLength)
        H5Tset_cset(type, H5T_CSET_UTF8)
        let space = H5Screate(H5S_SCALAR)
        defer { H5Sclose(space) }
        let attribute = H5Acreate2(object, name, type, space, jt_h5p_default(), jt_h5p_default())
        guard attribute >= 0 else { return false }
        defer { H5Aclose(attribute) }
        return value.withCString { pointer in
            var address: UnsafePointer<CChar>? = pointer
            return H5Awrite(attribute, type, &address) >= 0
        }
    }
}
