import Foundation
import JetData

/// The spec's variables evaluated on one batch, before standardisation, as packed columns.
///
/// Sizes: B = jets, F = constituent variables, K = jet variables, N = `offsets[B]` kept constituents (at most
/// `spec.maxConstituents` per jet, the hardest ones). `constituentColumns[f]` holds variable f of the kept
/// constituents jet after jet (jet b's constituent j at `offsets[b] + j`), `jetColumns[k]` one value per jet.
struct RawFeatures {
    let offsets: [Int]
    let constituentColumns: [[Float]]
    let jetColumns: [[Float]]

    var count: Int { offsets.count - 1 }

    /// - Parameter files: the stream's files, by `batch.fileIndices`, named in the errors of expression variables.
    init(spec: FeatureSpec, batch: JetBatch, files: [String] = []) throws {
        try spec.validate()
        var columns = try VariableColumns(spec: spec, batch: batch, files: files)
        offsets = columns.offsets
        constituentColumns = try spec.constituentVariables.map { try columns.constituent($0.name, logFloor: $0.logFloor) }
        jetColumns = try spec.jetVariables.map { try columns.jet($0.name, logFloor: $0.logFloor) }
    }

    /// Wraps an angle difference to (-pi, pi].
    @inline(__always)
    static func wrappedAngle(_ angle: Float) -> Float {
        let wrapped = Foundation.remainder(angle, 2 * Float.pi)
        return wrapped <= -Float.pi ? wrapped + 2 * Float.pi : wrapped
    }

    /// log x of every value, or log max(x, floor) when a floor is given; the first non-positive (or infinite)
    /// value without a floor is an error naming the variable and where the value is (`location`: its row and
    /// constituent, asked for only then).
    static func logarithms(
        of values: [Float], floor: Float?, variable: String, location: (Int) -> (row: Int, constituent: Int?)
    ) throws -> [Float] {
        var result = [Float](repeating: 0, count: values.count)
        for (i, x) in values.enumerated() {
            if x.isFinite, let floor {
                result[i] = Foundation.log(max(x, floor))
            } else if x > 0, x.isFinite {
                result[i] = Foundation.log(x)
            } else {
                let (row, constituent) = location(i)
                throw JetFeaturesError.nonPositiveLogArgument(variable: variable, row: row, constituent: constituent, value: x)
            }
        }
        return result
    }
}

/// A batch's variables as columns, computed on first use: constituent columns hold the kept constituents packed
/// jet by jet (`total` values; jet b's constituent j at `offsets[b] + j`), jet columns one value per jet.
/// Expression variables (`spec.newVariables`) are evaluated here, their names resolved at the level they are used
/// at: at the constituent level a bare name is a constituent variable and `jet.<name>` a jet variable, broadcast
/// to the jet's constituents; at the jet level every name is a jet variable.
private struct VariableColumns {
    let spec: FeatureSpec
    let reader: _BatchReader
    let files: [String]
    let kept: [Int]
    let offsets: [Int]
    let total: Int
    private var constituentExpressions: [String: [Float]] = [:]
    private var jetExpressions: [String: [Float]] = [:]
    /// Variables without a log floor and raw fields, packed, as computed so far: deltaR and expressions reuse
    /// deta and dphi, and several variables read pt, energy, eta or phi.
    private var constituentCache: [String: [Float]] = [:]
    private var fieldCache: [String: [Float]] = [:]

    init(spec: FeatureSpec, batch: JetBatch, files: [String]) throws {
        self.spec = spec
        self.files = files
        reader = _BatchReader(batch: batch)
        kept = try reader.multiplicities().map { min($0, spec.maxConstituents) }
        var offsets = [Int](repeating: 0, count: kept.count + 1)
        for b in kept.indices { offsets[b + 1] = offsets[b] + kept[b] }
        self.offsets = offsets
        total = offsets.last!
    }

    /// The constituent-level variable `name` (an expression variable, a derived one or a raw field), packed.
    mutating func constituent(_ name: String, logFloor: Float? = nil) throws -> [Float] {
        if let expression = spec.newVariables[name] {
            if let values = constituentExpressions[name] { return values }
            let values = try evaluate(name, expression, constituentLevel: true)
            constituentExpressions[name] = values
            return values
        }
        if logFloor == nil, let values = constituentCache[name] { return values }
        let values = try derivedOrRaw(name, logFloor: logFloor)
        if logFloor == nil { constituentCache[name] = values }
        return values
    }

    private mutating func derivedOrRaw(_ name: String, logFloor: Float?) throws -> [Float] {
        let names = spec.constituentKinematics, jetNames = spec.jetKinematics
        let kind = ConstituentVariable(name: name)
        let (reader, offsets, kept) = (self.reader, self.offsets, self.kept)
        let logarithms = { (values: [Float]) throws -> [Float] in
            try RawFeatures.logarithms(of: values, floor: logFloor, variable: name) {
                let (b, j) = Self.position(of: $0, offsets: offsets, jets: kept.count)
                return (reader.row(b), j)
            }
        }
        switch kind {
        case .deltaEta:
            return zip(try field(names.eta, name), try broadcast(try reader.jetField(jetNames.eta, neededBy: name))).map { $0 - $1 }
        case .deltaPhi:
            return zip(try field(names.phi, name), try broadcast(try reader.jetField(jetNames.phi, neededBy: name))).map {
                RawFeatures.wrappedAngle($0 - $1)
            }
        case .deltaR:
            let deta = try constituent("deta"), dphi = try constituent("dphi")
            return zip(deta, dphi).map { hypot($0, $1) }
        case .logPt, .logEnergy:
            let values = try field(kind == .logPt ? names.pt : names.energy, name)
            return try logarithms(values)
        case .logPtRel, .logEnergyRel:
            let isPt = kind == .logPtRel
            let values = try field(isPt ? names.pt : names.energy, name)
            let jet = try broadcast(try reader.jetField(isPt ? jetNames.pt : jetNames.energy, neededBy: name))
            return try logarithms(zip(values, jet).map(/))
        case .isChargedHadron, .isNeutralHadron, .isPhoton, .isElectron, .isMuon:
            let pdgId = try field(spec.particleIDFields.pdgId, name), charge = try field(spec.particleIDFields.charge, name)
            return zip(pdgId, charge).map { kind.particleIDFlag(pdgId: $0, charge: $1) }
        case .field(let fieldName):
            guard reader.batch.constituentFields[fieldName] != nil else {
                throw JetFeaturesError.unknownVariable(
                    name: name, level: "constituent",
                    available: ConstituentVariable.derived.keys.sorted() + reader.batch.constituentFields.keys.sorted()
                        + spec.newVariables.keys.sorted())
            }
            return try field(fieldName, name)
        }
    }

    /// The jet-level variable `name` (an expression variable, a raw field or `log_<field>`), one value per jet.
    mutating func jet(_ name: String, logFloor: Float? = nil) throws -> [Float] {
        if let expression = spec.newVariables[name] {
            if let values = jetExpressions[name] { return values }
            let values = try evaluate(name, expression, constituentLevel: false)
            jetExpressions[name] = values
            return values
        }
        let kind = JetVariable(name: name)
        guard reader.batch.jetFields[kind.field] != nil else {
            throw JetFeaturesError.unknownVariable(
                name: name, level: "jet",
                available: reader.batch.jetFields.keys.sorted().flatMap { [$0, "log_" + $0] } + spec.newVariables.keys.sorted())
        }
        let field = try reader.jetField(kind.field, neededBy: name)
        guard case .logField = kind else { return field }
        return try RawFeatures.logarithms(of: field, floor: logFloor, variable: name) { (reader.row($0), nil) }
    }

    /// Evaluates an expression variable at one level; a name the batch does not have, or a non-finite result,
    /// is an error naming the variable and the expression.
    private mutating func evaluate(_ name: String, _ text: String, constituentLevel: Bool) throws -> [Float] {
        let expression = try FeatureSpec.compile(name, text)
        var inputs: [[Float]] = []
        for (field, position) in zip(expression.fieldNames, expression.fieldPositions) {
            let isJet = field.hasPrefix(FeatureSpec.jetPrefix)
            let reference = isJet ? String(field.dropFirst(FeatureSpec.jetPrefix.count)) : field
            do {
                if constituentLevel {
                    inputs.append(isJet ? try broadcast(try jet(reference)) : try constituent(reference))
                } else {
                    inputs.append(try jet(reference))
                }
            } catch let JetFeaturesError.unknownVariable(_, level, available) {
                throw JetFeaturesError.unknownExpressionName(
                    variable: name, expression: text, name: field, position: position, level: level + " variable", file: nil,
                    available: available)
            }
        }
        let rows = constituentLevel ? total : reader.batch.count
        let values = expression.evaluate(count: rows, inputs: inputs)
        if let i = values.firstIndex(where: { !$0.isFinite }) {
            let (b, j) = constituentLevel ? Self.position(of: i, offsets: offsets, jets: kept.count) : (i, nil)
            let fileIndex = reader.batch.fileIndices.count == reader.batch.count ? reader.batch.fileIndices[b] : -1
            throw JetFeaturesError.nonFiniteExpression(
                variable: name, expression: text, file: files.indices.contains(fileIndex) ? files[fileIndex] : nil,
                row: reader.row(b), constituent: j, value: values[i])
        }
        return values
    }

    /// The jet and constituent index of packed entry `i`.
    private static func position(of i: Int, offsets: [Int], jets: Int) -> (Int, Int) {
        var low = 0, high = jets - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if offsets[middle] <= i { low = middle } else { high = middle - 1 }
        }
        return (low, i - offsets[low])
    }

    /// The kept constituents' values of a raw constituent field, packed.
    private mutating func field(_ field: String, _ variable: String) throws -> [Float] {
        if let values = fieldCache[field] { return values }
        let inputSlots = reader.batch.maxConstituents
        let values = try reader.constituentField(field, neededBy: variable, kept: kept, inputSlots: inputSlots)
        var packed = [Float](repeating: 0, count: total)
        for b in kept.indices {
            for j in 0..<kept[b] { packed[offsets[b] + j] = values[b * inputSlots + j] }
        }
        fieldCache[field] = packed
        return packed
    }

    /// A jet column repeated over each jet's kept constituents.
    private func broadcast(_ values: [Float]) throws -> [Float] {
        var packed = [Float](repeating: 0, count: total)
        for b in kept.indices {
            for j in 0..<kept[b] { packed[offsets[b] + j] = values[b] }
        }
        return packed
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
