import JetData
import JetFeatures

/// The jets of the source (label 0) and target (label 1) samples in one split, held in memory: network inputs
/// with labels and event weights, the closure observables, and each jet's row in its sample's input files.
///
/// Jets 0..<`sourceCount` are the source's, the rest the target's.
public struct ReweightingData: Sendable {
    public var jets: JetSet
    public var sourceCount: Int
    /// Observable -> values [B].
    public var observables: [JetObservable: [Float]]
    /// Row of each jet in its sample's concatenated input files (the `jet_index` of `apply` outputs).
    public var jetIndices: [Int64]

    /// Number of target jets.
    public var targetCount: Int { jets.count - sourceCount }
    /// Indices of the source jets.
    public var sourceRange: Range<Int> { 0..<sourceCount }
    /// Indices of the target jets.
    public var targetRange: Range<Int> { sourceCount..<jets.count }

    /// Reads the jets of `source` and `target` in `split`.
    ///
    /// - Parameters:
    ///   - extractor: a standardised feature extractor for the classifier inputs.
    ///   - observables: closure observables to keep.
    ///   - sourceFields: jet fields of the source files to keep in `jets.fields` (NaN for target jets), e.g.
    ///     weights computed by another tool.
    public static func load(
        source: ReweightingConfig.Sample, target: ReweightingConfig.Sample, split: JetSplit, extractor: FeatureExtractor,
        observables: [JetObservable] = [], sourceFields: [String] = [], threads: Int
    ) throws -> ReweightingData {
        let spec = extractor.spec
        var data = ReweightingData(
            jets: JetSet(featureCount: spec.constituentVariables.count, jetFeatureCount: spec.jetVariables.count),
            sourceCount: 0, observables: [:], jetIndices: [])
        for (label, sample) in [source, target].enumerated() {
            let before = data.jets.count
            try data.append(
                sample, label: Int32(label), split: split, extractor: extractor, observables: observables, fields: sourceFields,
                keepFields: label == 0, threads: threads)
            guard data.jets.count > before else {
                throw JetModelsError.invalidData("\(sample.files.joined(separator: ", ")): no jets in split \(split)")
            }
            if label == 0 { data.sourceCount = data.jets.count }
        }
        return data
    }

    private mutating func append(
        _ sample: ReweightingConfig.Sample, label: Int32, split: JetSplit, extractor: FeatureExtractor,
        observables kept: [JetObservable], fields: [String], keepFields: Bool, threads: Int
    ) throws {
        let spec = extractor.spec
        let inputs = ObservableInputs(features: spec, extra: kept)
        let stream = try JetStream(
            files: sample.files,
            options: try inputs.readOptions(jetFields: [sample.weightField] + (keepFields ? fields : []), split: split, selection: sample.selection, threads: threads))
        let firstRows = stream.jetCounts.reduce(into: [0]) { $0.append($0.last! + $1) }
        while let raw = try stream.next() {
            let batch = try inputs.augmented(raw)
            jets.append(
                try extractor.extractPacked(batch), labels: [Int32](repeating: label, count: batch.count),
                weights: batch.jetFields[sample.weightField]!, eventNumbers: batch.eventNumbers,
                fields: Dictionary(uniqueKeysWithValues: fields.map { name in
                    (name, keepFields ? batch.jetFields[name]! : [Float](repeating: .nan, count: batch.count))
                }))
            for observable in kept {
                observables[observable, default: []] += try observable.values(
                    in: batch, jetKinematics: spec.jetKinematics, constituentKinematics: spec.constituentKinematics)
            }
            jetIndices += batch.rows.indices.map { Int64(firstRows[batch.fileIndices[$0]] + batch.rows[$0]) }
        }
    }

    /// The jets at `indices` (ascending) with new `weights`, observables and jet indices kept aligned.
    public func subset(_ indices: [Int], weights: [Float]) -> ReweightingData {
        ReweightingData(
            jets: jets.subset(indices, weights: weights), sourceCount: indices.filter { $0 < sourceCount }.count,
            observables: observables.mapValues { column in indices.map { column[$0] } },
            jetIndices: indices.map { jetIndices[$0] })
    }

    /// Fits the spec's missing standardisation on the jets of `samples` in `split` (streaming).
    public static func fittedFeatures(
        _ spec: FeatureSpec, samples: [ReweightingConfig.Sample], split: JetSplit, threads: Int
    ) throws -> FeatureSpec {
        guard !spec.isStandardized else { return spec }
        let inputs = ObservableInputs(features: spec)
        var fitter = try StandardizationFitter(spec: spec)
        for sample in samples {
            let stream = try JetStream(
                files: sample.files, options: try inputs.readOptions(split: split, selection: sample.selection, threads: threads))
            while let batch = try stream.next() { try fitter.accumulate(try inputs.augmented(batch)) }
        }
        return try fitter.fittedSpec()
    }
}
