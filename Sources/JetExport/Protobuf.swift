/// The protocol buffers wire format, as much of it as ONNX files use: varints, 32-bit fixed values and
/// length-delimited fields (strings, bytes, nested messages). Field numbers and types are the caller's
/// (`ONNXProto.swift` takes them from the ONNX spec, `onnx/onnx.proto`).
///
/// Encoding follows protoc for `proto2` messages: fields in the order written, repeated scalars unpacked unless
/// the caller writes them packed, negative `int64` values as ten-byte varints.
public struct ProtobufWriter: Sendable {
    /// The wire types of the format (the low three bits of a field's key).
    public enum WireType: UInt8, Sendable {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5
    }

    /// The bytes written so far.
    public private(set) var bytes: [UInt8] = []

    public init() {}

    /// Appends `value` as a base-128 varint (7 bits per byte, least significant first).
    public mutating func writeVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    /// Appends the key of field `field`: (field << 3) | wire type.
    public mutating func writeKey(_ field: Int, _ wireType: WireType) {
        precondition(field > 0, "ProtobufWriter: field numbers start at 1, got \(field)")
        writeVarint(UInt64(field) << 3 | UInt64(wireType.rawValue))
    }

    /// An `int64`/`int32`/enum field (negative values take ten bytes, as protoc writes them).
    public mutating func write(_ field: Int, int64 value: Int64) {
        writeKey(field, .varint)
        writeVarint(UInt64(bitPattern: value))
    }

    /// A `float` field (fixed32, little-endian IEEE 754).
    public mutating func write(_ field: Int, float value: Float) {
        writeKey(field, .fixed32)
        appendLittleEndian(value.bitPattern)
    }

    /// A `bytes` field.
    public mutating func write(_ field: Int, bytes value: some Collection<UInt8>) {
        writeKey(field, .lengthDelimited)
        writeVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// A `string` field (UTF-8).
    public mutating func write(_ field: Int, string value: String) {
        write(field, bytes: Array(value.utf8))
    }

    /// A nested message field.
    public mutating func write(_ field: Int, message: some ProtobufMessage) {
        var nested = ProtobufWriter()
        message.encode(to: &nested)
        write(field, bytes: nested.bytes)
    }

    private mutating func appendLittleEndian(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }
}

/// A message that writes its fields with a ``ProtobufWriter`` and reads them back with a ``ProtobufReader``.
public protocol ProtobufMessage: Sendable {
    /// Writes the message's fields (without a length prefix).
    func encode(to writer: inout ProtobufWriter)
    /// Reads the fields of one message; unknown fields are skipped.
    init(from reader: inout ProtobufReader) throws(ProtobufError)
}

extension ProtobufMessage {
    /// The message's wire bytes.
    public func serialized() -> [UInt8] {
        var writer = ProtobufWriter()
        encode(to: &writer)
        return writer.bytes
    }

    /// Decodes a message from its wire bytes.
    public init(serialized bytes: [UInt8]) throws(ProtobufError) {
        var reader = ProtobufReader(bytes[...])
        try self.init(from: &reader)
    }
}

/// Bytes that are not a well-formed protocol buffers message; `offset` is where reading stopped.
public struct ProtobufError: Error, Equatable, Sendable, CustomStringConvertible {
    public var offset: Int
    public var reason: String

    public init(offset: Int, reason: String) { (self.offset, self.reason) = (offset, reason) }

    public var description: String { "byte \(offset): \(reason)" }
}

/// Reads the fields of one message from its wire bytes, one at a time.
public struct ProtobufReader: Sendable {
    /// One field's value as the wire carries it.
    public enum Value: Equatable, Sendable {
        case varint(UInt64)
        case fixed64(UInt64)
        case lengthDelimited(ArraySlice<UInt8>)
        case fixed32(UInt32)

        /// The value of an `int64`/`int32`/enum field.
        public func int64(at offset: Int) throws(ProtobufError) -> Int64 {
            guard case .varint(let raw) = self else { throw ProtobufError(offset: offset, reason: "expected a varint") }
            return Int64(bitPattern: raw)
        }

        /// The value of a `float` field.
        public func float(at offset: Int) throws(ProtobufError) -> Float {
            guard case .fixed32(let raw) = self else { throw ProtobufError(offset: offset, reason: "expected a fixed32") }
            return Float(bitPattern: raw)
        }

        /// The bytes of a `bytes`, `string` or message field.
        public func bytes(at offset: Int) throws(ProtobufError) -> ArraySlice<UInt8> {
            guard case .lengthDelimited(let raw) = self else {
                throw ProtobufError(offset: offset, reason: "expected a length-delimited field")
            }
            return raw
        }

        /// The value of a `string` field (UTF-8).
        public func string(at offset: Int) throws(ProtobufError) -> String {
            let raw = try bytes(at: offset)
            guard let text = String(validating: raw, as: UTF8.self) else {
                throw ProtobufError(offset: offset, reason: "a string field is not UTF-8")
            }
            return text
        }

        /// A nested message.
        public func message<Message: ProtobufMessage>(_ type: Message.Type, at offset: Int) throws(ProtobufError) -> Message {
            var reader = ProtobufReader(try bytes(at: offset))
            return try Message(from: &reader)
        }

        /// The values of a repeated `int64` field written unpacked (one varint) or packed (a length-delimited run).
        public func int64s(at offset: Int) throws(ProtobufError) -> [Int64] {
            switch self {
            case .varint(let raw): return [Int64(bitPattern: raw)]
            case .lengthDelimited(let raw):
                var reader = ProtobufReader(raw)
                var values: [Int64] = []
                while !reader.isAtEnd { values.append(Int64(bitPattern: try reader.readVarint())) }
                return values
            default: throw ProtobufError(offset: offset, reason: "expected varints")
            }
        }

        /// The values of a repeated `float` field written unpacked or packed.
        public func floats(at offset: Int) throws(ProtobufError) -> [Float] {
            switch self {
            case .fixed32(let raw): return [Float(bitPattern: raw)]
            case .lengthDelimited(let raw):
                guard raw.count % 4 == 0 else {
                    throw ProtobufError(offset: offset, reason: "a packed float field of \(raw.count) bytes")
                }
                return stride(from: raw.startIndex, to: raw.endIndex, by: 4).map { start in
                    Float(bitPattern: (0..<4).reduce(UInt32(0)) { $0 | UInt32(raw[start + $1]) << UInt32(8 * $1) })
                }
            default: throw ProtobufError(offset: offset, reason: "expected fixed32 values")
            }
        }
    }

    private let bytes: ArraySlice<UInt8>
    private var position: Int
    /// The offset of the last field's key in the outermost bytes (for errors).
    public private(set) var fieldOffset = 0

    public init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        position = bytes.startIndex
    }

    public var isAtEnd: Bool { position >= bytes.endIndex }

    /// The next field's number and value, nil at the end of the message.
    public mutating func next() throws(ProtobufError) -> (field: Int, value: Value)? {
        guard !isAtEnd else { return nil }
        fieldOffset = position
        let key = try readVarint()
        let field = Int(truncatingIfNeeded: key >> 3)
        guard field > 0 && key >> 3 <= UInt64(Int32.max) else {
            throw ProtobufError(offset: fieldOffset, reason: "field number \(key >> 3)")
        }
        switch key & 7 {
        case 0: return (field, .varint(try readVarint()))
        case 1: return (field, .fixed64(try readFixed(8)))
        case 2:
            let length = try readVarint()
            guard length <= UInt64(bytes.endIndex - position) else {
                throw ProtobufError(offset: fieldOffset, reason: "field \(field) of \(length) bytes runs past the end")
            }
            let start = position
            position += Int(length)
            return (field, .lengthDelimited(bytes[start..<position]))
        case 5: return (field, .fixed32(UInt32(try readFixed(4))))
        default: throw ProtobufError(offset: fieldOffset, reason: "field \(field) has wire type \(key & 7)")
        }
    }

    /// Reads one varint (at most ten bytes).
    public mutating func readVarint() throws(ProtobufError) -> UInt64 {
        var value: UInt64 = 0
        for index in 0..<10 {
            guard position < bytes.endIndex else { throw ProtobufError(offset: position, reason: "a varint runs past the end") }
            let byte = bytes[position]
            position += 1
            value |= UInt64(byte & 0x7F) << UInt64(7 * index)
            if byte < 0x80 { return value }
        }
        throw ProtobufError(offset: position, reason: "a varint longer than ten bytes")
    }

    private mutating func readFixed(_ count: Int) throws(ProtobufError) -> UInt64 {
        guard bytes.endIndex - position >= count else {
            throw ProtobufError(offset: position, reason: "a fixed\(8 * count) value runs past the end")
        }
        var value: UInt64 = 0
        for index in 0..<count { value |= UInt64(bytes[position + index]) << UInt64(8 * index) }
        position += count
        return value
    }
}
