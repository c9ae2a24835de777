import JetData
import JetFeatures
import Testing

/// Variables, standardisation, clipping, padding and errors of `FeatureExtractor` on `handJets`.
///
/// Expected values come from Python's math module in float64, e.g.
/// `dphi = (-3.0 - 3.0 + pi) % (2 * pi) - pi`, `deltaR = hypot(0.6 - 0.5, dphi)`, `logerel = log(70 / 120)`.
@Suite struct FeatureExtractorTests {
    @Test func constituentVariablesMatchHandCalculation() throws {
        let names = ["deta", "dphi", "deltaR", "pt_log", "e_log", "logptrel", "logerel", "charge"]
        let spec = FeatureSpec(maxConstituents: 3, constituentVariables: names.map { rawVariable($0) })
        let features = try FeatureExtractor(spec: spec).extract(makeBatch(handJets, slots: 3))

        let expected: [[Float]] = [
            // jet 0: constituent 0 across the +-pi line, constituent 1, padding
            [0.1, 0.2831853, 0.3003230, 4.0943446, 4.2484952, -0.5108256, -0.5389965, 1],
            [-0.2, -0.0999999, 0.2236067, 3.4011974, 3.6888795, -1.2039728, -1.0986123, -1],
            [0, 0, 0, 0, 0, 0, 0, 0],
            // jet 1
            [-0.2, 0.1, 0.2236068, 5.0106353, 5.5214609, -0.2876821, -0.1823216, 0],
            [0.1, -0.2, 0.2236068, 3.6888795, 3.8066625, -1.6094379, -1.8971200, 1],
            [-0.1, 0.05, 0.1118034, 2.3025851, 2.4849066, -2.9957323, -3.2188758, -1],
        ]
        #expect(features.count == 2 && features.maxConstituents == 3 && features.constituentFeatureCount == 8)
        expectClose(features.constituentFeatures, expected.flatMap { $0 }, "constituent features")
        #expect(features.mask == [1, 1, 0, 1, 1, 1])
    }

    /// The packed output (what the models read) holds exactly the padded output's real slots, jet after jet, with
    /// offsets from the mask; the jet features are the same.
    @Test func packedFeaturesAreThePaddedOnesRealSlots() throws {
        let spec = FeatureSpec(
            maxConstituents: 2, constituentVariables: [rawVariable("deltaR"), rawVariable("pt_log", padValue: 7)],
            jetVariables: [rawVariable("log_pt")])
        let extractor = try FeatureExtractor(spec: spec)
        let batch = makeBatch(handJets, slots: 3)
        let (padded, packed) = (try extractor.extract(batch), try extractor.extractPacked(batch))
        #expect(packed.offsets == [0, 2, 4] && packed.constituentFeatureCount == 2 && packed.jetFeatureCount == 1)
        #expect(padded.mask == [1, 1, 1, 1] && padded.constituentFeatures == packed.constituentFeatures)
        #expect(padded.jetFeatures == packed.jetFeatures)
        let wide = try FeatureExtractor(spec: FeatureSpec(maxConstituents: 4, constituentVariables: spec.constituentVariables))
        let (widePadded, widePacked) = (try wide.extract(batch), try wide.extractPacked(batch))
        #expect(widePacked.offsets == [0, 2, 5] && widePadded.mask == [1, 1, 0, 0, 1, 1, 1, 0])
        let slots = { (slots: [Int]) -> [Float] in
            slots.flatMap { slot in widePadded.constituentFeatures[(2 * slot)..<(2 * slot + 2)] }
        }
        let (real, padding) = (slots([0, 1, 4, 5, 6]), slots([2, 3, 7]))
        #expect(real == widePacked.constituentFeatures)
        #expect(padding == [0, 7, 0, 7, 0, 7])
    }

    @Test func phiDifferenceWrapsIntoHalfOpenInterval() throws {
        // Jet 0 at phi -3.1: constituents at +3.1 (difference 6.2 -> 6.2 - 2 pi) and at the jet's phi (0).
        // Jet 1 at phi pi/2, constituent at -pi/2: the difference is exactly -pi in Float and must come out
        // as +pi, the closed end of (-pi, pi].
        let across = TestJet(pt: 100, eta: 0, phi: -3.1, energy: 100, mass: 10, constituents: [
            TestConstituent(pt: 50, eta: 0, phi: 3.1, energy: 50, charge: 0),
            TestConstituent(pt: 20, eta: 0, phi: -3.1, energy: 20, charge: 0),
        ])
        let boundary = TestJet(pt: 100, eta: 0, phi: Float.pi / 2, energy: 100, mass: 10, constituents: [
            TestConstituent(pt: 50, eta: 0, phi: -Float.pi / 2, energy: 50, charge: 0),
        ])
        let spec = FeatureSpec(maxConstituents: 2, constituentVariables: [rawVariable("dphi")])
        let dphi = try FeatureExtractor(spec: spec).extract(makeBatch([across, boundary], slots: 2)).constituentFeatures
        expectClose(Array(dphi[0..<2]), [6.2 - 2 * Float.pi, 0], "dphi")
        #expect(-Float.pi / 2 - Float.pi / 2 == -Float.pi)
        #expect(dphi[2] == Float.pi)
    }

    @Test func jetVariablesAreRawFieldsAndLogs() throws {
        let spec = FeatureSpec(
            maxConstituents: 2, jetVariables: [rawVariable("mass"), rawVariable("log_pt"), rawVariable("log_energy")])
        let features = try FeatureExtractor(spec: spec).extract(makeBatch(handJets, slots: 3))
        // log(100), log(120); log(200), log(300)
        expectClose(features.jetFeatures, [80, 4.6051702, 4.7874917, 30, 5.2983174, 5.7037825], "jet features")
    }

    @Test func standardisesClipsAndPads() throws {
        let variable = VariableSpec("pt_log", subtractBy: 4, multiplyBy: 2, clipMin: -1, clipMax: 1, padValue: -9)
        let spec = FeatureSpec(maxConstituents: 4, constituentVariables: [variable])
        let values = try FeatureExtractor(spec: spec).extract(makeBatch(handJets, slots: 3)).constituentFeatures
        // (log 60 - 4) * 2 = 0.1886892; (log 30 - 4) * 2 = -1.197605 -> -1; (log 150 - 4) * 2 = 2.02 -> 1;
        // (log 40 - 4) * 2 = -0.622241; (log 10 - 4) * 2 = -3.39 -> -1; padding -9.
        expectClose(values, [0.1886892, -1, -9, -9, 1, -0.622241, -1, -9], "standardised pt_log")
    }

    @Test func truncatesToTheHardestConstituents() throws {
        let spec = FeatureSpec(maxConstituents: 2, constituentVariables: [rawVariable("pt_log")])
        let features = try FeatureExtractor(spec: spec).extract(makeBatch(handJets, slots: 3))
        #expect(features.mask == [1, 1, 1, 1])
        expectClose(features.constituentFeatures, [4.0943446, 3.4011974, 5.0106353, 3.6888795], "truncated pt_log")
    }

    @Test func ignoresWhateverThePaddingHolds() throws {
        let spec = FeatureSpec(maxConstituents: 3, constituentVariables: [rawVariable("pt_log", padValue: 7)])
        let zeroPadded = try FeatureExtractor(spec: spec).extract(makeBatch(handJets, slots: 3))
        let junkPadded = try FeatureExtractor(spec: spec).extract(makeBatch(handJets, slots: 3, padding: -Float.infinity))
        #expect(zeroPadded == junkPadded)
        #expect(zeroPadded.constituentFeatures[2] == 7)
    }

    @Test func logOfNonPositiveValueNamesVariableRowAndConstituent() throws {
        var jets = handJets
        jets[1].constituents[1].pt = 0
        let batch = makeBatch(jets, slots: 3, rows: [40, 41])
        let spec = FeatureSpec(maxConstituents: 3, constituentVariables: [rawVariable("pt_log")])
        #expect(throws: JetFeaturesError.nonPositiveLogArgument(variable: "pt_log", row: 41, constituent: 1, value: 0)) {
            try FeatureExtractor(spec: spec).extract(batch)
        }
        let error = JetFeaturesError.nonPositiveLogArgument(variable: "pt_log", row: 41, constituent: 1, value: 0)
        #expect(error.description == "variable 'pt_log': log of 0.0 at jet row 41, constituent 1; give the variable a logFloor to clamp it")

        let floored = FeatureSpec(maxConstituents: 3, constituentVariables: [rawVariable("pt_log", logFloor: 1e-3)])
        let values = try FeatureExtractor(spec: floored).extract(batch).constituentFeatures
        expectClose([values[4]], [-6.9077553], "log(1e-3)")
    }

    @Test func logOfNonPositiveJetValueIsAnError() throws {
        var jets = handJets
        jets[0].energy = -5
        let spec = FeatureSpec(maxConstituents: 3, jetVariables: [rawVariable("log_energy")])
        #expect(throws: JetFeaturesError.nonPositiveLogArgument(variable: "log_energy", row: 0, constituent: nil, value: -5)) {
            try FeatureExtractor(spec: spec).extract(makeBatch(jets, slots: 3))
        }
    }

    @Test func nonFiniteInputNamesFieldAndRow() throws {
        var jets = handJets
        jets[1].eta = .nan
        let spec = FeatureSpec(maxConstituents: 3, constituentVariables: [rawVariable("deta")])
        #expect {
            try FeatureExtractor(spec: spec).extract(makeBatch(jets, slots: 3, rows: [7, 8]))
        } throws: { error in
            guard case let .nonFiniteInput(field, row, constituent, value) = error as? JetFeaturesError else { return false }
            return field == "eta" && row == 8 && constituent == nil && value.isNaN
        }
        jets = handJets
        jets[0].constituents[1].phi = .infinity
        let dphi = FeatureSpec(maxConstituents: 3, constituentVariables: [rawVariable("dphi")])
        #expect(throws: JetFeaturesError.nonFiniteInput(field: "phi", row: 0, constituent: 1, value: .infinity)) {
            try FeatureExtractor(spec: dphi).extract(makeBatch(jets, slots: 3))
        }
    }

    @Test func unknownVariablesAndUnfittedSpecsAreErrors() throws {
        let unknown = FeatureSpec(maxConstituents: 3, constituentVariables: [rawVariable("d0sig")])
        #expect {
            try FeatureExtractor(spec: unknown).extract(makeBatch(handJets, slots: 3))
        } throws: { error in
            guard case let .unknownVariable(name, level, available) = error as? JetFeaturesError else { return false }
            return name == "d0sig" && level == "constituent" && available.contains("charge") && available.contains("deta")
        }
        let renamed = FeatureSpec(
            maxConstituents: 3, constituentVariables: [rawVariable("pt_log")],
            constituentKinematics: KinematicFieldNames(pt: "part_pt"))
        #expect(throws: JetFeaturesError.missingField(field: "part_pt", level: "constituent", neededBy: "pt_log")) {
            try FeatureExtractor(spec: renamed).extract(makeBatch(handJets, slots: 3))
        }
        #expect(throws: JetFeaturesError.unfittedStandardization(variable: "deta")) {
            try FeatureExtractor(spec: FeatureSpec(constituentVariables: [VariableSpec("deta")]))
        }
    }

    @Test func malformedBatchesAreErrors() throws {
        let spec = FeatureSpec(maxConstituents: 3, constituentVariables: [rawVariable("pt_log")])
        var batch = makeBatch(handJets, slots: 3, rows: [5, 6])
        batch.multiplicities[1] = 4
        #expect(throws: JetFeaturesError.invalidMultiplicity(row: 6, multiplicity: 4, slots: 3)) {
            try FeatureExtractor(spec: spec).extract(batch)
        }
        batch = makeBatch(handJets, slots: 3)
        batch.constituentFields["pt"]?.removeLast()
        #expect(throws: JetFeaturesError.shapeMismatch(field: "pt", expected: 6, got: 5)) {
            try FeatureExtractor(spec: spec).extract(batch)
        }
        // Without multiplicities the mask's prefix counts the constituents.
        batch = makeBatch(handJets, slots: 3)
        batch.multiplicities = []
        #expect(try FeatureExtractor(spec: spec).extract(batch) == FeatureExtractor(spec: spec).extract(makeBatch(handJets, slots: 3)))
    }
}
