/// One input variable and its standardisation, as the user writes it (weaver's
/// `[name, subtract_by, multiply_by, clip_min, clip_max, pad_value]`).
///
/// The network sees `clip((x - subtractBy) * multiplyBy, clipMin, clipMax)` for real entries and
/// `padValue` for padding slots.
///
/// Decodes from three YAML/JSON forms:
/// - a bare name, `pt_log`: everything default, centre and scale fitted on the training data;
/// - weaver's list, `[pt_log, 1.7, 0.7, -5, 5, 0]`: trailing entries may be left out, `null` means
///   "fit" for `subtract_by`/`multiply_by` and "no clipping" for the clip bounds;
/// - a mapping with keys `name`, `subtractBy`, `multiplyBy`, `clipMin`, `clipMax`, `padValue`, `logFloor`, and
///   `standardize: false` for a variable the network sees as it is (weaver's `[name, null]` under its manual
///   method: centre 0, scale 1, no clipping; `subtractBy`/`multiplyBy` cannot be given with it).
///
/// Defaults: `subtractBy`/`multiplyBy` nil (fitted: mean and 1 / standard deviation), `clipMin` -5 and
/// `clipMax` 5 (weaver's defaults; an explicit `null` turns clipping off), `padValue` 0, `logFloor` nil
/// (log of a value <= 0 is an error; with a floor, `log(max(x, logFloor))`).
public struct VariableSpec: Codable, Sendable, Equatable {
    public static let defaultClipMin: Float = -5
    public static let defaultClipMax: Float = 5

    /// Variable name: a derived name (see `ConstituentVariable`, `JetVariable`) or a raw field.
    public var name: String
    /// Centre; nil until fitted.
    public var subtractBy: Float?
    /// Scale factor (1 / width); nil until fitted.
    public var multiplyBy: Float?
    /// Lower clip bound after standardisation; nil for none.
    public var clipMin: Float?
    /// Upper clip bound after standardisation; nil for none.
    public var clipMax: Float?
    /// Value written into padding slots (after standardisation: it is not transformed).
    public var padValue: Float
    /// Floor applied to a log's argument; nil makes non-positive arguments an error.
    public var logFloor: Float?

    public init(
        _ name: String, subtractBy: Float? = nil, multiplyBy: Float? = nil,
        clipMin: Float? = VariableSpec.defaultClipMin, clipMax: Float? = VariableSpec.defaultClipMax,
        padValue: Float = 0, logFloor: Float? = nil
    ) {
        self.name = name
        self.subtractBy = subtractBy
        self.multiplyBy = multiplyBy
        self.clipMin = clipMin
        self.clipMax = clipMax
        self.padValue = padValue
        self.logFloor = logFloor
    }

    /// True when both centre and scale are known, so the variable can be transformed.
    public var isStandardized: Bool { subtractBy != nil && multiplyBy != nil }

    /// Applies centre, scale and clipping to one raw value (centre and scale must be set).
    @inline(__always)
    func transform(_ x: Float, subtractBy: Float, multiplyBy: Float) -> Float {
        var y = (x - subtractBy) * multiplyBy
        if let low = clipMin { y = max(y, low) }
        if let high = clipMax { y = min(y, high) }
        return y
    }

    func validate() throws {
        if let low = clipMin, let high = clipMax, !(low <= high) {
            throw JetFeaturesError.invalidSpec("variable '\(name)': clipMin \(low) > clipMax \(high)")
        }
        if let floor = logFloor, !(floor > 0 && floor.isFinite) {
            throw JetFeaturesError.invalidSpec("variable '\(name)': logFloor must be positive, got \(floor)")
        }
        for (key, value) in [("subtractBy", subtractBy), ("multiplyBy", multiplyBy)] {
            if let value, !value.isFinite {
                throw JetFeaturesError.invalidSpec("variable '\(name)': \(key) is \(value)")
            }
        }
    }

    private enum CodingKeys: String, CodingKey {
        case name, subtractBy, multiplyBy, clipMin, clipMax, padValue, logFloor, standardize
    }

    public init(from decoder: Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let name = try? single.decode(String.self) {
            self.init(name)
        } else if var list = try? decoder.unkeyedContainer() {
            self.init(try list.decode(String.self))
            if !list.isAtEnd { subtractBy = try list.decodeNil() ? nil : try list.decode(Float.self) }
            if !list.isAtEnd { multiplyBy = try list.decodeNil() ? nil : try list.decode(Float.self) }
            if !list.isAtEnd { clipMin = try list.decodeNil() ? nil : try list.decode(Float.self) }
            if !list.isAtEnd { clipMax = try list.decodeNil() ? nil : try list.decode(Float.self) }
            if !list.isAtEnd { padValue = try list.decode(Float.self) }
            if !list.isAtEnd {
                throw DecodingError.dataCorrupted(.init(
                    codingPath: decoder.codingPath,
                    debugDescription: "variable '\(name)': a weaver list has at most 6 entries "
                        + "[name, subtract_by, multiply_by, clip_min, clip_max, pad_value]"))
            }
        } else {
            let keyed = try decoder.container(keyedBy: CodingKeys.self)
            self.init(try keyed.decode(String.self, forKey: .name))
            subtractBy = try keyed.decodeIfPresent(Float.self, forKey: .subtractBy)
            multiplyBy = try keyed.decodeIfPresent(Float.self, forKey: .multiplyBy)
            if keyed.contains(.clipMin) { clipMin = try keyed.decodeIfPresent(Float.self, forKey: .clipMin) }
            if keyed.contains(.clipMax) { clipMax = try keyed.decodeIfPresent(Float.self, forKey: .clipMax) }
            padValue = try keyed.decodeIfPresent(Float.self, forKey: .padValue) ?? 0
            logFloor = try keyed.decodeIfPresent(Float.self, forKey: .logFloor)
            if try keyed.decodeIfPresent(Bool.self, forKey: .standardize) == false {
                guard subtractBy == nil, multiplyBy == nil else {
                    throw DecodingError.dataCorrupted(.init(
                        codingPath: decoder.codingPath + [CodingKeys.standardize],
                        debugDescription: "variable '\(name)': standardize: false cannot be combined with subtractBy or multiplyBy"))
                }
                (subtractBy, multiplyBy) = (0, 1)
                if !keyed.contains(.clipMin) { clipMin = nil }
                if !keyed.contains(.clipMax) { clipMax = nil }
            }
        }
    }

    /// Encodes the mapping form, writing `null` for absent values so that a round trip keeps
    /// "no clipping" distinct from "default clipping".
    public func encode(to encoder: Encoder) throws {
        var keyed = encoder.container(keyedBy: CodingKeys.self)
        try keyed.encode(name, forKey: .name)
        try keyed.encode(subtractBy, forKey: .subtractBy)
        try keyed.encode(multiplyBy, forKey: .multiplyBy)
        try keyed.encode(clipMin, forKey: .clipMin)
        try keyed.encode(clipMax, forKey: .clipMax)
        try keyed.encode(padValue, forKey: .padValue)
        try keyed.encode(logFloor, forKey: .logFloor)
    }
}
