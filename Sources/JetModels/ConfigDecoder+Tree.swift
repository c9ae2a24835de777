import Foundation

/// The keys each mapping of a config tree was asked for, by the mapping's dotted path (in asking order): what
/// ``ConfigDecoder`` compares the written keys with.
final class _KeyLog {
    private(set) var asked: [String: [String]] = [:]

    /// Records that the mapping at `path` was opened (as a keyed container).
    func open(_ path: String) {
        if asked[path] == nil { asked[path] = [] }
    }

    /// Records that `key` of the mapping at `path` was asked for (present or not).
    func ask(_ key: String, at path: String) {
        if asked[path]?.contains(key) != true { asked[path, default: []].append(key) }
    }
}

/// A coding key for any mapping key or list index of a config tree.
struct _ConfigKey: CodingKey {
    var stringValue: String
    var intValue: Int?

    init(_ name: String) { stringValue = name }
    init(index: Int) {
        stringValue = "\(index)"
        intValue = index
    }
    init?(stringValue: String) { self.init(stringValue) }
    init?(intValue: Int) { self.init(index: intValue) }
}

/// A decoder over one node of a config tree; it is its own single-value container. Numbers convert to the
/// asked type when they fit exactly (an integer-valued 3.0 is an Int, 3.5 is not); booleans are not numbers.
struct _TreeDecoder: Decoder, SingleValueDecodingContainer {
    let node: Any
    let codingPath: [CodingKey]
    let log: _KeyLog
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard let mapping = node as? [String: Any] else { throw mismatch([String: Any].self) }
        log.open(ConfigDecoder.dotted(codingPath))
        return KeyedDecodingContainer(_KeyedTreeContainer(mapping: mapping, decoder: self))
    }

    func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        guard let list = node as? [Any] else { throw mismatch([Any].self) }
        return _UnkeyedTreeContainer(list: list, decoder: self)
    }

    func singleValueContainer() throws -> SingleValueDecodingContainer { self }

    /// The decoder of `child`, the value at `key` below this node.
    func decoder(for child: Any, at key: CodingKey) -> _TreeDecoder {
        _TreeDecoder(node: child, codingPath: codingPath + [key], log: log)
    }

    func decodeNil() -> Bool { node is NSNull }

    func decode(_ type: Bool.Type) throws -> Bool {
        guard let number = node as? NSNumber, Self.isBoolean(number) else { throw mismatch(type) }
        return number.boolValue
    }

    func decode(_ type: String.Type) throws -> String {
        guard let string = node as? String else { throw mismatch(type) }
        return string
    }

    func decode(_ type: Double.Type) throws -> Double { try finite(type) }

    func decode(_ type: Float.Type) throws -> Float {
        let value = Float(try finite(type))
        guard value.isFinite else { throw notFinite(value) }
        return value
    }

    /// The node as a finite number: YAML's `.nan` and `.inf` are no value any option takes.
    private func finite(_ type: Any.Type) throws -> Double {
        let value = try number(type).doubleValue
        guard value.isFinite else { throw notFinite(value) }
        return value
    }

    private func notFinite(_ value: any BinaryFloatingPoint) -> DecodingError {
        .dataCorrupted(.init(codingPath: codingPath, debugDescription: "expected a finite number, found \(value)"))
    }

    /// Integers of every width (this generic method witnesses their requirements): the value when it fits
    /// exactly. Other types decode themselves.
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        guard let integerType = type as? any FixedWidthInteger.Type else { return try T(from: self) }
        guard let value = Self.exactly(integerType, try number(type)) as? T else { throw mismatch(type) }
        return value
    }

    private static func exactly<Integer: FixedWidthInteger>(_ type: Integer.Type, _ number: NSNumber) -> Integer? {
        switch String(cString: number.objCType) {
        case "f", "d": Integer(exactly: number.doubleValue)
        case "Q", "L", "I", "S", "C": Integer(exactly: number.uint64Value)
        default: Integer(exactly: number.int64Value)
        }
    }

    /// The node as a number (not a boolean).
    private func number(_ type: Any.Type) throws -> NSNumber {
        guard let number = node as? NSNumber, !Self.isBoolean(number) else { throw mismatch(type) }
        return number
    }

    /// true and false (Swift's, or JSONSerialization's) bridge to NSNumbers of type char.
    private static func isBoolean(_ number: NSNumber) -> Bool { String(cString: number.objCType) == "c" }

    func mismatch(_ type: Any.Type) -> DecodingError {
        let context = DecodingError.Context(codingPath: codingPath, debugDescription: "found \(node)")
        return node is NSNull ? .valueNotFound(type, context) : .typeMismatch(type, context)
    }
}

/// A mapping of a config tree; records every key asked for in the decoder's ``_KeyLog``.
struct _KeyedTreeContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let mapping: [String: Any]
    let decoder: _TreeDecoder
    var codingPath: [CodingKey] { decoder.codingPath }

    var allKeys: [Key] {
        mapping.keys.sorted().compactMap { name in
            decoder.log.ask(name, at: ConfigDecoder.dotted(codingPath))
            return Key(stringValue: name)
        }
    }

    func contains(_ key: Key) -> Bool {
        decoder.log.ask(key.stringValue, at: ConfigDecoder.dotted(codingPath))
        return mapping[key.stringValue] != nil
    }

    /// The decoder of the value at `key`; asks for the key.
    private func child(_ key: CodingKey) throws -> _TreeDecoder {
        decoder.log.ask(key.stringValue, at: ConfigDecoder.dotted(codingPath))
        guard let value = mapping[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no such key"))
        }
        return decoder.decoder(for: value, at: key)
    }

    func decodeNil(forKey key: Key) throws -> Bool { try child(key).decodeNil() }

    /// Every type, the primitive ones included (this generic method witnesses their requirements too).
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try child(key).decode(type) }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try child(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer {
        try child(key).unkeyedContainer()
    }

    func superDecoder() throws -> Decoder { try child(_ConfigKey("super")) }

    func superDecoder(forKey key: Key) throws -> Decoder { try child(key) }
}

/// A list of a config tree.
struct _UnkeyedTreeContainer: UnkeyedDecodingContainer {
    let list: [Any]
    let decoder: _TreeDecoder
    private(set) var currentIndex = 0
    var codingPath: [CodingKey] { decoder.codingPath }
    var count: Int? { list.count }
    var isAtEnd: Bool { currentIndex >= list.count }

    /// `body` applied to the decoder of the current element, then the next element is current (not when `body`
    /// throws).
    private mutating func advance<Result>(_ body: (_TreeDecoder) throws -> Result) throws -> Result {
        let key = _ConfigKey(index: currentIndex)
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                Any.self, .init(codingPath: codingPath + [key], debugDescription: "the list has \(list.count) entries"))
        }
        let result = try body(decoder.decoder(for: list[currentIndex], at: key))
        currentIndex += 1
        return result
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, list[currentIndex] is NSNull else { return false }
        currentIndex += 1
        return true
    }

    /// Every type, the primitive ones included (this generic method witnesses their requirements too).
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try advance { try $0.decode(type) } }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try advance { try $0.container(keyedBy: type) }
    }

    mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer {
        try advance { try $0.unkeyedContainer() }
    }

    mutating func superDecoder() throws -> Decoder { try advance { $0 } }
}
