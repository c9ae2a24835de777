import JetModels
import JetNN

extension PackedJets {
    /// The jets `range` as a batch of their own (constituent rows, offsets from 0, jet-level feature rows).
    func jets(_ range: Range<Int>) -> PackedJets {
        let rows = offsets.offsets[range.lowerBound]..<offsets.offsets[range.upperBound]
        let width = constituents.columns
        let multiplicities = range.map { Int32(offsets.multiplicity(of: $0)) }
        guard let sliceOffsets = try? JetOffsets(multiplicities: multiplicities, maxConstituents: offsets.maxMultiplicity)
        else { preconditionFailure("PackedJets.jets: multiplicities of an existing batch are always valid") }
        let slice = Matrix(
            rows: rows.count, columns: width,
            storage: Array(constituents.storage[(rows.lowerBound * width)..<(rows.upperBound * width)]))
        let jetSlice = jetFeatures.map { features in
            Matrix(
                rows: range.count, columns: features.columns,
                storage: Array(features.storage[(range.lowerBound * features.columns)..<(range.upperBound * features.columns)]))
        }
        return PackedJets(constituents: slice, offsets: sliceOffsets, jetFeatures: jetSlice)
    }
}
