import Foundation
import JetCore

/// A value of a scan trial: what a `choice` lists (numbers, booleans, strings and lists of them) or what a range
/// draws. Encoded as the plain JSON value.
public enum ScanValue: Equatable, Sendable, Codable, CustomStringConvertible {
    case int(Int)
    case double(Double)
    case bool(Bool)
    case string(String)
    case list([ScanValue])

    /// A parsed YAML value (``ConfigFile/parse(_:origin:)``); nil for mappings and nulls.
    init?(yaml value: Any) {
        switch value {
        case let value as Int: self = .int(value)
        case let value as Double: self = .double(value)
        case let value as Bool: self = .bool(value)
        case let value as String: self = .string(value)
        case let list as [Any]:
            var values: [ScanValue] = []
            for element in list {
                guard let value = ScanValue(yaml: element) else { return nil }
                values.append(value)
            }
            self = .list(values)
        default: return nil
        }
    }

    /// The value as the config tree holds it, for ``ConfigFile/applyOverride(path:value:to:)``.
    public var treeValue: Any {
        switch self {
        case .int(let value): value
        case .double(let value): value
        case .bool(let value): value
        case .string(let value): value
        case .list(let values): values.map(\.treeValue)
        }
    }

    /// The value as a number (for plots), nil for strings and lists.
    public var number: Double? {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        case .bool(let value): value ? 1 : 0
        case .string, .list: nil
        }
    }

    /// As written in YAML: `0.001`, `64`, `true`, `relu`, `[64, 64]`.
    public var description: String {
        switch self {
        case .int(let value): "\(value)"
        case .double(let value): "\(value)"
        case .bool(let value): "\(value)"
        case .string(let value): value
        case .list(let values): "[" + values.map(\.description).joined(separator: ", ") + "]"
        }
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else {
            self = .list(try container.decode([ScanValue].self))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .list(let values): try container.encode(values)
        }
    }
}

/// The hyperparameter space of a `jettag scan` random search: for each config key path, the distribution its
/// values are drawn from. Written in YAML as one mapping from dotted key paths to a distribution:
///
/// ```yaml
/// training.learningRate: {logUniform: [1.0e-4, 1.0e-2]}   # log(value) uniform between log(low) and log(high)
/// training.weightDecay: {uniform: [0, 0.01]}              # uniform in [low, high]
/// training.batchSize: {intUniform: [64, 512]}             # an integer in low...high, each equally likely
/// model.deepsets.constituentLayers: {choice: [[32, 32], [64, 64, 64]]}   # one of the listed values
/// ```
///
/// Trial i's value of a key depends only on the seed, i and the key path (``values(seed:trial:)``): the same seed
/// gives the same trials in any process, and adding a key to the space leaves the other keys' values unchanged.
public struct ScanSpace: Equatable, Sendable, Codable {
    /// Where a parameter's values come from.
    public enum Distribution: Equatable, Sendable, Codable {
        case uniform(low: Double, high: Double)
        case logUniform(low: Double, high: Double)
        case intUniform(low: Int, high: Int)
        case choice([ScanValue])

        /// The distribution's name as the space file writes it.
        public var name: String {
            switch self {
            case .uniform: "uniform"
            case .logUniform: "logUniform"
            case .intUniform: "intUniform"
            case .choice: "choice"
            }
        }
    }

    /// One scanned config key.
    public struct Parameter: Equatable, Sendable, Codable {
        /// The dotted config key path, as `--set` takes it (`training.learningRate`).
        public var key: String
        public var distribution: Distribution

        public init(key: String, distribution: Distribution) {
            self.key = key
            self.distribution = distribution
        }
    }

    /// The parameters in key order.
    public let parameters: [Parameter]

    /// - Throws: ``JetTagKitError/invalidScanSpace(file:key:reason:)`` for no parameters.
    public init(parameters: [Parameter], file: String = "the scan space") throws(JetTagKitError) {
        guard !parameters.isEmpty else {
            throw .invalidScanSpace(file: file, key: nil, reason: "has no parameters (expected key.path: {logUniform: [low, high]}, ...)")
        }
        self.parameters = parameters.sorted { $0.key < $1.key }
    }

    /// Reads the YAML space file at `path`.
    ///
    /// - Throws: ``JetTagKitError`` for an unreadable file or YAML, and
    ///   ``JetTagKitError/invalidScanSpace(file:key:reason:)`` naming the key path of a bad distribution.
    public static func load(path: String) throws(JetTagKitError) -> ScanSpace {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw .unreadableConfigFile(path: path)
        }
        return try ScanSpace(tree: try ConfigFile.parse(text, origin: path), file: path)
    }

    /// The space a parsed YAML document describes (see the type's documentation).
    public init(tree: Any, file: String) throws(JetTagKitError) {
        guard let mapping = tree is NSNull ? [:] : tree as? [String: Any] else {
            throw .invalidScanSpace(file: file, key: nil, reason: "is not a mapping of config key paths to distributions")
        }
        var parameters: [Parameter] = []
        for key in mapping.keys.sorted() {
            func fail(_ reason: String) -> JetTagKitError { .invalidScanSpace(file: file, key: key, reason: reason) }
            let names = ["uniform", "logUniform", "intUniform", "choice"]
            guard let spec = mapping[key] as? [String: Any], spec.count == 1, let (name, argument) = spec.first,
                names.contains(name)
            else {
                throw fail("expected one of {\(names.map { "\($0): ..." }.joined(separator: "}, {"))}")
            }
            guard key.split(separator: ".", omittingEmptySubsequences: false).allSatisfy({ !$0.isEmpty }) else {
                throw fail("is not a dotted config key path such as training.learningRate")
            }
            let distribution: Distribution
            if name == "choice" {
                guard let list = argument as? [Any], !list.isEmpty else { throw fail("choice needs a non-empty list of values") }
                var values: [ScanValue] = []
                for element in list {
                    guard let value = ScanValue(yaml: element) else {
                        throw fail("choice values must be numbers, booleans, strings or lists of them")
                    }
                    values.append(value)
                }
                distribution = .choice(values)
            } else if name == "intUniform" {
                guard let bounds = argument as? [Any], bounds.count == 2, let low = bounds[0] as? Int,
                    let high = bounds[1] as? Int, low <= high
                else {
                    throw fail("intUniform needs two integers [low, high] with low <= high")
                }
                distribution = .intUniform(low: low, high: high)
            } else {
                // YAML 1.1 reads 1e-4 (no dot) as a string: take it as the number it means.
                let bounds = (argument as? [Any])?.compactMap {
                    ($0 as? Double) ?? ($0 as? Int).map(Double.init) ?? ($0 as? String).flatMap(Double.init)
                } ?? []
                guard bounds.count == 2, (argument as? [Any])?.count == 2, bounds.allSatisfy(\.isFinite),
                    bounds[0] <= bounds[1]
                else {
                    throw fail("\(name) needs two numbers [low, high] with low <= high")
                }
                if name == "logUniform" {
                    guard bounds[0] > 0 else {
                        throw fail("logUniform needs positive bounds, got [\(bounds[0]), \(bounds[1])]")
                    }
                    distribution = .logUniform(low: bounds[0], high: bounds[1])
                } else {
                    distribution = .uniform(low: bounds[0], high: bounds[1])
                }
            }
            parameters.append(Parameter(key: key, distribution: distribution))
        }
        try self.init(parameters: parameters, file: file)
    }

    /// Trial `trial`'s value of every parameter, in key order; a function of (seed, trial, key) alone.
    public func values(seed: UInt64, trial: Int) -> [(key: String, value: ScanValue)] {
        parameters.map { parameter in
            var generator = SeededGenerator(
                seed: seed ^ (0x9E37_79B9_7F4A_7C15 &* UInt64(trial + 1)) ^ Self.hash(parameter.key))
            // 53 random bits: u in [0, 1).
            let u = Double(generator.next() >> 11) * 0x1p-53
            return (parameter.key, Self.draw(parameter.distribution, u: u))
        }
    }

    /// The value at quantile u in [0, 1) of `distribution`.
    static func draw(_ distribution: Distribution, u: Double) -> ScanValue {
        switch distribution {
        case let .uniform(low, high):
            return .double(min(high, low + u * (high - low)))
        case let .logUniform(low, high):
            return .double(min(high, low * pow(high / low, u)))
        case let .intUniform(low, high):
            return .int(low + min(high - low, Int(u * Double(high - low + 1))))
        case .choice(let values):
            return values[min(values.count - 1, Int(u * Double(values.count)))]
        }
    }

    /// FNV-1a of the key's UTF-8 bytes: stable across processes (Swift's `Hasher` is seeded per process).
    static func hash(_ key: String) -> UInt64 {
        key.utf8.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }
    }
}
