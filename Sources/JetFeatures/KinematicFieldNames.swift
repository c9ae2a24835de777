/// Which batch fields hold pt, eta, phi and energy (readers keep the file's field names).
///
/// Defaults: `pt`, `eta`, `phi`, `energy` (the names of our compound samples).
public struct KinematicFieldNames: Codable, Sendable, Equatable {
    public var pt: String
    public var eta: String
    public var phi: String
    public var energy: String

    public init(pt: String = "pt", eta: String = "eta", phi: String = "phi", energy: String = "energy") {
        self.pt = pt
        self.eta = eta
        self.phi = phi
        self.energy = energy
    }

    private enum CodingKeys: String, CodingKey { case pt, eta, phi, energy }

    public init(from decoder: Decoder) throws {
        let keyed = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        pt = try keyed.decodeIfPresent(String.self, forKey: .pt) ?? pt
        eta = try keyed.decodeIfPresent(String.self, forKey: .eta) ?? eta
        phi = try keyed.decodeIfPresent(String.self, forKey: .phi) ?? phi
        energy = try keyed.decodeIfPresent(String.self, forKey: .energy) ?? energy
    }
}
