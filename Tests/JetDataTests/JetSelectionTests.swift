import JetData
import Testing

@Suite struct JetSelectionTests {
    private let batch = JetBatch(
        count: 5, maxConstituents: 0,
        jetFields: ["pt": [500, 560, 600, 640, 700], "eta": [0.5, -2.5, 1.9, -1, 0], "mass": [80, 170, 20, 175, 90]])

    private func passing(_ expression: String) throws -> [Int] {
        let passed = try JetSelection(expression).evaluate(batch)
        return passed.indices.filter { passed[$0] }
    }

    @Test func comparisonsLogicAndArithmetic() throws {
        #expect(try passing("pt > 550 && pt < 650 && abs(eta) < 2") == [2, 3])
        #expect(try passing("pt >= 600 || mass == 80") == [0, 2, 3, 4])
        #expect(try passing("!(pt > 550) || eta != 0") == [0, 1, 2, 3])
        #expect(try passing("mass / pt * 1000 > 250 - 10") == [1, 3])
        #expect(try passing("-eta > 0.5") == [1, 3])
        #expect(try passing("pt - 2 * mass < 2e2 + 30") == [1], "precedence: * before -; 2e2 is 200")
        #expect(try passing("(pt > 650 || pt < 550) && mass < 100") == [0, 4])
        #expect(try JetSelection("pt > 1 && abs(eta) < 2").fieldNames == ["pt", "eta"])
    }

    @Test(arguments: [
        ("pt > > 5", 5, "unexpected '>'"),
        ("pt > 5 $", 7, "unexpected character '$'"),
        ("(pt > 5", 7, "expected ')'"),
        ("pt + 5", 0, "not a condition (no comparison)"),
        ("sqr(pt) > 5", 0, "unknown function 'sqr' (known: abs, exp, hypot, log, max, min, sqrt)"),
        ("pt && eta > 1", 3, "'&&' needs conditions on both sides"),
        ("pt > 1.2.3", 5, "bad number '1.2.3'"),
    ])
    func errorsNameTheBadTokenAndPosition(expression: String, position: Int, reason: String) {
        #expect(throws: JetDataError.invalidSelection(expression: expression, position: position, reason: reason)) {
            try JetSelection(expression)
        }
    }

    @Test func unknownFieldIsNamed() throws {
        let selection = try JetSelection("ptt > 5")
        #expect(throws: JetDataError.unknownSelectionField(expression: "ptt > 5", field: "ptt", available: ["eta", "mass", "pt"])) {
            try selection.evaluate(batch)
        }
        #expect("\(JetDataError.unknownSelectionField(expression: "ptt > 5", field: "ptt", available: ["eta", "pt"]))"
            == "selection 'ptt > 5': unknown jet field 'ptt' (available: eta, pt)")
    }
}

@Suite struct JetSplitTests {
    @Test func eventNumberFoldsAreNonNegativeModulo() {
        let split = JetSplit.eventNumber(modulus: 4, folds: [1, 3])
        #expect([Int64(1), 3, 5, -1, -3].allSatisfy { split.contains(eventNumber: $0, row: 0, fileIndex: 0) })
        #expect(![Int64(0), 2, 4, -2, -4].contains { split.contains(eventNumber: $0, row: 0, fileIndex: 0) })
    }

    /// The fold rule every split by event number uses: non-negative for negative event numbers, also near Int64's ends.
    @Test func foldOfANegativeEventNumberIsNonNegative() {
        #expect([Int64(-9), -5, -4, -1, 0, 3, 7].map { JetSplit.fold(of: $0, modulus: 4) } == [3, 3, 0, 3, 0, 3, 3])
        #expect(JetSplit.fold(of: .min, modulus: 5) == 2 && JetSplit.fold(of: .max, modulus: 5) == 2)
    }

    @Test func fractionIsUniformAndDeterministic() {
        let split = JetSplit.fraction(seed: 3, lower: 0.25, upper: 0.5)
        let kept = (0..<100_000).filter { split.contains(eventNumber: 0, row: $0, fileIndex: 0) }.count
        // binomial: 25000 +- 137
        #expect(abs(kept - 25_000) < 700)
        #expect((0..<100).map { split.contains(eventNumber: 0, row: $0, fileIndex: 1) }
            == (0..<100).map { split.contains(eventNumber: 9, row: $0, fileIndex: 1) }, "ignores event numbers")
    }

    @Test func invalidSplitsAreRejected() {
        #expect(throws: JetDataError.self) { try JetSplit.eventNumber(modulus: 1, folds: [0]).validate() }
        #expect(throws: JetDataError.self) { try JetSplit.eventNumber(modulus: 3, folds: [3]).validate() }
        #expect(throws: JetDataError.self) { try JetSplit.fraction(seed: 0, lower: 0.5, upper: 1.2).validate() }
    }
}
