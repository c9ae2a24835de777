/// A coding key for any string: lets a config decoder see every key a file really has.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }

    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension Decoder {
    /// Throws ``JetModelsError/unknownConfigKey(model:key:known:)`` for the first key of this object that is not
    /// one of `Keys` (a misspelt option must not silently fall back to its default).
    func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(_ keys: Keys.Type, model: String) throws {
        let known = keys.allCases.map(\.stringValue)
        let container = try container(keyedBy: AnyCodingKey.self)
        for key in container.allKeys where !known.contains(key.stringValue) {
            throw JetModelsError.unknownConfigKey(model: model, key: key.stringValue, known: known)
        }
    }
}

/// Checks shared by the model configs; `model` names the config in messages.
enum ConfigCheck {
    static func positive(_ value: Int, _ field: String, model: String) throws(JetModelsError) {
        guard value > 0 else {
            throw .invalidConfig(model: model, field: field, value: "\(value)", expected: "a positive integer")
        }
    }

    static func layerSizes(_ sizes: [Int], _ field: String, model: String, allowEmpty: Bool) throws(JetModelsError) {
        guard (allowEmpty || !sizes.isEmpty) && sizes.allSatisfy({ $0 > 0 }) else {
            throw .invalidConfig(
                model: model, field: field, value: "\(sizes)",
                expected: allowEmpty ? "a list of positive sizes" : "a non-empty list of positive sizes")
        }
    }

    static func dropout(_ rate: Float, model: String) throws(JetModelsError) {
        guard rate >= 0 && rate < 1 else {
            throw .invalidConfig(model: model, field: "dropout", value: "\(rate)", expected: "a rate in [0, 1)")
        }
    }

    static func classes(_ count: Int, model: String) throws(JetModelsError) {
        guard count >= 2 else {
            throw .invalidConfig(model: model, field: "classes", value: "\(count)", expected: "2 or more")
        }
    }
}
