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

    /// The strings stored in an attribute, or nil when it does not hold strings.
    static func read(attribute: hid_t) -> [String]? {
        read(fileType: H5Aget_type(attribute), space: H5Aget_space(attribute)) { memoryType, buffer in
            H5Aread(attribute, memoryType, buffer)
        }
    }

    /// The strings of a 1-D string dataset (such as pandas' `axis0`), or nil when it does not hold strings.
    static func read(dataset: hid_t) -> [String]? {
        read(fileType: H5Dget_type(dataset), space: H5Dget_space(dataset)) { memoryType, buffer in
            H5Dread(dataset, memoryType, jt_h5s_all(), jt_h5s_all(), jt_h5p_default(), buffer)
        }
    }

    /// Reads all strings of an attribute or dataset (closing `fileType` and `space`) through `reader`.
    private static func read(fileType: hid_t, space: hid_t, reader: (hid_t, UnsafeMutableRawPointer) -> herr_t) -> [String]? {
        defer {
            H5Tclose(fileType)
            H5Sclose(space)
        }
        guard H5Tget_class(fileType) == H5T_STRING else { return nil }
        let count = max(Int(H5Sget_simple_extent_npoints(space)), 0)
        let memoryType = H5Tcopy(jt_c_s1())
        defer { H5Tclose(memoryType) }
        H5Tset_cset(memoryType, H5Tget_cset(fileType))
        if H5Tis_variable_str(fileType) > 0 {
            H5Tset_size(memoryType, Self.variableLength)
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            guard pointers.withUnsafeMutableBytes({ reader(memoryType, $0.baseAddress!) }) >= 0 else { return nil }
            defer { pointers.forEach { H5free_memory($0) } }
            return pointers.map { $0.map { String(cString: $0) } ?? "" }
        }
        let width = H5Tget_size(fileType)
        H5Tset_size(memoryType, width)
        H5Tset_strpad(memoryType, H5T_STR_NULLPAD)
        var bytes = [UInt8](repeating: 0, count: width * count + 1)
        guard bytes.withUnsafeMutableBytes({ reader(memoryType, $0.baseAddress!) }) >= 0 else { return nil }
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
