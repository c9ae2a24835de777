import JetData
import JetFeatures
import Testing

@Suite struct JetObservableTests {
    /// Jet 0 sits at phi = 3.1 with a constituent at phi = -3.1 (dphi wraps to 2 pi - 6.2); jet 1 has one
    /// constituent on its axis. Padding holds 7 everywhere: it must not enter any observable.
    private let batch = makeBatch(
        [
            TestJet(
                pt: 100, eta: 0, phi: 3.1, energy: 120, mass: 10,
                constituents: [
                    TestConstituent(pt: 60, eta: 0.3, phi: 3.1, energy: 70, charge: 1),
                    TestConstituent(pt: 30, eta: 0, phi: -3.1, energy: 35, charge: 0),
                    TestConstituent(pt: 10, eta: -0.4, phi: 2.8, energy: 15, charge: -1),
                ]),
            TestJet(pt: 50, eta: 1, phi: -1, energy: 80, mass: 3, constituents: [TestConstituent(pt: 50, eta: 1, phi: -1, energy: 80, charge: 0)]),
        ], slots: 4, padding: 7)

    @Test func valuesMatchHandComputation() throws {
        // width jet 0: (60 * 0.3 + 30 * 0.0831853 + 10 * 0.5) / 100; pT_D: sqrt(60^2 + 30^2 + 10^2) / 100.
        let width = try JetObservable.width.values(in: batch)
        #expect(abs(width[0] - 0.25495559) < 1e-5 && width[1] == 0)
        let ptD = try JetObservable.ptD.values(in: batch)
        #expect(abs(ptD[0] - 0.67823300) < 1e-6 && ptD[1] == 1)
        #expect(try JetObservable.multiplicity.values(in: batch) == [3, 1])
        #expect(try JetObservable.mass.values(in: batch) == [10, 3])
        #expect(try JetObservable.pt.values(in: batch) == [100, 50])
    }

    @Test func addedAsJetFieldsNamedByRawValue() throws {
        let augmented = try batch.addingObservables(JetObservable.allCases)
        #expect(augmented.jetFields["ptd"] == (try JetObservable.ptD.values(in: batch)))
        #expect(augmented.jetFields["multiplicity"] == [3, 1])
        #expect(augmented.jetFields["mass"] == batch.jetFields["mass"])
        #expect(JetObservable.requiredConstituentFields([.width], kinematics: .init()) == ["pt", "eta", "phi"])
        #expect(JetObservable.requiredJetFields([.mass, .ptD], kinematics: .init()) == ["mass"])
    }

    @Test func missingFieldNamesTheObservable() {
        var broken = batch
        broken.constituentFields["eta"] = nil
        #expect(throws: JetFeaturesError.missingField(field: "eta", level: "constituent", neededBy: "width")) {
            try JetObservable.width.values(in: broken)
        }
    }
}
