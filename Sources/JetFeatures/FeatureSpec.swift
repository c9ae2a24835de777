import JetData

/// What the network sees: constituent variables padded to `maxConstituents`, and jet-level variables.
///
/// YAML keys (all optional): `maxConstituents` (default 100; harder constituents are kept, softer ones
/// dropped), `constituentVariables` and `jetVariables` (lists of `VariableSpec`, default empty),
/// `constituentKinematics` and `jetKinematics` (`KinematicFieldNames`, default pt/eta/phi/energy),
/// `particleIDFields` (`ParticleIDFieldNames`, default pdg_id/charge) and `newVariables` (weaver's
/// `new_variables`: `{name: expression}`, see `newVariables`).
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
    /// Constituent field names of the PDG code and the charge (for the particle-ID flags).
    public var particleIDFields: ParticleIDFieldNames
    /// How missing centres and scales are fitted on the training split.
    public var standardization: StandardizationMethod
    /// Where a fine-tuning run takes the missing centres and scales: the parent model's or fitted (default
    /// parent); a run without a parent fits them.
    public var standardizationSource: StandardizationSource
    /// Variables defined by `JetExpression`s (`.value` kind), usable by name in `constituentVariables`,
    /// `jetVariables` and other expressions. Listed as a constituent variable, a bare name in the expression is a
    /// constituent variable (a raw field, a derived variable such as `deltaR`, or another new variable) and
    /// `jet.<name>` a jet variable broadcast to the jet's constituents; listed as a jet variable, every name is a
    /// jet variable. Names must be identifiers that are not derived variable names; references must not form a
    /// cycle. A non-finite value (log of 0, division by 0) is an error naming the variable, the file and the row.
    public var newVariables: [String: String]

    /// The prefix of a jet-level name in a constituent-level expression.
    public static let jetPrefix = "jet."

    public init(
        maxConstituents: Int = FeatureSpec.defaultMaxConstituents,
        constituentVariables: [VariableSpec] = [], jetVariables: [VariableSpec] = [],
        constituentKinematics: KinematicFieldNames = .init(), jetKinematics: KinematicFieldNames = .init(),
        particleIDFields: ParticleIDFieldNames = .init(), standardization: StandardizationMethod = .meanStd,
        standardizationSource: StandardizationSource = .parent, newVariables: [String: String] = [:]
    ) {
        self.maxConstituents = maxConstituents
        self.constituentVariables = constituentVariables
        self.jetVariables = jetVariables
        self.constituentKinematics = constituentKinematics
        self.jetKinematics = jetKinematics
        self.particleIDFields = particleIDFields
        self.standardization = standardization
        self.standardizationSource = standardizationSource
        self.newVariables = newVariables
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
        try validateNewVariables()
    }

    /// Parses `text`, the expression of new variable `name`.
    ///
    /// - Throws: `JetFeaturesError.invalidExpression` with the position and reason.
    static func compile(_ name: String, _ text: String) throws -> JetExpression {
        do {
            return try JetExpression(text, kind: .value)
        } catch let error as ExpressionSyntaxError {
            throw JetFeaturesError.invalidExpression(
                variable: name, expression: text, position: error.position, reason: error.reason)
        }
    }

    /// The error for an input that lacks `field` when a new variable reads it (as `field` or `jet.field`), naming
    /// the first such variable (by name order), its expression and the position; nil when none reads it.
    public func missingExpressionField(_ field: String, file: String, available: [String]) -> JetFeaturesError? {
        for name in newVariables.keys.sorted() {
            guard let expression = try? Self.compile(name, newVariables[name]!) else { continue }
            for (reference, position) in zip(expression.fieldNames, expression.fieldPositions)
            where reference == field || reference == Self.jetPrefix + field {
                return .unknownExpressionName(
                    variable: name, expression: expression.text, name: reference, position: position, level: "field",
                    file: file, available: available)
            }
        }
        return nil
    }

    /// Checks the new variables' names and expressions and that no chain of references comes back to its start.
    func validateNewVariables() throws {
        for name in newVariables.keys.sorted() {
            let isIdentifier = name.first.map { $0.isLetter || $0 == "_" } == true
                && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
            guard isIdentifier, ConstituentVariable.derived[name] == nil else {
                throw JetFeaturesError.invalidSpec(
                    "newVariables '\(name)': the name must be an identifier (letters, digits, _) and not a derived "
                        + "variable (\(ConstituentVariable.derived.keys.sorted().joined(separator: ", ")))")
            }
            _ = try Self.compile(name, newVariables[name]!)
        }
        var done = Set<String>()
        func visit(_ name: String, _ path: [String]) throws {
            guard !done.contains(name), let text = newVariables[name] else { return }
            guard !path.contains(name) else {
                throw JetFeaturesError.invalidSpec(
                    "newVariables: \((path.drop { $0 != name } + [name]).joined(separator: " -> ")) refer to each other in a cycle")
            }
            for field in try Self.compile(name, text).fieldNames {
                try visit(field.hasPrefix(Self.jetPrefix) ? String(field.dropFirst(Self.jetPrefix.count)) : field, path + [name])
            }
            done.insert(name)
        }
        for name in newVariables.keys.sorted() { try visit(name, []) }
    }

    private enum CodingKeys: String, CodingKey {
        case maxConstituents, constituentVariables, jetVariables, constituentKinematics, jetKinematics
        case particleIDFields, standardization, standardizationSource, newVariables
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
        particleIDFields = try keyed.decodeIfPresent(ParticleIDFieldNames.self, forKey: .particleIDFields) ?? .init()
        standardization = try keyed.decodeIfPresent(StandardizationMethod.self, forKey: .standardization) ?? standardization
        standardizationSource =
            try keyed.decodeIfPresent(StandardizationSource.self, forKey: .standardizationSource) ?? standardizationSource
        newVariables = try keyed.decodeIfPresent([String: String].self, forKey: .newVariables) ?? [:]
        do {
            try validateNewVariables()
        } catch let error as JetFeaturesError {
            throw DecodingError.dataCorrupted(.init(codingPath: keyed.codingPath + [CodingKeys.newVariables], debugDescription: error.description))
        }
    }
}
