import Foundation
import JetData

/// Tiny labelled jet files in the columns layout (`jet_*`, `part_*`, `part_mask`, `event_number`), written
/// through JetData's writer, for training and CLI tests.
///
/// Every jet has pt 500, eta 0, phi 0, energy 600 and 4 to 8 constituents (pt 20..100, energy = 1.2 pt).
/// Class c spreads its constituents uniformly over |deta|, |dphi| < ``spreads``[c] (0.03, 0.3, 0.1): the
/// classes are separable from deta/dphi alone. Labels cycle 0, 1, (2,) 0, ...; event numbers are
/// `firstEventNumber + row`; weights are 1.
public enum SyntheticJetFile {
    public static let slots = 8
    public static let spreads: [Float] = [0.03, 0.3, 0.1]

    /// Writes `count` jets of `classes` (2 or 3) classes to `path`; the same seed writes the same file.
    ///
    /// - Parameter labelNames: the file attribute `label_names` (comma-separated); nil for "background,signal"
    ///   (",other"), "" for none.
    public static func write(
        to path: String, count: Int, seed: UInt64, firstEventNumber: Int = 1000, classes: Int = 2,
        labelNames: String? = nil
    ) throws {
        var state = seed &+ 0x9E37_79B9_7F4A_7C15
        func uniform() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(state >> 40) / Float(1 << 24)
        }
        var columns: [String: [Float]] = [:]
        for name in ["part_pt", "part_eta", "part_phi", "part_energy", "part_mask"] {
            columns[name] = [Float](repeating: 0, count: count * slots)
        }
        for jet in 0..<count {
            let label = jet % classes
            let spread = spreads[label]
            let multiplicity = 4 + Int(uniform() * 5)
            for slot in 0..<multiplicity {
                let index = jet * slots + slot
                let pt = 100 - Float(slot) * 10 - uniform() * 5
                columns["part_pt"]![index] = pt
                columns["part_energy"]![index] = 1.2 * pt
                columns["part_eta"]![index] = spread * (2 * uniform() - 1)
                columns["part_phi"]![index] = spread * (2 * uniform() - 1)
                columns["part_mask"]![index] = 1
            }
            columns["jet_label", default: []].append(Float(label))
        }
        let writer = try HDF5FileWriter(path: path)
        for (name, value) in [
            ("jet_pt", Float(500)), ("jet_eta", 0), ("jet_phi", 0), ("jet_energy", 600), ("jet_weight", 1),
        ] {
            try writer.writeFloats([Float](repeating: value, count: count), shape: [count], to: name)
        }
        try writer.writeFloats(columns["jet_label"]!, shape: [count], to: "jet_label")
        try writer.writeFloats((0..<count).map { Float(firstEventNumber + $0) }, shape: [count], to: "event_number")
        for name in ["part_pt", "part_eta", "part_phi", "part_energy", "part_mask"] {
            try writer.writeFloats(columns[name]!, shape: [count, slots], to: name)
        }
        let names = labelNames ?? ["background", "signal", "other"].prefix(classes).joined(separator: ",")
        if !names.isEmpty { try writer.setAttribute(names, named: "label_names") }
        try writer.commit()
    }

    /// A fresh temporary directory for one test.
    public static func temporaryDirectory(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("jettag-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
