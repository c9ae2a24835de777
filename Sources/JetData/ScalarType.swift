import CHDF5

/// A numeric HDF5 element type as stored in the file (integer, IEEE float or h5py's bool enum),
/// with the conversions to Float32 and Int64 the readers use.
struct ScalarType: Equatable, Sendable, CustomStringConvertible {
    enum Kind: Sendable { case signed, unsigned, float }
    var kind: Kind
    /// Bytes per value: 1, 2, 4 or 8.
    var size: Int
    var bigEndian: Bool
    /// An enum type (h5py's bool is an enum of int8).
    var isEnum = false

    /// Describes an HDF5 type, or returns nil when it is not a plain number.
    init?(hdf5 type: hid_t) {
        var base = type
        let typeClass = H5Tget_class(type)
        if typeClass == H5T_ENUM {
            base = H5Tget_super(type)
            isEnum = true
        }
        defer { if base != type { H5Tclose(base) } }
        size = H5Tget_size(base)
        bigEndian = H5Tget_order(base) == H5T_ORDER_BE
        switch H5Tget_class(base) {
        case H5T_INTEGER:
            guard [1, 2, 4, 8].contains(size) else { return nil }
            kind = H5Tget_sign(base) == H5T_SGN_NONE ? .unsigned : .signed
        case H5T_FLOAT:
            var signPosition = 0, exponentPosition = 0, exponentSize = 0, mantissaPosition = 0, mantissaSize = 0
            H5Tget_fields(base, &signPosition, &exponentPosition, &exponentSize, &mantissaPosition, &mantissaSize)
            let ieee: [Int: [Int]] = [2: [15, 10, 5, 0, 10], 4: [31, 23, 8, 0, 23], 8: [63, 52, 11, 0, 52]]
            guard ieee[size] == [signPosition, exponentPosition, exponentSize, mantissaPosition, mantissaSize] else {
                return nil
            }
            kind = .float
        default:
            return nil
        }
    }

    /// numpy-like name: "int8", "uint16", "float32", "bool enum(int8)", with ", big-endian" when so.
    var description: String {
        let name: String
        switch kind {
        case .signed: name = "int\(size * 8)"
        case .unsigned: name = "uint\(size * 8)"
        case .float: name = "float\(size * 8)"
        }
        return (isEnum ? "enum(\(name))" : name) + (bigEndian ? ", big-endian" : "")
    }

    /// Converts `count` values found at `source + i * stride` to Float32 in `destination[i]`.
    func convert(_ source: UnsafeRawPointer, stride: Int, count: Int, into destination: UnsafeMutablePointer<Float>) {
        switch (kind, size) {
        case (.signed, 1): convertIntegers(Int8.self, source, stride, count, destination)
        case (.signed, 2): convertIntegers(Int16.self, source, stride, count, destination)
        case (.signed, 4): convertIntegers(Int32.self, source, stride, count, destination)
        case (.signed, 8): convertIntegers(Int64.self, source, stride, count, destination)
        case (.unsigned, 1): convertIntegers(UInt8.self, source, stride, count, destination)
        case (.unsigned, 2): convertIntegers(UInt16.self, source, stride, count, destination)
        case (.unsigned, 4): convertIntegers(UInt32.self, source, stride, count, destination)
        case (.unsigned, 8): convertIntegers(UInt64.self, source, stride, count, destination)
        case (.float, 2): convertBits(UInt16.self, source, stride, count, destination) { Float(Float16(bitPattern: $0)) }
        case (.float, 4): convertBits(UInt32.self, source, stride, count, destination) { Float(bitPattern: $0) }
        default: convertBits(UInt64.self, source, stride, count, destination) { Float(Double(bitPattern: $0)) }
        }
    }

    /// Converts `count` values found at `source + i * stride` to Int64 (floats truncate toward zero).
    func convertToInt64(_ source: UnsafeRawPointer, stride: Int, count: Int, into destination: UnsafeMutablePointer<Int64>) {
        for index in 0..<count {
            let address = source + index * stride
            switch (kind, size) {
            case (.signed, 1): destination[index] = Int64(load(Int8.self, address))
            case (.signed, 2): destination[index] = Int64(load(Int16.self, address))
            case (.signed, 4): destination[index] = Int64(load(Int32.self, address))
            case (.signed, 8): destination[index] = load(Int64.self, address)
            case (.unsigned, 1): destination[index] = Int64(load(UInt8.self, address))
            case (.unsigned, 2): destination[index] = Int64(load(UInt16.self, address))
            case (.unsigned, 4): destination[index] = Int64(load(UInt32.self, address))
            case (.unsigned, 8): destination[index] = Int64(truncatingIfNeeded: load(UInt64.self, address))
            default:
                var value: Float = 0
                convert(address, stride: 0, count: 1, into: &value)
                destination[index] = value.isFinite ? Int64(value) : 0
            }
        }
    }

    @inline(__always)
    private func load<T: FixedWidthInteger>(_ type: T.Type, _ address: UnsafeRawPointer) -> T {
        let value = address.loadUnaligned(as: T.self)
        return bigEndian ? value.byteSwapped : value
    }

    @inline(__always)
    private func convertIntegers<T: FixedWidthInteger>(
        _ type: T.Type, _ source: UnsafeRawPointer, _ stride: Int, _ count: Int, _ destination: UnsafeMutablePointer<Float>
    ) {
        for index in 0..<count { destination[index] = Float(load(T.self, source + index * stride)) }
    }

    @inline(__always)
    private func convertBits<T: FixedWidthInteger>(
        _ type: T.Type, _ source: UnsafeRawPointer, _ stride: Int, _ count: Int, _ destination: UnsafeMutablePointer<Float>,
        _ toFloat: (T) -> Float
    ) {
        for index in 0..<count { destination[index] = toFloat(load(T.self, source + index * stride)) }
    }
}
