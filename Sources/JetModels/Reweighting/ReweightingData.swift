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
        try forEachBatch(
            source: source, target: target, split: split, extractor: extractor, observables: observables,
            sourceFields: sourceFields, threads: threads
        ) { _, batch in data.append(contentsOf: batch) }
        return data
    }

    /// Reads the jets of `source` and `target` in `split` as ``load(source:target:split:extractor:observables:sourceFields:threads:)``
    /// does, but hands them to `body` a batch at a time (`batchSize` jets, fewer only in each sample's last) instead of
    /// holding them: each batch is the jets of one sample (`label` 0 for the source, 1 for the target; its
    /// `sourceCount` is its jet count for the source, 0 for the target), in file order, the source's first.
    public static func forEachBatch(
        source: ReweightingConfig.Sample, target: ReweightingConfig.Sample, split: JetSplit, extractor: FeatureExtractor,
        observables kept: [JetObservable] = [], sourceFields: [String] = [], batchSize: Int = 10_000, threads: Int,
        _ body: (_ label: Int32, _ batch: ReweightingData) throws -> Void
    ) throws {
        let spec = extractor.spec
        let inputs = ObservableInputs(features: spec, extra: kept)
        for (label, sample) in [source, target].enumerated() {
            let keepFields = label == 0
            let stream = try JetStream(
                files: sample.files,
                options: try inputs.readOptions(
                    jetFields: [sample.weightField] + (keepFields ? sourceFields : []), split: split, selection: sample.selection,
                    batchSize: batchSize, threads: threads))
            let firstRows = stream.jetCounts.reduce(into: [0]) { $0.append($0.last! + $1) }
            var jetCount = 0
            while let raw = try stream.next() {
                let batch = try inputs.augmented(raw)
                var jets = JetSet(featureCount: spec.constituentVariables.count, jetFeatureCount: spec.jetVariables.count)
                jets.append(
                    try extractor.extractPacked(batch), labels: [Int32](repeating: Int32(label), count: batch.count),
                    weights: batch.jetFields[sample.weightField]!, eventNumbers: batch.eventNumbers,
                    fields: Dictionary(uniqueKeysWithValues: sourceFields.map { name in
                        (name, keepFields ? batch.jetFields[name]! : [Float](repeating: .nan, count: batch.count))
                    }))
                var observables: [JetObservable: [Float]] = [:]
                for observable in kept {
                    observables[observable] = try observable.values(
                        in: batch, jetKinematics: spec.jetKinematics, constituentKinematics: spec.constituentKinematics)
                }
                jetCount += batch.count
                try body(
                    Int32(label),
                    ReweightingData(
                        jets: jets, sourceCount: label == 0 ? batch.count : 0, observables: observables,
                        jetIndices: batch.rows.indices.map { Int64(firstRows[batch.fileIndices[$0]] + batch.rows[$0]) }))
            }
            guard jetCount > 0 else {
                throw JetModelsError.invalidData("\(sample.files.joined(separator: ", ")): no jets in split \(split)")
            }
        }
    }

    /// Appends `other`'s jets: source jets only while no target jet is held.
    public mutating func append(contentsOf other: ReweightingData) {
        precondition(other.sourceCount == 0 || targetCount == 0, "ReweightingData: source jets appended after target jets")
        jets.append(contentsOf: other.jets)
        sourceCount += other.sourceCount
        for (observable, values) in other.observables { observables[observable, default: []] += values }
        jetIndices += other.jetIndices
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
