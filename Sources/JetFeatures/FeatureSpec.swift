/// What the network sees: constituent variables padded to `maxConstituents`, and jet-level variables.
///
/// YAML keys (all optional): `maxConstituents` (default 100; harder constituents are kept, softer ones
/// dropped), `constituentVariables` and `jetVariables` (lists of `VariableSpec`, default empty),
/// `constituentKinematics` and `jetKinematics` (`KinematicFieldNames`, default pt/eta/phi/energy).
/// After `StandardizationFitter` every variable carries its centre and scale, and this spec is what the
/// model file stores, so `predict` applies exactly what training saw.
public struct FeatureSpec: Codable, Sendable, Equatable {
    public static let defaultMaxConstituents = 100

    /// P: constituent slots per jet in the output.
    public var maxConstituents: Int
    /// F variables per constituent, in output order.
    public var constituentVariables: [VariableSpec]
    /// K variables per jet, in output order.
    public var jetVariables: [VariableSpec]
    /// Constituent field names of pt, eta, phi, energy.
    public var constituentKinematics: KinematicFieldNames
    /// Jet field names of pt, eta, phi, energy.
    public var jetKinematics: KinematicFieldNames
    /// How missing centres and scales are fitted on the training split.
    public var standardization: StandardizationMethod
    /// Where a fine-tuning run takes the missing centres and scales: the parent model's or fitted (default
    /// parent); a run without a parent fits them.
    public var standardizationSource: StandardizationSource

    public init(
        maxConstituents: Int = FeatureSpec.defaultMaxConstituents,
        constituentVariables: [VariableSpec] = [], jetVariables: [VariableSpec] = [],
        constituentKinematics: KinematicFieldNames = .init(), jetKinematics: KinematicFieldNames = .init(),
        standardization: StandardizationMethod = .meanStd, standardizationSource: StandardizationSource = .parent
    ) {
        self.maxConstituents = maxConstituents
        self.constituentVariables = constituentVariables
        self.jetVariables = jetVariables
        self.constituentKinematics = constituentKinematics
        self.jetKinematics = jetKinematics
        self.standardization = standardization
        self.standardizationSource = standardizationSource
    }

    /// True when every variable has its centre and scale (given or fitted).
    public var isStandardized: Bool {
        (constituentVariables + jetVariables).allSatisfy(\.isStandardized)
    }

    func validate() throws {
        guard maxConstituents > 0 else {
            throw JetFeaturesError.invalidSpec("maxConstituents must be positive, got \(maxConstituents)")
        }
        for (level, variables) in [("constituent", constituentVariables), ("jet", jetVariables)] {
            var seen = Set<String>()
            for variable in variables {
                try variable.validate()
                guard seen.insert(variable.name).inserted else {
                    throw JetFeaturesError.invalidSpec("\(level) variable '\(variable.name)' is listed twice")
                }
            }
        }
    }

    private enum CodingKeys: String, CodingKey {
        case maxConstituents, constituentVariables, jetVariables, constituentKinematics, jetKinematics
        case standardization, standardizationSource
    }

    public init(from decoder: Decoder) throws {
        let keyed = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        maxConstituents = try keyed.decodeIfPresent(Int.self, forKey: .maxConstituents) ?? maxConstituents
        constituentVariables = try keyed.decodeIfPresent([VariableSpec].self, forKey: .constituentVariables) ?? []
        jetVariables = try keyed.decodeIfPresent([VariableSpec].self, forKey: .jetVariables) ?? []
        constituentKinematics =
            try keyed.decodeIfPresent(KinematicFieldNames.self, forKey: .constituentKinematics) ?? .init()
        jetKinematics = try keyed.decodeIfPresent(KinematicFieldNames.self, forKey: .jetKinematics) ?? .init()
        standardization = try keyed.decodeIfPresent(StandardizationMethod.self, forKey: .standardization) ?? standardization
        standardizationSource =
            try keyed.decodeIfPresent(StandardizationSource.self, forKey: .standardizationSource) ?? standardizationSource
    }
}
