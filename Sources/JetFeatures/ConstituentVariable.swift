/// A per-constituent input variable (weaver's names), computed relative to the jet axis.
///
/// | name        | value                              |
/// |-------------|------------------------------------|
/// | `deta`      | eta - jet eta                      |
/// | `dphi`      | phi - jet phi, wrapped to (-pi, pi] |
/// | `deltaR`    | hypot(deta, dphi)                  |
/// | `pt_log`    | log pt                             |
/// | `e_log`     | log E                              |
/// | `logptrel`  | log(pt / jet pt)                   |
/// | `logerel`   | log(E / jet E)                     |
/// | other       | the raw constituent field of that name (e.g. `charge`) |
public enum ConstituentVariable: Hashable, Sendable {
    case deltaEta, deltaPhi, deltaR, logPt, logEnergy, logPtRel, logEnergyRel
    case field(String)

    /// The derived variables by their spec names.
    public static let derived: [String: ConstituentVariable] = [
        "deta": .deltaEta, "dphi": .deltaPhi, "deltaR": .deltaR, "pt_log": .logPt, "e_log": .logEnergy,
        "logptrel": .logPtRel, "logerel": .logEnergyRel,
    ]

    /// Parses a spec name: a derived name, else a raw field.
    public init(name: String) {
        self = Self.derived[name] ?? .field(name)
    }
}
