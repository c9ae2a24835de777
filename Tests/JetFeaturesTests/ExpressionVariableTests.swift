import Foundation
import JetData
import JetFeatures
import JetTestSupport
import Testing

/// `features.newVariables` and the particle-ID flags, against hand computations on `handJets` and numpy's flags
/// of the shipped sample.
@Suite struct ExpressionVariableTests {
    /// `handJets` with PDG codes: jet 0 a pi+ and an e+ (charge -1 in the hand jets: the flags read the code), jet 1
    /// a neutron, a proton and a mu-.
    private func batch(rows: [Int] = []) -> JetBatch {
        var batch = makeBatch(handJets, slots: 4, padding: 7, rows: rows)
        batch.constituentFields["pdg_id"] = [211, -11, 7, 7, 2112, 2212, 13, 7]
        return batch
    }

    private func extract(_ spec: FeatureSpec, _ batch: JetBatch, files: [String] = []) throws -> FeatureBatch {
        try FeatureExtractor(spec: spec).extract(batch, files: files)
    }

    /// Column `feature` of the real constituents, jet by jet.
    private func column(_ features: FeatureBatch, _ feature: Int) -> [Float] {
        let (slots, count) = (features.maxConstituents, features.constituentFeatureCount)
        return (0..<features.count).flatMap { b in
            (0..<slots).filter { features.mask[b * slots + $0] != 0 }.map {
                features.constituentFeatures[(b * slots + $0) * count + feature]
            }
        }
    }

    @Test func newVariablesAgainstHandValues() throws {
        let spec = FeatureSpec(
            maxConstituents: 3,
            constituentVariables: ["ptrel", "charged_ptrel", "dr2", "deltaR", "axis"].map { rawVariable($0, padValue: -1) },
            jetVariables: [rawVariable("mass_over_pt")],
            newVariables: [
                "ptrel": "pt / jet.pt", "charged_ptrel": "(charge != 0) * ptrel", "dr2": "deltaR ** 2",
                "axis": "jet.mass_over_pt", "mass_over_pt": "mass / jet.pt",
            ])
        let features = try extract(spec, batch())
        expectClose(column(features, 0), [0.6, 0.3, 0.75, 0.2, 0.05], "pt / jet.pt")
        expectClose(column(features, 1), [0.6, 0.3, 0, 0.2, 0.05], "(charge != 0) * ptrel")
        let deltaR = column(features, 3)
        expectClose(column(features, 2), deltaR.map { $0 * $0 }, tolerance: 1e-6, "deltaR ** 2")
        // by hand: jet 0's first constituent across phi = +-pi: deta 0.1, dphi 2pi - 6
        expectClose([deltaR[0]], [hypotf(0.1, 2 * .pi - 6)], "deltaR")
        expectClose(column(features, 4), [0.8, 0.8, 0.15, 0.15, 0.15], "jet variable broadcast")
        expectClose(features.jetFeatures, [0.8, 0.15], "jet-level new variable")
        #expect(features.constituentFeatures[(0 * 3 + 2) * 5] == -1, "padding keeps padValue")
    }

    @Test func particleIDFlagsByHand() throws {
        let names = ["isChargedHadron", "isNeutralHadron", "isPhoton", "isElectron", "isMuon"]
        let features = try extract(FeatureSpec(maxConstituents: 4, constituentVariables: names.map { rawVariable($0) }), batch())
        #expect(column(features, 0) == [1, 0, 0, 1, 0])
        #expect(column(features, 1) == [0, 0, 1, 0, 0])
        #expect(column(features, 2) == [0, 0, 0, 0, 0])
        #expect(column(features, 3) == [0, 1, 0, 0, 0])
        #expect(column(features, 4) == [0, 0, 0, 0, 1])
    }

    @Test func theFitterLeavesFlagsAsTheyAre() throws {
        var fitter = try StandardizationFitter(spec: FeatureSpec(
            maxConstituents: 4, constituentVariables: [VariableSpec("isChargedHadron"), VariableSpec("pt_log")]))
        try fitter.accumulate(batch())
        let fitted = try fitter.fittedSpec().constituentVariables
        #expect(fitted[0].subtractBy == 0 && fitted[0].multiplyBy == 1)
        #expect(fitted[1].subtractBy != 0 && fitted[1].multiplyBy != 1)
    }

    @Test func standardizeFalseIsTheIdentity() throws {
        let decoded = try JSONDecoder().decode(
            [VariableSpec].self, from: Data(#"[{"name": "charge", "standardize": false}, {"name": "q", "standardize": false, "clipMax": 1}]"#.utf8))
        #expect(decoded[0] == VariableSpec("charge", subtractBy: 0, multiplyBy: 1, clipMin: nil, clipMax: nil))
        #expect(decoded[1] == VariableSpec("q", subtractBy: 0, multiplyBy: 1, clipMin: nil, clipMax: 1))
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(VariableSpec.self, from: Data(#"{"name": "q", "standardize": false, "subtractBy": 1}"#.utf8))
        }
    }

    @Test func aNonFiniteValueNamesVariableExpressionFileAndRow() throws {
        var batch = batch(rows: [40, 41])
        batch.fileIndices = [0, 0]
        let spec = FeatureSpec(
            maxConstituents: 4, constituentVariables: [rawVariable("bad")], newVariables: ["bad": "log(pt - 10)"])
        #expect(throws: JetFeaturesError.nonFiniteExpression(
            variable: "bad", expression: "log(pt - 10)", file: "a.h5", row: 41, constituent: 2, value: -.infinity)) {
            try extract(spec, batch, files: ["a.h5"])
        }
        let division = FeatureSpec(jetVariables: [rawVariable("r")], newVariables: ["r": "pt / (mass - 30)"])
        #expect(throws: JetFeaturesError.nonFiniteExpression(
            variable: "r", expression: "pt / (mass - 30)", file: nil, row: 1, constituent: nil, value: .infinity)) {
            try extract(division, self.batch())
        }
    }

    @Test func anUnknownNameIsNamedWithItsPosition() throws {
        let spec = FeatureSpec(constituentVariables: [rawVariable("x")], newVariables: ["x": "pt / jet.ptt"])
        do {
            _ = try extract(spec, batch())
            Issue.record("expected an error")
        } catch let JetFeaturesError.unknownExpressionName(variable, expression, name, position, level, _, available) {
            #expect([variable, expression, name, level] == ["x", "pt / jet.ptt", "jet.ptt", "jet variable"])
            #expect(position == 5 && available.contains("mass"))
        }
    }

    @Test(arguments: [
        (#"{"a": "log(pt"}"#, "new variable 'a' = 'log(pt': expected ')' at position 6"),
        (#"{"a": "b + 1", "b": "jet.a"}"#, "newVariables: a -> b -> a refer to each other in a cycle"),
        (#"{"deltaR": "1"}"#, "newVariables 'deltaR': the name must be an identifier"),
        (#"{"a": "max(pt)"}"#, "'max' takes 2 arguments, got 1 at position 0"),
    ])
    func specErrorsAtDecoding(newVariables: String, message: String) {
        let json = #"{"constituentVariables": ["pt"], "newVariables": \#(newVariables)}"#
        do {
            _ = try JSONDecoder().decode(FeatureSpec.self, from: Data(json.utf8))
            Issue.record("expected an error for \(newVariables)")
        } catch DecodingError.dataCorrupted(let context) {
            #expect(context.debugDescription.contains(message), "\(context.debugDescription)")
            #expect(context.codingPath.map(\.stringValue) == ["newVariables"])
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func theSpecRoundTripsWithItsNewVariables() throws {
        let spec = FeatureSpec(
            constituentVariables: [VariableSpec("isMuon"), VariableSpec("z")],
            particleIDFields: ParticleIDFieldNames(pdgId: "pid", charge: "q"), newVariables: ["z": "pt / jet.pt"])
        #expect(try JSONDecoder().decode(FeatureSpec.self, from: JSONEncoder().encode(spec)) == spec)
    }

    struct Fixture: Decodable {
        struct Flag: Decodable { var counts: [Int]; var indexSums: [Int] }
        var maxConstituents: Int
        var jets: Int
        var flags: [String: Flag]
        var chargeSums: [Int]
    }

    /// numpy's flags (ParT's definitions, `Tests/Scripts/make_pid_fixtures.py`) on every jet of the shipped sample.
    @Test func particleIDFlagsOfTheShippedSampleMatchNumpy() throws {
        let url = try #require(Bundle.module.url(forResource: "particle_id", withExtension: "json", subdirectory: "Fixtures"))
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        let names = fixture.flags.keys.sorted()
        let spec = FeatureSpec(
            maxConstituents: fixture.maxConstituents,
            constituentVariables: names.map { rawVariable($0) } + [rawVariable("charge")])
        let stream = try JetStream(
            files: [shippedSample],
            options: JetReadOptions(constituentFields: ["pdg_id", "charge"], maxConstituents: fixture.maxConstituents,
                                    batchSize: 1000, threads: 1))
        var counts = [[Int]](repeating: [], count: names.count), indexSums = counts, chargeSums: [Int] = []
        while let batch = try stream.next() {
            let features = try extract(spec, batch)
            let (slots, width) = (features.maxConstituents, features.constituentFeatureCount)
            for b in 0..<features.count {
                var jetCounts = [Int](repeating: 0, count: names.count), jetSums = jetCounts, charge: Float = 0
                for j in 0..<slots where features.mask[b * slots + j] != 0 {
                    let row = features.constituentFeatures[((b * slots + j) * width)...]
                    for f in names.indices where row[row.startIndex + f] == 1 {
                        jetCounts[f] += 1
                        jetSums[f] += j
                    }
                    #expect(names.indices.map { row[row.startIndex + $0] }.allSatisfy { $0 == 0 || $0 == 1 })
                    charge += row[row.startIndex + names.count]
                }
                for f in names.indices {
                    counts[f].append(jetCounts[f])
                    indexSums[f].append(jetSums[f])
                }
                chargeSums.append(Int(charge))
            }
        }
        #expect(chargeSums.count == fixture.jets)
        for (f, name) in names.enumerated() {
            #expect(counts[f] == fixture.flags[name]!.counts, "\(name): counts per jet")
            #expect(indexSums[f] == fixture.flags[name]!.indexSums, "\(name): constituent indices per jet")
        }
        #expect(chargeSums == fixture.chargeSums)
    }
}
