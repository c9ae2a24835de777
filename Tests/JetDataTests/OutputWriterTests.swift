import Foundation
@testable import JetData
import JetTestSupport
import Testing

@Suite struct OutputWriterTests {
    @Test func scoresWrittenInPiecesReadBackRowByRow() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("scores.h5")
        let writer = try JetOutputWriter(
            path: path, fields: ["tagger_p0", "tagger_p1"], attributes: ["tagger": "deepsets", "input": "a.h5"], chunkRows: 4)
        for start in stride(from: 0, to: 10, by: 3) {
            let rows = start..<min(start + 3, 10)
            try writer.append(
                jetIndices: rows.map { Int64($0) }, eventNumbers: rows.map { Int64($0) * 1_000_000_007 },
                values: ["tagger_p0": rows.map { Float($0) / 10 }, "tagger_p1": rows.map { 1 - Float($0) / 10 }])
        }
        #expect(!FileManager.default.fileExists(atPath: path), "nothing under the final name before finish()")
        try writer.finish()
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path) == ["scores.h5"])

        let file = try HDF5File(readingAt: path)
        let dataset = try file.dataset("jets")
        #expect(dataset.shape == [10])
        #expect(dataset.fieldNames == ["jet_index", "event_number", "tagger_p0", "tagger_p1"])
        #expect(dataset.chunkShape == [4] && dataset.filters.map(\.id) == [2, 1])
        let values = try dataset.readFields(
            rows: 0..<10, [try dataset.extraction("tagger_p0"), try dataset.extraction("tagger_p1")],
            integers: try dataset.extraction("event_number"))
        #expect(values.floats[0] == (0..<10).map { Float($0) / 10 })
        #expect(values.floats[1] == (0..<10).map { 1 - Float($0) / 10 })
        #expect(values.integers == (0..<10).map { Int64($0) * 1_000_000_007 })
        #expect(try file.stringAttribute("tagger") == ["deepsets"])
        #expect(try file.stringAttribute("input") == ["a.h5"])
    }

    @Test func abandonedWriteLeavesNothing() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        do {
            let writer = try JetOutputWriter(path: directory.path("weights.h5"), fields: ["weight"])
            try writer.append(jetIndices: [0], eventNumbers: [0], values: ["weight": [1]])
            #expect(throws: JetDataError.self) {
                try writer.append(jetIndices: [1, 2], eventNumbers: [1], values: ["weight": [1, 2]])
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path).isEmpty)
    }

    @Test func floatDatasetsAndAttributesInGroups() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("model.h5")
        let writer = try HDF5FileWriter(path: path)
        let weights = (0..<12).map { Float($0) * 0.5 - 2 }
        try writer.writeFloats(weights, shape: [3, 4], to: "parameters/dense0/weight")
        try writer.writeFloats([7], shape: [], to: "scalar")
        try writer.setAttribute("{\"layers\": 2}", named: "architecture")
        try writer.setAttribute("µ-tagger ✓", named: "name", on: "parameters/dense0")
        #expect(throws: JetDataError.self) { try writer.writeFloats([1, 2], shape: [3], to: "bad") }
        try writer.commit()

        let file = try HDF5File(readingAt: path)
        let read = try file.readFloats("parameters/dense0/weight")
        #expect(read.shape == [3, 4] && read.values == weights)
        #expect(try file.readFloats("scalar").values == [7])
        #expect(try file.stringAttribute("architecture") == ["{\"layers\": 2}"])
        #expect(try file.stringAttribute("name", of: "parameters/dense0") == ["µ-tagger ✓"])
        #expect(try file.stringAttribute("missing") == nil)
        #expect(file.attributeNames() == ["architecture"])
        #expect(file.attributeNames(of: "parameters/dense0") == ["name"])
        #expect(file.datasetNames() == ["/parameters/dense0/weight", "/scalar"])
    }
}
