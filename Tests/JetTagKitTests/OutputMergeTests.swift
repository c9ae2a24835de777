import Foundation
import JetTagKit
import JetTestSupport
import Testing

/// `jettag merge` of hand-made parts: order, coverage and agreement checks, and the merged rows.
@Suite struct OutputMergeTests {
    /// A weights part holding `rows` of 10 input rows (jet i: event 100 + i, weight i / 2, classifier output 0.5),
    /// with the attributes of `reweight apply`, `extra` ones added or replacing them.
    private func part(
        _ directory: TemporaryDirectory, _ name: String, shard: Shard, rows: Range<Int>, inputRows: Int = 10,
        fields: [String] = WeightSchema().fields, extra: [String: String] = [:]
    ) throws -> String {
        let path = directory.path(name)
        let attributes = WeightSchema().attributes(
            model: "m.h5", inputs: ["a.h5", "b.h5"], rows: OutputRows(shard: shard, rows: rows, inputRows: inputRows))
        let writer = try JetOutputWriter(path: path, fields: fields, attributes: attributes.merging(extra) { $1 })
        let indices = rows.map(Int64.init)
        try writer.append(
            jetIndices: indices, eventNumbers: indices.map { 100 + $0 },
            values: Dictionary(uniqueKeysWithValues: fields.map { field in
                (field, indices.map { field == WeightSchema.weight ? Float($0) / 2 : 0.5 })
            }))
        try writer.finish()
        return path
    }

    private func merge(_ parts: [String], into out: String) throws -> OutputMerge.Summary {
        try OutputMerge(parts: parts, out: out, batchSize: 3).run()
    }

    /// The error `body` throws, as text.
    private func failure(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test func partsGivenInAnyOrderBecomeTheRowsOfTheInputsInOrder() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let parts = [
            try part(directory, "p2.h5", shard: Shard(index: 2, count: 3), rows: 7..<10),
            try part(directory, "p0.h5", shard: Shard(index: 0, count: 3), rows: 0..<3),
            try part(directory, "p1.h5", shard: Shard(index: 1, count: 3), rows: 3..<7),
        ]
        let summary = try merge(parts, into: directory.path("all.h5"))
        #expect(summary.kind == "weights" && summary.parts == 3 && summary.jets == 10)
        let merged = try JetOutputReader(path: directory.path("all.h5"))
        let rows = try merged.read(0..<merged.count)
        #expect(rows.jetIndices == (0..<10).map(Int64.init))
        #expect(rows.eventNumbers == (100..<110).map(Int64.init))
        #expect(rows.values[WeightSchema.weight] == (0..<10).map { Float($0) / 2 })
        #expect(merged.fields == WeightSchema().fields)
        #expect(
            merged.attributes == WeightSchema().attributes(
                model: "m.h5", inputs: ["a.h5", "b.h5"], rows: OutputRows(shard: .whole, rows: 0..<10, inputRows: 10)))
    }

    @Test func aMissingShardIsNamedAndNothingIsWritten() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let parts = [
            try part(directory, "p0.h5", shard: Shard(index: 0, count: 3), rows: 0..<3),
            try part(directory, "p2.h5", shard: Shard(index: 2, count: 3), rows: 7..<10),
        ]
        let message = failure { _ = try merge(parts, into: directory.path("all.h5")) }
        #expect(message.contains("rows 3..<7 of the 10 input rows are in no part"), "\(message)")
        #expect(message.contains("missing shard 1/3"), "\(message)")
        #expect(!FileManager.default.fileExists(atPath: directory.path("all.h5")))

        let tail = failure { _ = try merge(Array(parts.prefix(1)), into: directory.path("all.h5")) }
        #expect(tail.contains("rows 3..<10 of the 10 input rows are in no part (after \(parts[0]))"), "\(tail)")
    }

    @Test func overlappingPartsAreRefused() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let parts = [
            try part(directory, "p0.h5", shard: Shard(index: 0, count: 2), rows: 0..<6),
            try part(directory, "p1.h5", shard: Shard(index: 1, count: 2), rows: 4..<10),
        ]
        let message = failure { _ = try merge(parts, into: directory.path("all.h5")) }
        #expect(message.contains("rows 4..<6 are in both \(parts[0]) and \(parts[1])"), "\(message)")
        let twice = failure { _ = try merge([parts[0], parts[0]], into: directory.path("all.h5")) }
        #expect(twice.contains("rows 0..<6 are in both"), "\(twice)")
    }

    @Test func partsOfAnotherModelOrSchemaAreRefused() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let first = try part(directory, "p0.h5", shard: Shard(index: 0, count: 2), rows: 0..<5)
        let otherModel = try part(
            directory, "p1.h5", shard: Shard(index: 1, count: 2), rows: 5..<10, extra: ["model": "other.h5"])
        let model = failure { _ = try merge([first, otherModel], into: directory.path("all.h5")) }
        #expect(model.contains("\(otherModel): attribute 'model' is 'other.h5', in \(first) it is 'm.h5'"), "\(model)")

        let otherFields = try part(
            directory, "q1.h5", shard: Shard(index: 1, count: 2), rows: 5..<10, fields: ["weight"])
        let fields = failure { _ = try merge([first, otherFields], into: directory.path("all.h5")) }
        #expect(fields.contains("\(otherFields): its fields [\"weight\"] are not those of \(first)"), "\(fields)")

        let otherInputs = try part(directory, "r1.h5", shard: Shard(index: 1, count: 2), rows: 5..<10, inputRows: 12)
        let inputs = failure { _ = try merge([first, otherInputs], into: directory.path("all.h5")) }
        #expect(inputs.contains("its inputs have 12 rows, those of \(first) 10"), "\(inputs)")
    }

    @Test func filesWithoutShardAttributesOrOfAnotherKindAreRefused() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let old = directory.path("old.h5")
        let writer = try JetOutputWriter(path: old, fields: ["weight"], attributes: ["model": "m.h5"])
        try writer.finish()
        let message = failure { _ = try merge([old], into: directory.path("all.h5")) }
        #expect(message.contains("\(old): it has no 'shard' attribute"), "\(message)")

        let strange = try part(directory, "p.h5", shard: .whole, rows: 0..<10, extra: ["kind": "histograms"])
        let kind = failure { _ = try merge([strange], into: directory.path("all.h5")) }
        #expect(kind.contains("its 'kind' attribute is 'histograms'"), "\(kind)")

        let jets = directory.path("jets.h5")
        try SyntheticJetFile.write(to: jets, count: 4, seed: 1)
        let input = failure { _ = try merge([jets], into: directory.path("all.h5")) }
        #expect(input.contains("\(jets): no dataset 'jets'"), "\(input)")
    }

    @Test func jetIndicesOutsideThePartsRowsAreRefused() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("bad.h5")
        let writer = try JetOutputWriter(
            path: path, fields: WeightSchema().fields,
            attributes: WeightSchema().attributes(
                model: "m.h5", inputs: ["a.h5"], rows: OutputRows(shard: .whole, rows: 0..<4, inputRows: 4)))
        try writer.append(
            jetIndices: [0, 2, 1, 3], eventNumbers: [0, 0, 0, 0],
            values: ["weight": [1, 1, 1, 1], "classifier_output": [0.5, 0.5, 0.5, 0.5]])
        try writer.finish()
        let message = failure { _ = try merge([path], into: directory.path("all.h5")) }
        #expect(message.contains("\(path): row 2 has jet_index 1, outside its rows 0..<4 or not after the previous one (2)"), "\(message)")
        #expect(!FileManager.default.fileExists(atPath: directory.path("all.h5")))
    }
}
