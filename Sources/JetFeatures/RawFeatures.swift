import Foundation
import JetData

/// The spec's variables evaluated on one batch, before standardisation.
///
/// Sizes: B = jets, P = `spec.maxConstituents`, F = constituent variables, K = jet variables.
/// `constituentValues` is [B, P, F] (zero in padding slots), `jetValues` is [B, K], and `kept[b]` is the
/// number of real constituents jet b keeps after truncation to P (the hardest ones; they form a prefix).
struct RawFeatures {
    let count: Int
    let slots: Int
    let kept: [Int]
    private(set) var constituentValues: [Float]
    private(set) var jetValues: [Float]

    init(spec: FeatureSpec, batch: JetBatch) throws {
        try spec.validate()
        let count = batch.count
        let inputSlots = batch.maxConstituents
        let reader = _BatchReader(batch: batch)
        let multiplicities = try reader.multiplicities()
        self.count = count
        slots = spec.maxConstituents
        let kept = multiplicities.map { min($0, spec.maxConstituents) }
        self.kept = kept
        constituentValues = [Float](repeating: 0, count: count * slots * spec.constituentVariables.count)
        jetValues = [Float](repeating: 0, count: count * spec.jetVariables.count)

        let constituentNames = spec.constituentKinematics
        let jetNames = spec.jetKinematics
        for (column, variable) in spec.constituentVariables.enumerated() {
            let kind = ConstituentVariable(name: variable.name)
            let name = variable.name
            let constituent = { (field: String) in
                try reader.constituentField(field, neededBy: name, kept: kept, inputSlots: inputSlots)
            }
            let jet = { (field: String) in try reader.jetField(field, neededBy: name) }
            let floor = variable.logFloor
            let logarithm = { (x: Float, b: Int, j: Int) in
                try Self.logarithm(x, floor: floor, variable: name, row: reader.row(b), constituent: j)
            }
            switch kind {
            case .deltaEta:
                let eta = try constituent(constituentNames.eta), jetEta = try jet(jetNames.eta)
                fillConstituentColumn(column, of: spec, inputSlots, eta, eta, jetEta, jetEta) { _, _, x, _, u, _ in
                    x - u
                }
            case .deltaPhi:
                let phi = try constituent(constituentNames.phi), jetPhi = try jet(jetNames.phi)
                fillConstituentColumn(column, of: spec, inputSlots, phi, phi, jetPhi, jetPhi) { _, _, x, _, u, _ in
                    Self.wrappedAngle(x - u)
                }
            case .deltaR:
                let eta = try constituent(constituentNames.eta), jetEta = try jet(jetNames.eta)
                let phi = try constituent(constituentNames.phi), jetPhi = try jet(jetNames.phi)
                fillConstituentColumn(column, of: spec, inputSlots, eta, phi, jetEta, jetPhi) { _, _, x, y, u, v in
                    hypot(x - u, Self.wrappedAngle(y - v))
                }
            case .logPt, .logEnergy:
                let field = try constituent(kind == .logPt ? constituentNames.pt : constituentNames.energy)
                try fillConstituentColumn(column, of: spec, inputSlots, field, field, [], []) { b, j, x, _, _, _ in
                    try logarithm(x, b, j)
                }
            case .logPtRel, .logEnergyRel:
                let isPt = kind == .logPtRel
                let field = try constituent(isPt ? constituentNames.pt : constituentNames.energy)
                let jetField = try jet(isPt ? jetNames.pt : jetNames.energy)
                try fillConstituentColumn(column, of: spec, inputSlots, field, field, jetField, jetField) {
                    b, j, x, _, u, _ in try logarithm(x / u, b, j)
                }
            case let .field(fieldName):
                guard batch.constituentFields[fieldName] != nil else {
                    throw JetFeaturesError.unknownVariable(
                        name: name, level: "constituent",
                        available: ConstituentVariable.derived.keys.sorted() + batch.constituentFields.keys.sorted())
                }
                let field = try constituent(fieldName)
                fillConstituentColumn(column, of: spec, inputSlots, field, field, [], []) { _, _, x, _, _, _ in x }
            }
        }

        let jetCount = spec.jetVariables.count
        for (column, variable) in spec.jetVariables.enumerated() {
            let kind = JetVariable(name: variable.name)
            guard batch.jetFields[kind.field] != nil else {
                throw JetFeaturesError.unknownVariable(
                    name: variable.name, level: "jet",
                    available: batch.jetFields.keys.sorted().flatMap { [$0, "log_" + $0] })
            }
            let field = try reader.jetField(kind.field, neededBy: variable.name)
            let isLogarithm = if case .logField = kind { true } else { false }
            for b in 0..<count {
                jetValues[b * jetCount + column] = isLogarithm
                    ? try Self.logarithm(field[b], floor: variable.logFloor, variable: variable.name,
                                         row: reader.row(b), constituent: nil)
                    : field[b]
            }
        }
    }

    /// Writes `value(b, j, x[src], y[src], u[b], v[b])` into column `column` of every kept constituent,
    /// with `src = b * inputSlots + j` (x, y are [B, P_in] constituent fields, u, v are [B] jet fields;
    /// empty jet arrays mean the variable uses no jet field).
    private mutating func fillConstituentColumn(
        _ column: Int, of spec: FeatureSpec, _ inputSlots: Int,
        _ x: [Float], _ y: [Float], _ u: [Float], _ v: [Float],
        _ value: (Int, Int, Float, Float, Float, Float) throws -> Float
    ) rethrows {
        let featureCount = spec.constituentVariables.count
        let (count, slots, kept) = (self.count, self.slots, self.kept)
        try constituentValues.withUnsafeMutableBufferPointer { out in
            try x.withUnsafeBufferPointer { x in
                try y.withUnsafeBufferPointer { y in
                    try u.withUnsafeBufferPointer { u in
                        try v.withUnsafeBufferPointer { v in
                            for b in 0..<count {
                                let jetU = u.isEmpty ? 0 : u[b], jetV = v.isEmpty ? 0 : v[b]
                                for j in 0..<kept[b] {
                                    let src = b * inputSlots + j
                                    out[(b * slots + j) * featureCount + column] =
                                        try value(b, j, x[src], y[src], jetU, jetV)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Wraps an angle difference to (-pi, pi].
    @inline(__always)
    static func wrappedAngle(_ angle: Float) -> Float {
        let wrapped = Foundation.remainder(angle, 2 * Float.pi)
        return wrapped <= -Float.pi ? wrapped + 2 * Float.pi : wrapped
    }

    /// log x, or log max(x, floor) when a floor is given; a non-positive (or infinite) argument without a
    /// floor is an error naming the variable, row and constituent.
    @inline(__always)
    static func logarithm(_ x: Float, floor: Float?, variable: String, row: Int, constituent: Int?) throws -> Float {
        if x.isFinite, let floor { return Foundation.log(max(x, floor)) }
        guard x > 0, x.isFinite else {
            throw JetFeaturesError.nonPositiveLogArgument(variable: variable, row: row, constituent: constituent, value: x)
        }
        return Foundation.log(x)
    }
}

/// Checked access to a batch's fields: presence, length and finiteness of the entries that are used.
private struct _BatchReader {
    let batch: JetBatch

    func row(_ b: Int) -> Int { batch.rows.count == batch.count ? batch.rows[b] : b }

    /// Real constituents per jet, from `multiplicities` or else from the mask's prefix.
    func multiplicities() throws -> [Int] {
        let (count, slots) = (batch.count, batch.maxConstituents)
        let values: [Int]
        if batch.multiplicities.count == count {
            values = batch.multiplicities.map(Int.init)
        } else if batch.mask.count == count * slots {
            values = (0..<count).map { b in
                batch.mask[(b * slots)..<((b + 1) * slots)].prefix { $0 != 0 }.count
            }
        } else {
            throw JetFeaturesError.shapeMismatch(field: "multiplicities", expected: count, got: batch.multiplicities.count)
        }
        for (b, n) in values.enumerated() where n < 0 || n > slots {
            throw JetFeaturesError.invalidMultiplicity(row: row(b), multiplicity: n, slots: slots)
        }
        return values
    }

    func constituentField(_ field: String, neededBy variable: String, kept: [Int], inputSlots: Int) throws -> [Float] {
        guard let values = batch.constituentFields[field] else {
            throw JetFeaturesError.missingField(field: field, level: "constituent", neededBy: variable)
        }
        guard values.count == batch.count * inputSlots else {
            throw JetFeaturesError.shapeMismatch(field: field, expected: batch.count * inputSlots, got: values.count)
        }
        for b in 0..<batch.count {
            for j in 0..<kept[b] where !values[b * inputSlots + j].isFinite {
                throw JetFeaturesError.nonFiniteInput(
                    field: field, row: row(b), constituent: j, value: values[b * inputSlots + j])
            }
        }
        return values
    }

    func jetField(_ field: String, neededBy variable: String) throws -> [Float] {
        guard let values = batch.jetFields[field] else {
            throw JetFeaturesError.missingField(field: field, level: "jet", neededBy: variable)
        }
        guard values.count == batch.count else {
            throw JetFeaturesError.shapeMismatch(field: field, expected: batch.count, got: values.count)
        }
        if let b = values.firstIndex(where: { !$0.isFinite }) {
            throw JetFeaturesError.nonFiniteInput(field: field, row: row(b), constituent: nil, value: values[b])
        }
        return values
    }
}
