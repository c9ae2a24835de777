import JetData
import JetFeatures

extension FeatureSpec {
    /// The constituent fields a batch must carry for these variables (through new variables' expressions too).
    public var requiredConstituentFields: [String] { requiredFields.constituent.uniqued() }

    /// The jet fields a batch must carry for these variables (including the jet axis for relative ones and the
    /// jet fields new variables read).
    public var requiredJetFields: [String] { requiredFields.jet.uniqued() }

    private var requiredFields: (constituent: [String], jet: [String]) {
        var fields: (constituent: [String], jet: [String]) = ([], [])
        for variable in constituentVariables { addFields(ofConstituent: variable.name, to: &fields) }
        for variable in jetVariables { addFields(ofJet: variable.name, to: &fields) }
        return fields
    }

    /// The names a new variable's expression reads (empty for a name that is no new variable; the spec's
    /// expressions are checked when it is decoded, and a broken one fails again when a batch is extracted).
    private func references(of name: String) -> [String]? {
        guard let text = newVariables[name] else { return nil }
        return (try? JetExpression(text, kind: .value))?.fieldNames ?? []
    }

    private func addFields(ofConstituent name: String, to fields: inout (constituent: [String], jet: [String])) {
        if let references = references(of: name) {
            for reference in references {
                if reference.hasPrefix(Self.jetPrefix) {
                    addFields(ofJet: String(reference.dropFirst(Self.jetPrefix.count)), to: &fields)
                } else {
                    addFields(ofConstituent: reference, to: &fields)
                }
            }
            return
        }
        let names = constituentKinematics, jetNames = jetKinematics
        switch ConstituentVariable(name: name) {
        case .deltaEta: fields.constituent.append(names.eta); fields.jet.append(jetNames.eta)
        case .deltaPhi: fields.constituent.append(names.phi); fields.jet.append(jetNames.phi)
        case .deltaR: fields.constituent += [names.eta, names.phi]; fields.jet += [jetNames.eta, jetNames.phi]
        case .logPt: fields.constituent.append(names.pt)
        case .logEnergy: fields.constituent.append(names.energy)
        case .logPtRel: fields.constituent.append(names.pt); fields.jet.append(jetNames.pt)
        case .logEnergyRel: fields.constituent.append(names.energy); fields.jet.append(jetNames.energy)
        case .isChargedHadron, .isNeutralHadron, .isPhoton, .isElectron, .isMuon:
            fields.constituent += [particleIDFields.pdgId, particleIDFields.charge]
        case .field(let field): fields.constituent.append(field)
        }
    }

    private func addFields(ofJet name: String, to fields: inout (constituent: [String], jet: [String])) {
        if let references = references(of: name) {
            for reference in references {
                let jetName = reference.hasPrefix(Self.jetPrefix) ? String(reference.dropFirst(Self.jetPrefix.count)) : reference
                addFields(ofJet: jetName, to: &fields)
            }
            return
        }
        fields.jet.append(JetVariable(name: name).field)
    }
}

extension Array where Element == String {
    /// The strings in first-seen order without repeats.
    func uniqued() -> [String] {
        var seen = Set<String>()
        return filter { seen.insert($0).inserted }
    }
}
