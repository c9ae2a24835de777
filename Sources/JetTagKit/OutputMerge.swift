import Foundation
import JetData

/// `jettag merge`: the outputs of a sharded `jettag predict --out`, `reweight apply` or `evaluate --shard` joined
/// into what one unsharded run writes, bit for bit: one scores or weights file in input order, or for evaluation
/// parts the `metrics.json`, `roc.csv` and score histograms of the evaluation of all jets at once.
///
/// The parts may be given in any order (they are put in the order of their rows). They must be of one kind with
/// the same fields and attributes (model, inputs, classes, settings) and together hold every row of the inputs
/// exactly once (``OutputRows``: no gap, no overlap), each with its jets' indices ascending inside its rows.
public struct OutputMerge {
    /// The parts, in any order.
    public var parts: [String]
    /// The merged file (scores, weights), or the directory for an evaluation's files.
    public var out: String
    /// Rows copied at a time (memory is bounded by it).
    public var batchSize: Int

    public init(parts: [String], out: String, batchSize: Int = 100_000) {
        (self.parts, self.out, self.batchSize) = (parts, out, batchSize)
    }

    /// What was merged.
    public struct Summary: Equatable, Sendable {
        /// The parts' `kind`: `scores`, `weights` or `evaluation`.
        public var kind: String
        public var parts: Int
        public var jets: Int
    }

    /// Checks the parts and writes the merged output; the file is written under a temporary name and renamed
    /// when complete, so a failed merge leaves nothing under `out`.
    ///
    /// - Throws: ``JetTagKitError/invalidOutputPart(file:reason:)`` naming the part and the field or attribute
    ///   that differs, ``JetTagKitError/outputPartsDoNotCover(reason:)`` naming the rows missing or held twice
    ///   and the parts around them, `JetDataError` for unreadable files.
    @discardableResult
    public func run() throws -> Summary {
        guard !parts.isEmpty else { throw JetTagKitError.outputPartsDoNotCover(reason: "no parts given") }
        let readers = try parts.map { try JetOutputReader(path: $0) }
        let ordered = try Self.order(readers)
        let first = ordered[0].reader
        let kind = first.attributes["kind"] ?? ""
        let jets = ordered.reduce(0) { $0 + $1.reader.count }
        let whole = OutputRows(shard: .whole, rows: 0..<ordered[0].rows.inputRows, inputRows: ordered[0].rows.inputRows)
        switch kind {
        case ScoreSchema.kind, WeightSchema.kind:
            let writer = try JetOutputWriter(
                path: out, fields: first.fields, attributes: first.attributes.merging(whole.attributes) { _, w in w })
            do {
                try copy(ordered) { try writer.append(jetIndices: $0.jetIndices, eventNumbers: $0.eventNumbers, values: $0.values) }
                try writer.finish()
            } catch {
                writer.abandon()
                throw error
            }
        case EvaluationRun.kind:
            let settings = try EvaluationRun.Settings(attributes: first.attributes, file: first.path)
            let classCount = settings.signal.classNames.count
            let probabilityFields = Array(first.fields.prefix(classCount))
            let spreadFields = settings.spreadSource == nil ? [] : Array(first.fields.dropFirst(classCount).prefix(classCount))
            guard first.fields == probabilityFields + spreadFields + [EvaluationRun.labelField, EvaluationRun.weightField],
                spreadFields.allSatisfy({ $0.hasSuffix("_std") })
            else {
                throw JetTagKitError.invalidOutputPart(
                    file: first.path, reason: "an evaluation part has one field per class, with a 'spread' attribute "
                        + "one _std field per class, then label and weight; it has " + first.fields.joined(separator: ", "))
            }
            var inputs = EvaluationRun.Inputs(
                probabilities: [], labels: [], weights: [], spread: spreadFields.isEmpty ? nil : [])
            inputs.probabilities.reserveCapacity(jets * probabilityFields.count)
            try copy(ordered) { rows in
                let columns = probabilityFields.map { rows.values[$0]! }
                let spreads = spreadFields.map { rows.values[$0]! }
                for jet in rows.jetIndices.indices {
                    for column in columns { inputs.probabilities.append(column[jet]) }
                    for column in spreads { inputs.spread!.append(column[jet]) }
                }
                inputs.labels += rows.values[EvaluationRun.labelField]!.map { Int($0) }
                inputs.weights += rows.values[EvaluationRun.weightField]!
            }
            _ = try EvaluationRun.evaluate(inputs, settings: settings, directory: URL(fileURLWithPath: out))
        default:
            throw JetTagKitError.invalidOutputPart(
                file: first.path, reason: "its 'kind' attribute is '\(kind)'; jettag merge joins the outputs of "
                    + "jettag predict --out (scores), reweight apply (weights) and evaluate --shard (evaluation)")
        }
        return Summary(kind: kind, parts: ordered.count, jets: jets)
    }

    /// The parts in the order of their rows, checked to be alike and to cover the inputs once.
    static func order(_ readers: [JetOutputReader]) throws -> [(reader: JetOutputReader, rows: OutputRows)] {
        let parts = try readers.map { ($0, try OutputRows(attributes: $0.attributes, file: $0.path)) }
            .sorted { ($0.1.rows.lowerBound, $0.1.rows.upperBound) < ($1.1.rows.lowerBound, $1.1.rows.upperBound) }
        let (first, firstRows) = parts[0]
        let shared = first.attributes.filter { !OutputRows.attributeNames.contains($0.key) }
        for (part, rows) in parts.dropFirst() {
            guard part.fields == first.fields else {
                throw JetTagKitError.invalidOutputPart(
                    file: part.path, reason: "its fields \(part.fields) are not those of \(first.path): \(first.fields)")
            }
            for (name, value) in shared.sorted(by: { $0.key < $1.key }) where part.attributes[name] != value {
                throw JetTagKitError.invalidOutputPart(
                    file: part.path, reason: "attribute '\(name)' is '\(part.attributes[name] ?? "(absent)")', "
                        + "in \(first.path) it is '\(value)'")
            }
            for name in part.attributes.keys.sorted() where shared[name] == nil && !OutputRows.attributeNames.contains(name) {
                throw JetTagKitError.invalidOutputPart(
                    file: part.path, reason: "attribute '\(name)' is absent from \(first.path)")
            }
            guard rows.inputRows == firstRows.inputRows else {
                throw JetTagKitError.invalidOutputPart(
                    file: part.path, reason: "its inputs have \(rows.inputRows) rows, those of \(first.path) \(firstRows.inputRows)")
            }
        }
        var end = 0
        var previous: String?
        for (part, rows) in parts {
            if rows.rows.lowerBound > end {
                throw JetTagKitError.outputPartsDoNotCover(
                    reason: "rows \(end)..<\(rows.rows.lowerBound) of the \(firstRows.inputRows) input rows are in no part "
                        + "(\(previous.map { "between \($0) and " } ?? "before ")\(part.path)); "
                        + missingShards(parts.map(\.1)))
            }
            if rows.rows.lowerBound < end {
                throw JetTagKitError.outputPartsDoNotCover(
                    reason: "rows \(rows.rows.lowerBound)..<\(min(end, rows.rows.upperBound)) are in both \(previous!) and "
                        + "\(part.path) (shards \(parts.map(\.1.shard.description).joined(separator: ", ")))")
            }
            end = rows.rows.upperBound
            previous = part.path
        }
        guard end == firstRows.inputRows else {
            throw JetTagKitError.outputPartsDoNotCover(
                reason: "rows \(end)..<\(firstRows.inputRows) of the \(firstRows.inputRows) input rows are in no part "
                    + "(after \(previous!)); " + missingShards(parts.map(\.1)))
        }
        return parts
    }

    /// Which shards of the parts' count are absent, for the error of a gap.
    private static func missingShards(_ rows: [OutputRows]) -> String {
        let counts = Set(rows.map(\.shard.count))
        guard counts.count == 1, let count = counts.first else {
            return "the parts are shards of different counts: \(rows.map(\.shard.description).joined(separator: ", "))"
        }
        let present = Set(rows.map(\.shard.index))
        let missing = (0..<count).filter { !present.contains($0) }.map { "\($0)/\(count)" }
        return missing.isEmpty ? "every shard of \(count) is there" : "missing shard \(missing.joined(separator: ", "))"
    }

    /// Reads the parts in order, `batchSize` rows at a time, checking that each part's jet indices ascend inside
    /// its rows.
    private func copy(
        _ parts: [(reader: JetOutputReader, rows: OutputRows)], _ body: (JetOutputReader.Rows) throws -> Void
    ) throws {
        for (reader, rows) in parts {
            var last = Int64(rows.rows.lowerBound) - 1
            for start in stride(from: 0, to: reader.count, by: max(batchSize, 1)) {
                let read = try reader.read(start..<min(start + batchSize, reader.count))
                for (offset, index) in read.jetIndices.enumerated() {
                    guard index > last, index < rows.rows.upperBound else {
                        throw JetTagKitError.invalidOutputPart(
                            file: reader.path, reason: "row \(start + offset) has jet_index \(index), outside its rows "
                                + "\(rows.rows) or not after the previous one (\(last))")
                    }
                    last = index
                }
                try body(read)
            }
        }
    }
}
