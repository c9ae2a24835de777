/// A per-constituent input variable (weaver's names), computed relative to the jet axis.
///
/// | name              | value                                                   |
/// |-------------------|---------------------------------------------------------|
/// | `deta`            | eta - jet eta                                           |
/// | `dphi`            | phi - jet phi, wrapped to (-pi, pi]                     |
/// | `deltaR`          | hypot(deta, dphi)                                       |
/// | `pt_log`          | log pt                                                  |
/// | `e_log`           | log E                                                   |
/// | `logptrel`        | log(pt / jet pt)                                        |
/// | `logerel`         | log(E / jet E)                                          |
/// | `isChargedHadron` | 1 if \|pdg\| > 100 and charge != 0, else 0              |
/// | `isNeutralHadron` | 1 if \|pdg\| > 100 and charge == 0, else 0              |
/// | `isPhoton`        | 1 if pdg == 22, else 0                                  |
/// | `isElectron`      | 1 if \|pdg\| == 11, else 0                              |
/// | `isMuon`          | 1 if \|pdg\| == 13, else 0                              |
/// | other             | the raw constituent field of that name (e.g. `charge`)  |
///
/// The particle-ID flags read `FeatureSpec.particleIDFields` (`pdg_id`, `charge`). On Pythia's stable particles
/// they are ParT's (`part_isChargedHadron` = \|pdg\| in {211, 321, 2212}, `part_isNeutralHadron` = \|pdg\| in
/// {130, 2112}, as its conversion of the Pythia quark-gluon sample computes them); a charged or neutral hadron
/// that a generator leaves stable beyond those (K_S, Lambda, Sigma, Xi, Omega) counts by its charge, as a
/// particle-flow reconstruction would file it. Neutrinos and anything else are 0 in all five.
public enum ConstituentVariable: Hashable, Sendable {
    case deltaEta, deltaPhi, deltaR, logPt, logEnergy, logPtRel, logEnergyRel
    case isChargedHadron, isNeutralHadron, isPhoton, isElectron, isMuon
    case field(String)

    /// The derived variables by their spec names.
    public static let derived: [String: ConstituentVariable] = [
        "deta": .deltaEta, "dphi": .deltaPhi, "deltaR": .deltaR, "pt_log": .logPt, "e_log": .logEnergy,
        "logptrel": .logPtRel, "logerel": .logEnergyRel, "isChargedHadron": .isChargedHadron,
        "isNeutralHadron": .isNeutralHadron, "isPhoton": .isPhoton, "isElectron": .isElectron, "isMuon": .isMuon,
    ]

    /// Parses a spec name: a derived name, else a raw field.
    public init(name: String) {
        self = Self.derived[name] ?? .field(name)
    }

    /// Whether this is a 0/1 particle-ID flag, which the standardisation leaves as it is (centre 0, scale 1).
    public var isParticleIDFlag: Bool {
        switch self {
        case .isChargedHadron, .isNeutralHadron, .isPhoton, .isElectron, .isMuon: return true
        default: return false
        }
    }

    /// The flag's value for one constituent (0 for the other variables).
    @inline(__always)
    func particleIDFlag(pdgId: Float, charge: Float) -> Float {
        let code = abs(pdgId)
        let isFlagged = switch self {
        case .isChargedHadron: code > 100 && charge != 0
        case .isNeutralHadron: code > 100 && charge == 0
        case .isPhoton: pdgId == 22
        case .isElectron: code == 11
        case .isMuon: code == 13
        default: false
        }
        return isFlagged ? 1 : 0
    }
}

/// Which constituent fields hold the PDG particle code and the electric charge (`pdg_id`, `charge` by default, the
/// names of our samples), read by the particle-ID flags of `ConstituentVariable`.
public struct ParticleIDFieldNames: Codable, Sendable, Equatable {
    public var pdgId: String
    public var charge: String

    public init(pdgId: String = "pdg_id", charge: String = "charge") {
        self.pdgId = pdgId
        self.charge = charge
    }

    private enum CodingKeys: String, CodingKey { case pdgId, charge }

    public init(from decoder: Decoder) throws {
        let keyed = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        pdgId = try keyed.decodeIfPresent(String.self, forKey: .pdgId) ?? pdgId
        charge = try keyed.decodeIfPresent(String.self, forKey: .charge) ?? charge
    }
}
