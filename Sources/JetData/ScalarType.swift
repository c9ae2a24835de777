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

    /// Describes an HDF5 type, or returns nil when it is not a plain number: every property the conversions
    /// assume (full precision at bit offset 0, IEEE layout and bias, implied mantissa bit) is checked with
    /// libhdf5's own type queries, so a damaged type is never converted as if it were a plain one.
    init?(hdf5 type: hid_t) {
        var base = type
        let typeClass = H5Tget_class(type)
        if typeClass == H5T_ENUM {
            base = H5Tget_super(type)
            isEnum = true
        }
        defer { if base != type { H5Tclose(base) } }
        size = H5Tget_size(base)
        let order = H5Tget_order(base)
        bigEndian = order == H5T_ORDER_BE
        guard order == H5T_ORDER_LE || order == H5T_ORDER_BE, H5Tget_size(type) == size, H5Tget_precision(base) == size * 8,
            H5Tget_offset(base) == 0
        else { return nil }
        switch H5Tget_class(base) {
        case H5T_INTEGER:
            guard [1, 2, 4, 8].contains(size) else { return nil }
            kind = H5Tget_sign(base) == H5T_SGN_NONE ? .unsigned : .signed
        case H5T_FLOAT:
            var signPosition = 0, exponentPosition = 0, exponentSize = 0, mantissaPosition = 0, mantissaSize = 0
            H5Tget_fields(base, &signPosition, &exponentPosition, &exponentSize, &mantissaPosition, &mantissaSize)
            let ieee: [Int: [Int]] = [2: [15, 10, 5, 0, 10], 4: [31, 23, 8, 0, 23], 8: [63, 52, 11, 0, 52]]
            let bias: [Int: Int] = [2: 15, 4: 127, 8: 1023]
            guard ieee[size] == [signPosition, exponentPosition, exponentSize, mantissaPosition, mantissaSize],
                H5Tget_ebias(base) == bias[size], H5Tget_norm(base) == H5T_NORM_IMPLIED
            else { return nil }
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
        switch size {
        case 1: convert(count, destination) { source.load(fromByteOffset: $0 * stride, as: UInt8.self) }
        case 2: convert(count, destination) { order(source.loadUnaligned(fromByteOffset: $0 * stride, as: UInt16.self)) }
        case 4: convert(count, destination) { order(source.loadUnaligned(fromByteOffset: $0 * stride, as: UInt32.self)) }
        default: convert(count, destination) { order(source.loadUnaligned(fromByteOffset: $0 * stride, as: UInt64.self)) }
        }
    }

    /// Converts `count` values of a shuffled chunk to Float32: byte k of element j sits in plane k at
    /// `planes + k * planeLength + j`; value i is the element `firstElement + i * elementStep` starting at
    /// byte `firstByte` of the element.
    func convert(
        planes: UnsafeRawPointer, planeLength: Int, firstByte: Int, firstElement: Int, elementStep: Int, count: Int,
        into destination: UnsafeMutablePointer<Float>
    ) {
        let base = planes.assumingMemoryBound(to: UInt8.self) + firstElement
        // the plane holding byte b of the value, b = 0 the least significant
        func plane(_ byte: Int) -> UnsafePointer<UInt8> { base + (firstByte + (bigEndian ? size - 1 - byte : byte)) * planeLength }
        let step = elementStep
        switch size {
        case 1:
            let p0 = plane(0)
            convert(count, destination) { p0[$0 * step] }
        case 2:
            let p0 = plane(0), p1 = plane(1)
            convert(count, destination) { UInt16(p0[$0 * step]) | UInt16(p1[$0 * step]) << 8 }
        case 4:
            let p0 = plane(0), p1 = plane(1), p2 = plane(2), p3 = plane(3)
            convert(count, destination) { index in
                let j = index * step
                return UInt32(p0[j]) | UInt32(p1[j]) << 8 | UInt32(p2[j]) << 16 | UInt32(p3[j]) << 24
            }
        default:
            let planes = (0..<8).map(plane)
            convert(count, destination) { index in
                let j = index * step
                var bits: UInt64 = 0
                for byte in 0..<8 { bits |= UInt64(planes[byte][j]) << (8 * byte) }
                return bits
            }
        }
    }

    /// Converts `count` values found at `source + i * stride` to Int64 (floats truncate toward zero).
    func convertToInt64(_ source: UnsafeRawPointer, stride: Int, count: Int, into destination: UnsafeMutablePointer<Int64>) {
        for index in 0..<count {
            let address = source + index * stride
            switch size {
            case 1: destination[index] = integer(address.load(as: UInt8.self))
            case 2: destination[index] = integer(order(address.loadUnaligned(as: UInt16.self)))
            case 4: destination[index] = integer(order(address.loadUnaligned(as: UInt32.self)))
            default: destination[index] = integer(order(address.loadUnaligned(as: UInt64.self)))
            }
        }
    }

    /// The value with bits `bits` (native order) as Int64.
    private func integer<T: FixedWidthInteger & UnsignedInteger>(_ bits: T) -> Int64 {
        switch kind {
        case .unsigned: return Int64(truncatingIfNeeded: bits)
        case .signed: return signExtended(bits)
        case .float:
            var value: Float = 0
            convert(1, &value) { _ in bits }
            return value.isFinite ? Int64(value) : 0
        }
    }

    @inline(__always)
    private func order<T: FixedWidthInteger>(_ value: T) -> T { bigEndian ? value.byteSwapped : value }

    @inline(__always)
    private func signExtended<T: FixedWidthInteger & UnsignedInteger>(_ bits: T) -> Int64 {
        let shift = 64 - T.bitWidth
        return (Int64(truncatingIfNeeded: bits) << shift) >> shift
    }

    /// destination[i] = the number whose native-order bits `bits(i)` returns, for i < count.
    @inline(__always)
    private func convert<T: FixedWidthInteger & UnsignedInteger>(
        _ count: Int, _ destination: UnsafeMutablePointer<Float>, _ bits: (Int) -> T
    ) {
        switch (kind, T.bitWidth) {
        case (.unsigned, _): for index in 0..<count { destination[index] = Float(bits(index)) }
        case (.signed, _): for index in 0..<count { destination[index] = Float(signExtended(bits(index))) }
        case (.float, 16): for index in 0..<count { destination[index] = Float(Float16(bitPattern: UInt16(truncatingIfNeeded: bits(index)))) }
        case (.float, 32): for index in 0..<count { destination[index] = Float(bitPattern: UInt32(truncatingIfNeeded: bits(index))) }
        default: for index in 0..<count { destination[index] = Float(Double(bitPattern: UInt64(truncatingIfNeeded: bits(index)))) }
        }
    }
}
