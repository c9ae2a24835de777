import Foundation

/// Reads pandas `to_hdf(format="fixed")` frames as in the public Top Tagging dataset: group `table`
/// with `axis0` (column names) and `block<k>_items` / `block<k>_values` (N, columns of block k).
///
/// Constituents are the columns `E_i, PX_i, PY_i, PZ_i` (i = 0, 1, ...; zero-padded, real where
/// E > 0). Constituent fields: `pt`, `eta`, `phi`, `energy`, `px`, `py`, `pz`, computed from the
/// four-vectors. Jet fields: `pt`, `eta`, `phi`, `mass`, `energy` of the constituent sum (the jet axis),
/// `label` (the layout's label column) and every other column under its own name.
/// These frames carry no event numbers: `eventNumbers` are the row index.
final class PandasReader: LayoutReader {
    static let kinematicJetFields = ["pt", "eta", "phi", "mass", "energy"]
    static let constituentFields = ["pt", "eta", "phi", "energy", "px", "py", "pz"]

    let file: String
    let jetCount: Int
    let width: Int
    let jetFieldNames: [String]
    let constituentFieldNames = PandasReader.constituentFields
    private let layout: PandasLayout
    private let blocks: [HDF5Dataset]
    /// Column name -> (block, position in the block).
    private let columns: [String: (block: Int, position: Int)]

    var threads = 1 { didSet { blocks.forEach { $0.threads = threads } } }

    init(file: HDF5File, layout: PandasLayout) throws {
        self.file = file.path
        self.layout = layout
        var blocks: [HDF5Dataset] = []
        var columns: [String: (block: Int, position: Int)] = [:]
        while file.contains("\(layout.group)/block\(blocks.count)_items") {
            let itemsName = "\(layout.group)/block\(blocks.count)_items"
            let itemsDataset = try file.dataset(itemsName)
            let strings: [String]?
            do {
                strings = try HDF5Strings.read(dataset: itemsDataset.id)
            } catch {
                throw JetDataError.readFailed(file: file.path, dataset: itemsName, rows: 0..<itemsDataset.rowCount, reason: "\(error)")
            }
            guard let items = strings else {
                throw JetDataError.unsupportedType(file: file.path, dataset: itemsName, field: "", type: itemsDataset.typeDescription)
            }
            let values = try file.dataset("\(layout.group)/block\(blocks.count)_values")
            try values.require(rank: 2)
            guard values.shape[1] == items.count, blocks.isEmpty || values.shape[0] == blocks[0].shape[0] else {
                throw JetDataError.shapeMismatch(
                    file: file.path, dataset: values.name, expected: [blocks.first?.shape[0] ?? values.shape[0], items.count],
                    got: values.shape, reference: itemsName)
            }
            for (position, item) in items.enumerated() { columns[item] = (blocks.count, position) }
            blocks.append(values)
        }
        guard let first = blocks.first else {
            throw JetDataError.missingDataset(file: file.path, dataset: "\(layout.group)/block0_values")
        }
        jetCount = first.shape[0]
        guard jetCount > 0 else { throw JetDataError.emptyFile(file: file.path, dataset: first.name) }
        var width = 0
        while columns["E_\(width)"] != nil { width += 1 }
        for index in 0..<width {
            for component in ["PX", "PY", "PZ"] where columns["\(component)_\(index)"] == nil {
                throw JetDataError.missingField(
                    file: file.path, dataset: layout.group, field: "\(component)_\(index)", available: ["E_\(index)"])
            }
        }
        guard width > 0 else {
            throw JetDataError.missingField(
                file: file.path, dataset: layout.group, field: "E_0", available: columns.keys.sorted())
        }
        self.width = width
        self.blocks = blocks
        self.columns = columns
        let fourVectorColumns = Set((0..<width).flatMap { ["E_\($0)", "PX_\($0)", "PY_\($0)", "PZ_\($0)"] })
        let others = columns.keys.filter { !fourVectorColumns.contains($0) && !Self.kinematicJetFields.contains($0) }
        jetFieldNames = Self.kinematicJetFields + (columns[layout.labelColumn] != nil ? ["label"] : []) + others.sorted()
    }

    func dataset(ofJetField field: String) -> String { "\(layout.group)/\(field == "label" ? layout.labelColumn : field)" }
    func dataset(ofConstituentField field: String?) -> String { "\(layout.group)/E_i, PX_i, PY_i, PZ_i" }

    /// Reads the named columns of rows `rows`, block by block: name -> n values.
    private func readColumns(_ names: [String], rows: Range<Int>) throws -> [String: [Float]] {
        var result: [String: [Float]] = [:]
        for (blockIndex, block) in blocks.enumerated() {
            let wanted = names.filter { columns[$0]?.block == blockIndex }
            guard !wanted.isEmpty else { continue }
            let values = try block.readFields(
                rows: rows, try wanted.map { try block.extraction(featureIndex: columns[$0]!.position) })
            for (name, column) in zip(wanted, values.floats) { result[name] = column }
        }
        return result
    }

    func read(rows: Range<Int>, jetFields: [String], constituentFields: [String]) throws -> RawJetRows {
        let count = rows.count
        var result = RawJetRows(count: count, width: width)
        let plainColumns = jetFields.filter { !Self.kinematicJetFields.contains($0) }.map { $0 == "label" ? layout.labelColumn : $0 }
        let fourVectorColumns = (0..<width).flatMap { ["E_\($0)", "PX_\($0)", "PY_\($0)", "PZ_\($0)"] }
        let values = try readColumns(plainColumns + fourVectorColumns, rows: rows)
        for field in jetFields where !Self.kinematicJetFields.contains(field) {
            result.jetFields[field] = values[field == "label" ? layout.labelColumn : field]
        }

        // constituents [n, M] from the four-vectors; jet = sum of the real ones
        let energy = (0..<width).map { values["E_\($0)"]! }, momentumX = (0..<width).map { values["PX_\($0)"]! }
        let momentumY = (0..<width).map { values["PY_\($0)"]! }, momentumZ = (0..<width).map { values["PZ_\($0)"]! }
        // in the order of constituentFields and kinematicJetFields
        var constituents = [[Float]](repeating: [Float](repeating: 0, count: count * width), count: Self.constituentFields.count)
        var jets = [[Float]](repeating: [Float](repeating: 0, count: count), count: Self.kinematicJetFields.count)
        result.mask = [Float](repeating: 0, count: count * width)
        for jet in 0..<count {
            var sum = (px: 0.0, py: 0.0, pz: 0.0, e: 0.0)
            for index in 0..<width where energy[index][jet] > 0 {
                let e = Double(energy[index][jet]), px = Double(momentumX[index][jet])
                let py = Double(momentumY[index][jet]), pz = Double(momentumZ[index][jet])
                let kinematics = Self.kinematics(px: px, py: py, pz: pz)
                let slot = jet * width + index
                result.mask[slot] = 1
                constituents[0][slot] = Float(kinematics.pt)
                constituents[1][slot] = Float(kinematics.eta)
                constituents[2][slot] = Float(kinematics.phi)
                constituents[3][slot] = Float(e)
                constituents[4][slot] = Float(px)
                constituents[5][slot] = Float(py)
                constituents[6][slot] = Float(pz)
                sum = (sum.px + px, sum.py + py, sum.pz + pz, sum.e + e)
            }
            let axis = Self.kinematics(px: sum.px, py: sum.py, pz: sum.pz)
            let mass = max(sum.e * sum.e - sum.px * sum.px - sum.py * sum.py - sum.pz * sum.pz, 0).squareRoot()
            jets[0][jet] = Float(axis.pt)
            jets[1][jet] = Float(axis.eta)
            jets[2][jet] = Float(axis.phi)
            jets[3][jet] = Float(mass)
            jets[4][jet] = Float(sum.e)
        }
        let outputs = Dictionary(uniqueKeysWithValues: zip(Self.constituentFields, constituents))
        let jetOutputs = Dictionary(uniqueKeysWithValues: zip(Self.kinematicJetFields, jets))
        for field in constituentFields { result.constituentFields[field] = outputs[field] }
        for field in jetFields where Self.kinematicJetFields.contains(field) { result.jetFields[field] = jetOutputs[field] }
        result.eventNumbers = rows.map { Int64($0) }
        return result
    }

    /// pt, pseudorapidity and azimuth of a momentum (eta = 0 when pt = 0).
    static func kinematics(px: Double, py: Double, pz: Double) -> (pt: Double, eta: Double, phi: Double) {
        let pt = (px * px + py * py).squareRoot()
        return (pt, pt > 0 ? asinh(pz / pt) : 0, atan2(py, px))
    }
}
