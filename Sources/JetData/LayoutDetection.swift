/// Recognises the layout of the HDF5 file at `path` from its datasets.
///
/// In order: a pandas frame (`table/axis0` and `table/block0_values`), a compound `jets` dataset (with
/// `constituents`, `tracks` or `flow`), dense `particle_features`, columns `jet_*` / `part_*` (with
/// `part_mask`, else a count dataset `jet_nparticles` or `n_particles`).
///
/// - Throws: `JetDataError.undetectableLayout` listing the datasets found, or the file's open error.
public func detectLayout(path: String) throws -> JetFileLayout {
    let file = try HDF5File(readingAt: path)
    if file.contains("table/axis0"), file.contains("table/block0_values") { return .pandas(PandasLayout()) }
    if file.contains("jets"), try file.dataset("jets").isCompound {
        // without any constituent dataset, reading reports the missing `constituents`
        let constituents = ["constituents", "tracks", "flow"].first(where: file.contains) ?? "constituents"
        return .compound(CompoundLayout(jets: "jets", constituents: constituents))
    }
    if file.contains("particle_features") { return .dense(DenseLayout()) }
    let names = file.datasetNames()
    if names.contains(where: { $0.hasPrefix("/jet_") }), names.contains(where: { $0.hasPrefix("/part_") }) {
        if file.contains("part_mask") { return .columns(ColumnsLayout()) }
        for count in ["jet_nparticles", "n_particles"] where file.contains(count) {
            return .columns(ColumnsLayout(mask: nil, count: count))
        }
    }
    throw JetDataError.undetectableLayout(file: path, datasets: names)
}
