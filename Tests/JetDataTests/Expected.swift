import Foundation
import JetData
import Testing

/// expected.json: per fixture file, rows and the values the readers must return (float32 from numpy).
struct Expected: Decodable {
    var rows: [Int]
    var jetFields: [String: [Float]]
    var constituentFields: [String: [Float]]
    var multiplicities: [Int32]
    var eventNumbers: [Int64]

    static let all: [String: Expected] = {
        let url = Bundle.module.url(forResource: "Fixtures/expected", withExtension: "json")!
        return try! JSONDecoder().decode([String: Expected].self, from: Data(contentsOf: url))
    }()
}

/// Path of a fixture file in the test bundle.
func fixture(_ name: String) -> String {
    Bundle.module.url(forResource: "Fixtures/" + name, withExtension: nil)!.path
}

/// Reads all of `file` and checks every field of `expected` at its rows.
///
/// Floats are compared exactly unless `tolerance` (relative, with an absolute floor of the same size) is given.
func checkAgainstExpected(
    _ file: String, layout: JetFileLayout? = nil, tolerance: Float = 0, sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let expected = try #require(Expected.all[file], sourceLocation: sourceLocation)
    let stream = try JetStream(
        file: fixture(file),
        options: JetReadOptions(
            layout: layout, jetFields: Array(expected.jetFields.keys), constituentFields: Array(expected.constituentFields.keys),
            batchSize: 7, threads: 2))
    let batch = try stream.readAll()
    let slots = batch.maxConstituents
    for (name, values) in expected.jetFields {
        let got = expected.rows.map { batch.jetFields[name]![$0] }
        expectClose(got, values, tolerance: tolerance, label: "\(file) jet field \(name)", sourceLocation: sourceLocation)
    }
    for (name, values) in expected.constituentFields {
        let got = expected.rows.flatMap { row in batch.constituentFields[name]![(row * slots)..<((row + 1) * slots)] }
        expectClose(got, values, tolerance: tolerance, label: "\(file) constituent field \(name)", sourceLocation: sourceLocation)
    }
    #expect(expected.rows.map { batch.multiplicities[$0] } == expected.multiplicities, "\(file) multiplicities", sourceLocation: sourceLocation)
    #expect(expected.rows.map { batch.eventNumbers[$0] } == expected.eventNumbers, "\(file) event numbers", sourceLocation: sourceLocation)
    for row in expected.rows {
        let mask = batch.mask[(row * slots)..<((row + 1) * slots)]
        let multiplicity = Int(batch.multiplicities[row])
        #expect(mask.prefix(multiplicity).allSatisfy { $0 == 1 } && mask.dropFirst(multiplicity).allSatisfy { $0 == 0 },
                "\(file) row \(row): mask is not a prefix of \(multiplicity) ones", sourceLocation: sourceLocation)
    }
}

/// Element-wise comparison reporting the first 5 differences and the largest.
func expectClose(_ got: [Float], _ expected: [Float], tolerance: Float, label: String, sourceLocation: SourceLocation = #_sourceLocation) {
    guard got.count == expected.count else {
        Issue.record("\(label): \(got.count) values, expected \(expected.count)", sourceLocation: sourceLocation)
        return
    }
    let bad = zip(got, expected).enumerated().filter { _, pair in
        tolerance == 0 ? pair.0 != pair.1 : abs(pair.0 - pair.1) > tolerance * max(abs(pair.1), 1)
    }
    if !bad.isEmpty {
        let worst = bad.map { abs($0.element.0 - $0.element.1) }.max()!
        let first = bad.prefix(5).map { "[\($0.offset)] got \($0.element.0) expected \($0.element.1)" }
        Issue.record("\(label): \(bad.count) of \(got.count) differ (max diff \(worst)): \(first.joined(separator: "; "))",
                     sourceLocation: sourceLocation)
    }
}
