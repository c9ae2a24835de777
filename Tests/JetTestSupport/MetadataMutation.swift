import Foundation
import JetCore
import JetData

/// The shipped sample the metadata mutations patch.
public let shippedSample = packageRoot.appendingPathComponent("Datasets/top_qcd_sample.h5").path

/// Bytes overwritten in a copy of a file: a fuzzing case, stored as a recipe instead of a 9 MB copy.
public struct MetadataMutation: Codable, Sendable, Equatable {
    public struct Patch: Codable, Sendable, Equatable {
        /// Byte offset in the file.
        public var offset: Int
        /// The bytes written there, as hexadecimal ("00ff12").
        public var bytes: String

        public init(offset: Int, bytes: [UInt8]) {
            self.offset = offset
            self.bytes = bytes.map { String(format: "%02x", $0) }.joined()
        }

        var values: [UInt8] {
            let digits = Array(bytes.utf8)
            return stride(from: 0, to: digits.count - 1, by: 2).map { UInt8(String(decoding: digits[$0...$0 + 1], as: UTF8.self), radix: 16)! }
        }
    }

    /// The campaign seed that made it (nil for a hand-written case).
    public var seed: UInt64?
    public var patches: [Patch]
    /// What it did to the reader before the fix ("SIGSEGV in ScalarType.convert", "hang", ...).
    public var note: String?

    public init(seed: UInt64?, patches: [Patch], note: String? = nil) {
        self.seed = seed
        self.patches = patches
        self.note = note
    }

    /// A copy of `original` with the patches applied (patches past the end are dropped).
    public func apply(to original: Data) -> Data {
        var bytes = original
        for patch in patches {
            for (index, value) in patch.values.enumerated() where patch.offset + index < bytes.count {
                bytes[patch.offset + index] = value
            }
        }
        return bytes
    }

    /// 1-20 bytes overwritten inside `metadata` (byte ranges of the file that hold no dataset values), chosen
    /// by `seed`: runs of 1-8 consecutive bytes at random offsets, each byte random, 0x00, 0xff or the
    /// original plus or minus 1 (small changes to sizes and offsets reach deeper than random ones).
    public static func random(seed: UInt64, metadata: [Range<Int>], original: Data) -> MetadataMutation {
        var random = SeededGenerator(seed: seed)
        let total = metadata.reduce(0) { $0 + $1.count }
        var remaining = 1 + random.nextIndex(below: 20)
        var patches: [Patch] = []
        while remaining > 0 {
            var position = random.nextIndex(below: total)
            let region = metadata.first { region in
                if position < region.count { return true }
                position -= region.count
                return false
            }!
            let run = min(remaining, 1 + random.nextIndex(below: 8), region.upperBound - region.lowerBound - position)
            let offset = region.lowerBound + position
            let bytes = (0..<run).map { index -> UInt8 in
                let old = original[offset + index]
                switch random.nextIndex(below: 5) {
                case 0: return 0
                case 1: return 0xff
                case 2: return old &+ 1
                case 3: return old &- 1
                default: return UInt8(truncatingIfNeeded: random.next())
                }
            }
            patches.append(Patch(offset: offset, bytes: bytes))
            remaining -= run
        }
        return MetadataMutation(seed: seed, patches: patches)
    }

    /// The byte ranges of the file at `path` that hold no dataset values.
    public static func metadataRegions(of path: String) throws -> [Range<Int>] {
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
        var regions: [Range<Int>] = []
        var start = 0
        for raw in try HDF5File(readingAt: path).rawDataRegions() {
            if raw.lowerBound > start { regions.append(start..<raw.lowerBound) }
            start = max(start, raw.upperBound)
        }
        if start < size { regions.append(start..<size) }
        return regions
    }
}

/// Everything the scorer and `jettag inspect` read from a file, to compare a damaged copy with the original.
public struct FileReading: Equatable, Sendable {
    public var values: [String: [UInt64]]
    /// The inspection report, but for `labelNames`.
    public var inspection: Data
    /// The text of the file's `label_names` attribute.
    public var labelNames: [String]?

    /// Reads every jet field of `jets` and constituent field of `constituents` (the sample's compound layout)
    /// through `JetStream`, and the file through `FileInspection.inspect`.
    public init(path: String, jetFields: [String], constituentFields: [String]) throws {
        let stream = try JetStream(
            file: path, options: JetReadOptions(jetFields: jetFields, constituentFields: constituentFields, batchSize: 1000, threads: 2))
        let batch = try stream.readAll()
        var values: [String: [UInt64]] = [
            "mask": batch.mask.map { UInt64($0.bitPattern) },
            "multiplicities": batch.multiplicities.map { UInt64(UInt32(bitPattern: $0)) },
            "eventNumbers": batch.eventNumbers.map { UInt64(bitPattern: $0) },
            "rows": batch.rows.map { UInt64($0) },
            "maxConstituents": [UInt64(batch.maxConstituents)],
        ]
        for (name, column) in batch.jetFields { values["jets." + name] = column.map { UInt64($0.bitPattern) } }
        for (name, column) in batch.constituentFields { values["constituents." + name] = column.map { UInt64($0.bitPattern) } }
        self.values = values
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        var inspection = try FileInspection.inspect(path: path, threads: 2)
        inspection.file = ""  // the copy's path differs
        labelNames = inspection.labelNames
        inspection.labelNames = nil
        self.inspection = try encoder.encode(inspection)
    }

    /// How this reading of a damaged copy compares with `reference`, the original's.
    public func outcome(against reference: FileReading) -> MutationOutcome {
        if let difference = difference(from: reference) { return .different(difference) }
        guard labelNames == reference.labelNames else {
            return .attributeTextChanged("label_names \(labelNames ?? []) instead of \(reference.labelNames ?? [])")
        }
        return .identical
    }

    /// The first difference from `other` but for `labelNames`, named; nil when equal.
    public func difference(from other: FileReading) -> String? {
        for key in Set(values.keys).union(other.values.keys).sorted() where values[key] != other.values[key] {
            let mine = values[key] ?? [], theirs = other.values[key] ?? []
            guard mine.count == theirs.count else { return "\(key): \(mine.count) values instead of \(theirs.count)" }
            let index = mine.indices.first { mine[$0] != theirs[$0] }!
            return "\(key)[\(index)] is \(mine[index]) instead of \(theirs[index]) (bit patterns)"
        }
        guard inspection == other.inspection else {
            let mine = Array(inspection), theirs = Array(other.inspection)
            let index = mine.indices.first { $0 >= theirs.count || mine[$0] != theirs[$0] } ?? theirs.count
            func context(_ bytes: [UInt8]) -> String {
                String(decoding: bytes[max(0, index - 40)..<min(bytes.count, index + 40)], as: UTF8.self)
            }
            return "the inspection report differs: '\(context(mine))' instead of '\(context(theirs))'"
        }
        return nil
    }
}

/// What reading a damaged copy gave.
public enum MutationOutcome: Equatable, CustomStringConvertible {
    /// The very values of the original: the damage hit nothing the reader uses.
    case identical
    /// A `JetDataError`, with its message.
    case cleanError(String)
    /// Values that differ from the original without an error: a silently wrong result.
    case different(String)
    /// An error that is not a `JetDataError`.
    case foreignError(String)
    /// Only the text of a string attribute changed, as libhdf5 itself reads it: files in HDF5's original format
    /// (h5py's default) carry no checksums, so no reader can tell; `label_names` is checked against the config.
    case attributeTextChanged(String)

    public var isAcceptable: Bool {
        switch self {
        case .identical, .cleanError, .attributeTextChanged: return true
        case .different, .foreignError: return false
        }
    }

    public var description: String {
        switch self {
        case .identical: return "identical values"
        case .cleanError(let message): return "clean error: \(message)"
        case .different(let what): return "SILENTLY DIFFERENT: \(what)"
        case .foreignError(let message): return "error that is not a JetDataError: \(message)"
        case .attributeTextChanged(let what): return "attribute text changed (undetectable in this format): \(what)"
        }
    }
}

/// Reads the sample and damaged copies of it, comparing each with the original.
public struct MutationChecker: Sendable {
    public let original: Data
    public let reference: FileReading
    public let jetFields: [String]
    public let constituentFields: [String]
    public let metadata: [Range<Int>]

    public init(sample: String = shippedSample) throws {
        original = try Data(contentsOf: URL(fileURLWithPath: sample))
        let inspection = try FileInspection.inspect(path: sample, threads: 1)
        // every field but those the layout reads by itself (so a renamed event_number is not asked for by name)
        func fields(_ dataset: String) -> [String] {
            inspection.datasets.first { $0.path == dataset }!.fields.map(\.name).filter { !["valid", "event_number"].contains($0) }
        }
        jetFields = fields("/jets")
        constituentFields = fields("/constituents")
        reference = try FileReading(path: sample, jetFields: jetFields, constituentFields: constituentFields)
        metadata = try MetadataMutation.metadataRegions(of: sample)
    }

    /// Writes the damaged copy to `path` and reads it.
    public func check(_ mutation: MetadataMutation, at path: String) throws -> MutationOutcome {
        try mutation.apply(to: original).write(to: URL(fileURLWithPath: path))
        do {
            let reading = try FileReading(path: path, jetFields: jetFields, constituentFields: constituentFields)
            return reading.outcome(against: reference)
        } catch let error as JetDataError {
            return .cleanError("\(error)")
        } catch {
            return .foreignError("\(error)")
        }
    }
}
