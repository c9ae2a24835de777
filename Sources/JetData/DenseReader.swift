import Foundation
/// Reads the dense layout (JetNet style): `particle_features` (N, M, F) and `jet_features` (N, K),
/// feature names given by the layout or by a names attribute of each dataset.
///
/// Real particles are those whose `maskFeature` is nonzero, or, without such a feature, whose
/// `ptFeature` is nonzero. Event numbers are the row index (these files carry none).
final class DenseReader: LayoutReader {
    let file: String
    let jetCount: Int
    let width: Int
    let jetFieldNames: [String]
    let constituentFieldNames: [String]
    private let layout: DenseLayout
    private let particles: HDF5Dataset
    private let jets: HDF5Dataset?
    private let particleNames: [String]
    private let maskName: String

    var threads = 1 {
        didSet {
            particles.threads = threads
            jets?.threads = threads
        }
    }

    init(file: HDF5File, layout: DenseLayout) throws {
        self.file = file.path
        self.layout = layout
        particles = try file.dataset(layout.particles)
        try particles.require(rank: 3)
        jetCount = particles.shape[0]
        width = particles.shape[1]
        guard jetCount > 0 else { throw JetDataError.emptyFile(file: file.path, dataset: layout.particles) }
        particleNames = try Self.featureNames(
            layout.particleFeatureNames, of: particles, count: particles.shape[2], file: file, attribute: layout.namesAttribute)
        if file.contains(layout.jets) {
            let jets = try file.dataset(layout.jets)
            try jets.require(rank: 2)
            guard jets.shape[0] == jetCount else {
                throw JetDataError.shapeMismatch(
                    file: file.path, dataset: layout.jets, expected: [jetCount, jets.shape[1]], got: jets.shape,
                    reference: layout.particles)
            }
            jetFieldNames = try Self.featureNames(
                layout.jetFeatureNames, of: jets, count: jets.shape[1], file: file, attribute: layout.namesAttribute)
            self.jets = jets
        } else {
            jetFieldNames = []
            jets = nil
        }
        if let mask = layout.maskFeature, particleNames.contains(mask) {
            maskName = mask
        } else if particleNames.contains(layout.ptFeature) {
            maskName = layout.ptFeature
        } else {
            throw JetDataError.missingField(
                file: file.path, dataset: layout.particles, field: layout.maskFeature ?? layout.ptFeature, available: particleNames)
        }
        constituentFieldNames = particleNames.filter { $0 != layout.maskFeature }
    }

    /// Names from the layout, else from the dataset's names attribute; their number must match the last dimension.
    private static func featureNames(
        _ given: [String]?, of dataset: HDF5Dataset, count: Int, file: HDF5File, attribute: String
    ) throws -> [String] {
        guard let names = try given ?? file.nameListAttribute(attribute, of: dataset.name) else {
            throw JetDataError.invalidOption(
                "\(file.path): dataset '\(dataset.name)' has no attribute '\(attribute)' naming its \(count) features; "
                    + "give the names in the layout")
        }
        guard names.count == count else {
            throw JetDataError.invalidOption(
                "\(file.path): dataset '\(dataset.name)' has \(count) features but \(names.count) names (\(names.joined(separator: ", ")))")
        }
        return names
    }

    func dataset(ofJetField field: String) -> String { layout.jets }
    func dataset(ofConstituentField field: String?) -> String { layout.particles }

    func read(rows: Range<Int>, jetFields: [String], constituentFields: [String]) throws -> RawJetRows {
        var result = RawJetRows(count: rows.count, width: width)
        let particleFields = constituentFields + [maskName]
        let particleValues = try particles.readFields(
            rows: rows, try particleFields.map { try particles.extraction(featureIndex: particleNames.firstIndex(of: $0)!) })
        for (name, values) in zip(constituentFields, particleValues.floats) { result.constituentFields[name] = values }
        result.mask = particleValues.floats.last!
        if let jets, !jetFields.isEmpty {
            let jetValues = try jets.readFields(
                rows: rows, try jetFields.map { try jets.extraction(featureIndex: jetFieldNames.firstIndex(of: $0)!) })
            for (name, values) in zip(jetFields, jetValues.floats) { result.jetFields[name] = values }
        }
        result.eventNumbers = rows.map { Int64($0) }
        return result
    }
}
