import JetFeatures

extension FeatureSpec {
    /// The constituent fields a batch must carry for these variables.
    public var requiredConstituentFields: [String] {
        var fields: [String] = []
        for variable in constituentVariables {
            let names = constituentKinematics
            switch ConstituentVariable(name: variable.name) {
            case .deltaEta: fields.append(names.eta)
            case .deltaPhi: fields.append(names.phi)
            case .deltaR: fields += [names.eta, names.phi]
            case .logPt, .logPtRel: fields.append(names.pt)
            case .logEnergy, .logEnergyRel: fields.append(names.energy)
            case .field(let name): fields.append(name)
            }
        }
        return fields.uniqued()
    }

    /// The jet fields a batch must carry for these variables (including the jet axis for relative ones).
    public var requiredJetFields: [String] {
        var fields = jetVariables.map { JetVariable(name: $0.name).field }
        for variable in constituentVariables {
            let names = jetKinematics
            switch ConstituentVariable(name: variable.name) {
            case .deltaEta: fields.append(names.eta)
            case .deltaPhi: fields.append(names.phi)
            case .deltaR: fields += [names.eta, names.phi]
            case .logPtRel: fields.append(names.pt)
            case .logEnergyRel: fields.append(names.energy)
            case .logPt, .logEnergy, .field: break
            }
        }
        return fields.uniqued()
    }
}

extension Array where Element == String {
    /// The strings in first-seen order without repeats.
    func uniqued() -> [String] {
        var seen = Set<String>()
        return filter { seen.insert($0).inserted }
    }
}
