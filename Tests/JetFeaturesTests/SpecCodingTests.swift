import Foundation
import JetFeatures
import Testing

/// Decoding of the specs from the forms users write (JSON here; YAML maps onto the same Codable).
@Suite struct SpecCodingTests {
    @Test func variableSpecDecodesBareNameWeaverListAndMapping() throws {
        let json = """
        {"maxConstituents": 64,
         "constituentVariables": ["deta", ["pt_log", 1.7, 0.7, null, 5, -1], ["charge", 0, 1],
                                  {"name": "e_log", "clipMin": null, "logFloor": 0.001}],
         "jetVariables": ["log_pt"],
         "constituentKinematics": {"pt": "part_pt"}}
        """
        let spec = try JSONDecoder().decode(FeatureSpec.self, from: Data(json.utf8))
        #expect(spec.maxConstituents == 64)
        #expect(spec.constituentVariables == [
            VariableSpec("deta"),
            VariableSpec("pt_log", subtractBy: 1.7, multiplyBy: 0.7, clipMin: nil, clipMax: 5, padValue: -1),
            VariableSpec("charge", subtractBy: 0, multiplyBy: 1),
            VariableSpec("e_log", clipMin: nil, logFloor: 0.001),
        ])
        #expect(spec.constituentVariables[0].clipMin == -5 && spec.constituentVariables[0].clipMax == 5)
        #expect(spec.jetVariables == [VariableSpec("log_pt")])
        #expect(spec.constituentKinematics == KinematicFieldNames(pt: "part_pt"))
        #expect(spec.jetKinematics == KinematicFieldNames())
        #expect(!spec.isStandardized)
        #expect(try JSONDecoder().decode(FeatureSpec.self, from: JSONEncoder().encode(spec)) == spec)
        #expect(try JSONDecoder().decode(FeatureSpec.self, from: Data("{}".utf8)) == FeatureSpec())
    }

    @Test func tooLongWeaverListIsRejected() {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(VariableSpec.self, from: Data(#"["pt_log", 0, 1, -5, 5, 0, 9]"#.utf8))
        }
    }

    @Test func invalidSpecValuesAreErrors() {
        let clip = FeatureSpec(constituentVariables: [VariableSpec("deta", subtractBy: 0, multiplyBy: 1, clipMin: 2, clipMax: 1)])
        #expect(throws: JetFeaturesError.invalidSpec("variable 'deta': clipMin 2.0 > clipMax 1.0")) {
            try FeatureExtractor(spec: clip)
        }
        let twice = FeatureSpec(constituentVariables: [rawVariable("deta"), rawVariable("deta")])
        #expect(throws: JetFeaturesError.invalidSpec("constituent variable 'deta' is listed twice")) {
            try FeatureExtractor(spec: twice)
        }
    }

    @Test func weightingSpecDecodesWithDefaults() throws {
        let json = """
        {"method": "pdf", "targetClass": 1, "seed": 9,
         "binning": {"axes": [{"field": "pt", "edges": [550, 600, 650]},
                              {"field": "eta", "edges": [0, 1, 2], "absolute": true}]}}
        """
        let spec = try JSONDecoder().decode(WeightingSpec.self, from: Data(json.utf8))
        #expect(spec == WeightingSpec(
            method: .pdf,
            binning: KinematicBinning(axes: [
                .init(field: "pt", edges: [550, 600, 650]), .init(field: "eta", edges: [0, 1, 2], absolute: true),
            ]),
            targetClass: 1, balanceClasses: true, seed: 9))
        #expect(try JSONDecoder().decode(WeightingSpec.self, from: Data("{}".utf8)) == WeightingSpec())
    }
}
