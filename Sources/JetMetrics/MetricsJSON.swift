import Foundation
import JetCore

/// The JSON dialect of every metrics file: keys sorted, pretty-printed, and non-finite numbers as the
/// strings `"inf"`, `"-inf"` and `"nan"` (JSON has no literal for them; Python's `float()` reads these).
public enum MetricsJSON {
    /// An encoder with sorted keys, pretty printing and the non-finite strings.
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    /// A decoder that reads what ``makeEncoder()`` writes.
    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }

    /// Encodes `value` and writes it to `url` atomically.
    public static func write<Value: Encodable>(_ value: Value, to url: URL) throws(JetMetricsError) {
        let data: Data
        do {
            data = try makeEncoder().encode(value)
        } catch {
            throw .writeFailed(path: url.path, reason: "JSON encoding failed: \(error)")
        }
        try AtomicFile.write(data, to: url)
    }

    /// Reads a value written by ``write(_:to:)``.
    public static func read<Value: Decodable>(_ type: Value.Type, from url: URL) throws -> Value {
        let data = try FileSystemError.wrapping(path: url.path, action: "cannot read") { try Data(contentsOf: url) }
        return try makeDecoder().decode(type, from: data)
    }
}
