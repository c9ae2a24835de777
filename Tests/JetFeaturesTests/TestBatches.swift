import JetData
import JetFeatures
import Testing

/// One constituent of a hand-made test jet.
struct TestConstituent {
    var pt: Float, eta: Float, phi: Float, energy: Float, charge: Float
}

/// One hand-made test jet.
struct TestJet {
    var pt: Float, eta: Float, phi: Float, energy: Float, mass: Float
    var constituents: [TestConstituent]
}

/// Builds a `JetBatch` with `slots` constituent slots per jet; padding slots hold `padding` in every field
/// (readers write zeros, but features must ignore padding whatever it holds).
func makeBatch(_ jets: [TestJet], slots: Int, padding: Float = 0, rows: [Int] = []) -> JetBatch {
    var jetFields = [String: [Float]]()
    jetFields["pt"] = jets.map(\.pt)
    jetFields["eta"] = jets.map(\.eta)
    jetFields["phi"] = jets.map(\.phi)
    jetFields["energy"] = jets.map(\.energy)
    jetFields["mass"] = jets.map(\.mass)
    let keyPaths: [(String, KeyPath<TestConstituent, Float>)] = [
        ("pt", \.pt), ("eta", \.eta), ("phi", \.phi), ("energy", \.energy), ("charge", \.charge),
    ]
    var constituentFields = [String: [Float]]()
    for (name, keyPath) in keyPaths {
        constituentFields[name] = jets.flatMap { jet in
            jet.constituents.map { $0[keyPath: keyPath] }
                + Array(repeating: padding, count: slots - jet.constituents.count)
        }
    }
    let mask = jets.flatMap { jet in
        Array(repeating: Float(1), count: jet.constituents.count)
            + Array(repeating: 0, count: slots - jet.constituents.count)
    }
    return JetBatch(
        count: jets.count, maxConstituents: slots, jetFields: jetFields, constituentFields: constituentFields,
        mask: mask, multiplicities: jets.map { Int32($0.constituents.count) },
        eventNumbers: jets.indices.map(Int64.init), rows: rows, fileIndices: [])
}

/// The two-jet batch all hand calculations below use. Jet 0's first constituent sits across the
/// phi = +-pi line from the jet axis.
let handJets = [
    TestJet(pt: 100, eta: 0.5, phi: 3.0, energy: 120, mass: 80, constituents: [
        TestConstituent(pt: 60, eta: 0.6, phi: -3.0, energy: 70, charge: 1),
        TestConstituent(pt: 30, eta: 0.3, phi: 2.9, energy: 40, charge: -1),
    ]),
    TestJet(pt: 200, eta: -1.0, phi: -0.5, energy: 300, mass: 30, constituents: [
        TestConstituent(pt: 150, eta: -1.2, phi: -0.4, energy: 250, charge: 0),
        TestConstituent(pt: 40, eta: -0.9, phi: -0.7, energy: 45, charge: 1),
        TestConstituent(pt: 10, eta: -1.1, phi: -0.45, energy: 12, charge: -1),
    ]),
]

/// A spec variable that passes raw values through (no centring, scaling or clipping).
func rawVariable(_ name: String, padValue: Float = 0, logFloor: Float? = nil) -> VariableSpec {
    VariableSpec(name, subtractBy: 0, multiplyBy: 1, clipMin: nil, clipMax: nil, padValue: padValue, logFloor: logFloor)
}

/// Asserts two Float arrays agree entry by entry within `tolerance`.
func expectClose(
    _ got: [Float], _ expected: [Float], tolerance: Float = 1e-5, _ label: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(got.count == expected.count, "\(label): \(got.count) values, expected \(expected.count)",
            sourceLocation: sourceLocation)
    for (index, (a, b)) in zip(got, expected).enumerated() where !(abs(a - b) <= tolerance) {
        Issue.record("\(label)[\(index)]: got \(a), expected \(b), delta \(abs(a - b))", sourceLocation: sourceLocation)
    }
}
