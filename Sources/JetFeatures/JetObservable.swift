import Foundation
import JetData

/// A jet-level observable computed from a `JetBatch`: the quantities reweighting closure is judged on, also
/// usable as jet-level network inputs (``JetBatch/addingObservables(_:kinematics:)`` stores them as jet fields
/// named by `rawValue`).
///
/// - `mass`, `pt`: the jet fields.
/// - `multiplicity`: the number of real constituents in the batch (the file's constituent count up to its slots).
/// - `width`: girth, sum_i pt_i dR_i / pt_jet, dR_i the distance in (eta, phi) to the jet axis.
/// - `ptD`: sqrt(sum_i pt_i^2) / sum_i pt_i.
public enum JetObservable: String, Codable, Sendable, CaseIterable {
    case mass
    case multiplicity
    case pt
    case width
    case ptD = "ptd"

    /// Jet fields the observables read (beyond the constituents' pt, eta, phi).
    public static let jetMassField = "mass"

    /// True when the observable is a jet field read from the file rather than computed.
    public var isJetField: Bool { self == .mass || self == .pt }

    /// The jet fields a stream must read to compute `observables`.
    public static func requiredJetFields(_ observables: [JetObservable], kinematics: KinematicFieldNames) -> [String] {
        var fields: [String] = []
        if observables.contains(.mass) { fields.append(jetMassField) }
        if observables.contains(where: { $0 == .pt || $0 == .width }) { fields.append(kinematics.pt) }
        if observables.contains(.width) { fields += [kinematics.eta, kinematics.phi] }
        return fields
    }

    /// The constituent fields a stream must read to compute `observables`.
    public static func requiredConstituentFields(_ observables: [JetObservable], kinematics: KinematicFieldNames) -> [String] {
        var fields: [String] = []
        if observables.contains(where: { $0 == .width || $0 == .ptD }) { fields.append(kinematics.pt) }
        if observables.contains(.width) { fields += [kinematics.eta, kinematics.phi] }
        return fields
    }

    /// The observable for every jet of `batch` [B].
    ///
    /// - Parameters:
    ///   - jetKinematics: the batch's jet pt, eta, phi fields (and `mass`).
    ///   - constituentKinematics: the batch's constituent pt, eta, phi fields.
    /// - Throws: ``JetFeaturesError/missingField(field:level:neededBy:)`` when the batch lacks a field.
    public func values(
        in batch: JetBatch, jetKinematics: KinematicFieldNames = .init(), constituentKinematics: KinematicFieldNames = .init()
    ) throws -> [Float] {
        func jetField(_ name: String) throws -> [Float] {
            guard let column = batch.jetFields[name] else { throw JetFeaturesError.missingField(field: name, level: "jet", neededBy: rawValue) }
            return column
        }
        func constituentField(_ name: String) throws -> [Float] {
            guard let column = batch.constituentFields[name] else {
                throw JetFeaturesError.missingField(field: name, level: "constituent", neededBy: rawValue)
            }
            return column
        }
        switch self {
        case .mass: return try jetField(Self.jetMassField)
        case .pt: return try jetField(jetKinematics.pt)
        case .multiplicity: return batch.multiplicities.map { Float($0) }
        case .ptD:
            let pt = try constituentField(constituentKinematics.pt)
            return Self.perJet(batch) { b, n in
                var (sum, sumSquares) = (0.0, 0.0)
                for j in 0..<n {
                    let value = Double(pt[b * batch.maxConstituents + j])
                    sum += value
                    sumSquares += value * value
                }
                return sum > 0 ? sumSquares.squareRoot() / sum : 0
            }
        case .width:
            let (jetPt, jetEta, jetPhi) = (try jetField(jetKinematics.pt), try jetField(jetKinematics.eta), try jetField(jetKinematics.phi))
            let (pt, eta, phi) = (
                try constituentField(constituentKinematics.pt), try constituentField(constituentKinematics.eta),
                try constituentField(constituentKinematics.phi)
            )
            return Self.perJet(batch) { b, n in
                var sum = 0.0
                for j in 0..<n {
                    let slot = b * batch.maxConstituents + j
                    let deta = Double(eta[slot] - jetEta[b])
                    var dphi = Double(phi[slot] - jetPhi[b])
                    dphi -= 2 * .pi * (dphi / (2 * .pi)).rounded()
                    sum += Double(pt[slot]) * (deta * deta + dphi * dphi).squareRoot()
                }
                return jetPt[b] > 0 ? sum / Double(jetPt[b]) : 0
            }
        }
    }

    /// `body(jet, multiplicity)` for every jet, as Float32.
    private static func perJet(_ batch: JetBatch, _ body: (Int, Int) -> Double) -> [Float] {
        (0..<batch.count).map { b in Float(body(b, Int(batch.multiplicities[b]))) }
    }
}

extension JetBatch {
    /// The batch with each computed observable stored as a jet field named by its `rawValue` (`multiplicity`,
    /// `width`, `ptd`), so feature specs can name them as jet variables; `mass` and `pt` are fields already.
    public func addingObservables(
        _ observables: [JetObservable], jetKinematics: KinematicFieldNames = .init(),
        constituentKinematics: KinematicFieldNames = .init()
    ) throws -> JetBatch {
        var result = self
        for observable in observables where !observable.isJetField {
            result.jetFields[observable.rawValue] = try observable.values(
                in: self, jetKinematics: jetKinematics, constituentKinematics: constituentKinematics)
        }
        return result
    }
}
