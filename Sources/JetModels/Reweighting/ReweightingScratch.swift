import Foundation
import JetCore
import JetData
import JetFeatures
import JetNN

/// The classifier inputs of a streamed reweighting (`data.inMemory: false`), extracted once from the source and
/// target files into a scratch file beside the output (`<out>/.events.scratch.tmp-<pid>@<host>`), so that the
/// epochs re-read packed inputs instead of HDF5 rows and constituents.
///
/// Four parts, in this order: source and target jets of the training folds, then of the validation folds (the
/// order of ``ReweightingData``'s sets), filled by one pass over the source files and one over the target files.
/// Each part is a run of blocks of ``blockJets`` jets (the last shorter), in file order; a sample's training and
/// validation blocks alternate in the file as the pass fills them. A block holds, one column after another: raw
/// event weights (Float32), event numbers (Int64), the flattening observable (Float32, when
/// `reweighting.flattenIn` is set), jet features [B, K] (Float32), constituent offsets (Int64, B + 1) and
/// constituents [N, F] (Float32; none for an MLP, which reads jet features only). The first columns are read alone
/// by the passes that need only weights.
///
/// With `reweighting.negativeWeights: resample` the Neural Resampler's weights of a part are appended to the file
/// (``replacingTrainingWeights(of:by:)``): the readers then give them in place of the raw weights, which the
/// normalisation still reads (`raw: true`).
///
/// In memory: per block its offset, jets and constituent rows; per part its weight sum. The file is removed by
/// ``remove()`` (``ReweightingRun`` calls it at the end and on error).
final class ReweightingScratch: Sendable {
    /// Jets per block: a multiple of ``defaultJetsPerForward``, so that inference on a block forwards the same
    /// ranges as on a whole part.
    static let blockJets = 16_384

    struct Block: Sendable {
        var offset: UInt64
        var jets: Int
        var constituentRows: Int
        /// Offset of the block's training weights (Float32) when they replace the raw ones.
        var trainingWeights: UInt64?
    }

    /// The jets of one part.
    struct Part: Sendable {
        var label: Int32
        var blocks: [Block] = []
        /// Signed sum of the raw event weights.
        var weightSum = 0.0
        /// Jets with a negative raw weight.
        var negativeCount = 0
        var jetCount: Int { blocks.reduce(0) { $0 + $1.jets } }
    }

    let path: String
    let parts: [Part]
    let featureCount: Int
    let jetFeatureCount: Int
    let hasObservable: Bool
    /// Whether the blocks hold constituents (not for an MLP).
    let storesConstituents: Bool

    private init(
        path: String, parts: [Part], featureCount: Int, jetFeatureCount: Int, hasObservable: Bool, storesConstituents: Bool
    ) {
        (self.path, self.parts, self.featureCount, self.jetFeatureCount, self.hasObservable, self.storesConstituents) =
            (path, parts, featureCount, jetFeatureCount, hasObservable, storesConstituents)
    }

    /// What a block holds once read: jets with raw weights and label, and the observable.
    struct Contents {
        var jets: JetSet
        var observable: [Float]
    }

    /// The columns read by the weight passes alone.
    struct Head {
        var weights: [Float]
        var eventNumbers: [Int64]
        var observable: [Float]
    }

    /// Extracts the classifier inputs of `source` and `target` in the two splits into a new scratch file in
    /// `directory`, and feeds `observe` the label, raw weight and observable of every training-fold jet (for the
    /// flattening edges).
    ///
    /// - Parameters:
    ///   - constituents: whether the classifier reads constituents (not for an MLP).
    ///   - observable: the `flattenIn` observable to store.
    static func extract(
        source: ReweightingConfig.Sample, target: ReweightingConfig.Sample,
        splits: (training: JetSplit, validation: JetSplit), extractor: FeatureExtractor, constituents: Bool,
        observable: JetObservable?, directory: URL, threads: Int,
        observe: (_ label: Int32, _ weight: Float, _ value: Float) -> Void
    ) throws -> ReweightingScratch {
        let path = TemporaryOutput.path(for: directory.appendingPathComponent("events.scratch").path)
        TemporaryOutput.sweepStale(beside: directory.appendingPathComponent("events.scratch").path)
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw FileSystemError(path: path, action: "cannot create the scratch file", error: CocoaError(.fileWriteUnknown))
        }
        defer { try? handle.close() }
        let spec = extractor.spec
        let inputs = ObservableInputs(features: spec, extra: observable.map { [$0] } ?? [])
        var offset: UInt64 = 0
        // parts[label + 2 * split]: source and target of the training folds, then of the validation folds
        var parts = (0..<4).map { Part(label: Int32($0 % 2)) }
        let sampleSplits = [splits.training, splits.validation]
        do {
            for (label, sample) in [(0, source), (1, target)] {
                // One pass over the sample's files fills its training and its validation part.
                var pending = [0, 1].map { _ in
                    Contents(
                        jets: JetSet(featureCount: spec.constituentVariables.count, jetFeatureCount: spec.jetVariables.count),
                        observable: [])
                }
                func flush(_ split: Int, _ count: Int) throws {
                    let index = label + 2 * split
                    let block = Array(0..<count)
                    let bytes = Self.encoded(pending[split], jets: block, constituents: constituents, observable: observable != nil)
                    try FileSystemError.wrapping(path: path, action: "cannot write the scratch file") { try handle.write(contentsOf: bytes) }
                    parts[index].blocks.append(Block(
                        offset: offset, jets: count,
                        constituentRows: constituents ? pending[split].jets.inputs.offsets.offsets[count] : 0))
                    offset += UInt64(bytes.count)
                    let rest = Array(count..<pending[split].jets.count)
                    pending[split] = Contents(
                        jets: pending[split].jets.subset(rest, weights: rest.map { pending[split].jets.weights[$0] }),
                        observable: rest.map { pending[split].observable[$0] })
                }
                let stream = try JetStream(
                    files: sample.files,
                    options: try inputs.readOptions(
                        jetFields: [sample.weightField], selection: sample.selection, batchSize: blockJets, threads: threads))
                while let read = try stream.next() {
                    for (split, jetSplit) in sampleSplits.enumerated() {
                        let members = read.rows.indices.filter { jetSplit.contains($0, of: read) }
                        guard !members.isEmpty else { continue }
                        let batch = try inputs.augmented(members.count == read.count ? read : read.gathering(members))
                        let weights = batch.jetFields[sample.weightField]!
                        let values = try observable.map {
                            try $0.values(in: batch, jetKinematics: spec.jetKinematics, constituentKinematics: spec.constituentKinematics)
                        } ?? []
                        pending[split].jets.append(
                            try extractor.extractPacked(batch, files: stream.files),
                            labels: [Int32](repeating: Int32(label), count: batch.count),
                            weights: weights, eventNumbers: batch.eventNumbers, fields: [:])
                        pending[split].observable += values
                        let index = label + 2 * split
                        for weight in weights {
                            parts[index].weightSum += Double(weight)
                            if weight < 0 { parts[index].negativeCount += 1 }
                        }
                        if split == 0 {
                            for jet in 0..<batch.count { observe(Int32(label), weights[jet], values.isEmpty ? 0 : values[jet]) }
                        }
                        while pending[split].jets.count >= blockJets { try flush(split, blockJets) }
                    }
                }
                for split in 0..<2 where pending[split].jets.count > 0 { try flush(split, pending[split].jets.count) }
                for (split, jetSplit) in sampleSplits.enumerated() where parts[label + 2 * split].jetCount == 0 {
                    throw JetModelsError.invalidData("\(sample.files.joined(separator: ", ")): no jets in split \(jetSplit)")
                }
            }
        } catch {
            unlink(path)
            throw error
        }
        return ReweightingScratch(
            path: path, parts: parts, featureCount: spec.constituentVariables.count,
            jetFeatureCount: spec.jetVariables.count, hasObservable: observable != nil, storesConstituents: constituents)
    }

    /// Removes the file.
    func remove() { unlink(path) }

    /// This scratch file with the training weights of `part` replaced, block by block in order, by `weights` of the
    /// block's contents (raw weights), appended to the file.
    func replacingTrainingWeights(of part: Int, by weights: (Contents) throws -> [Float]) throws -> ReweightingScratch {
        guard let handle = FileHandle(forUpdatingAtPath: path) else {
            throw FileSystemError(path: path, action: "cannot open the scratch file", error: CocoaError(.fileReadNoSuchFile))
        }
        defer { try? handle.close() }
        let reader = try Reader(self)
        var parts = parts
        var offset = try FileSystemError.wrapping(path: path, action: "cannot write the scratch file") { try handle.seekToEnd() }
        for (index, block) in parts[part].blocks.enumerated() {
            let values = try weights(try reader.contents(block, part: part, raw: true))
            precondition(values.count == block.jets, "ReweightingScratch: one training weight per jet")
            try FileSystemError.wrapping(path: path, action: "cannot write the scratch file") {
                try values.withUnsafeBytes { try handle.write(contentsOf: Data($0)) }
            }
            parts[part].blocks[index].trainingWeights = offset
            offset += UInt64(values.count * 4)
        }
        return ReweightingScratch(
            path: path, parts: parts, featureCount: featureCount, jetFeatureCount: jetFeatureCount, hasObservable: hasObservable,
            storesConstituents: storesConstituents)
    }

    private static func encoded(_ contents: Contents, jets: [Int], constituents: Bool, observable: Bool) -> Data {
        let set = contents.jets
        let count = jets.count
        var data = Data()
        func append<T>(_ values: [T]) { values.withUnsafeBytes { data.append(contentsOf: $0) } }
        append(Array(set.weights[0..<count]))
        append(Array(set.eventNumbers[0..<count]))
        if observable { append(Array(contents.observable[0..<count])) }
        if let jetFeatures = set.inputs.jetFeatures { append(Array(jetFeatures.storage[0..<(count * jetFeatures.columns)])) }
        if constituents {
            let offsets = set.inputs.offsets.offsets
            append(offsets[0...count].map { Int64($0) })
            append(Array(set.inputs.constituents.storage[0..<(offsets[count] * set.inputs.constituents.columns)]))
        }
        return data
    }

    /// A reader of blocks for one thread.
    final class Reader {
        let scratch: ReweightingScratch
        private let handle: FileHandle

        init(_ scratch: ReweightingScratch) throws {
            self.scratch = scratch
            guard let handle = FileHandle(forReadingAtPath: scratch.path) else {
                throw FileSystemError(
                    path: scratch.path, action: "cannot open the scratch file", error: CocoaError(.fileReadNoSuchFile))
            }
            self.handle = handle
        }

        deinit { try? handle.close() }

        private func bytes(at offset: UInt64, count: Int) throws -> Data {
            let path = scratch.path
            let data = try FileSystemError.wrapping(path: path, action: "cannot read the scratch file") {
                try handle.seek(toOffset: offset)
                return try handle.read(upToCount: count) ?? Data()
            }
            guard data.count == count else {
                throw JetModelsError.invalidData(
                    "\(path): \(data.count) of \(count) bytes at offset \(offset) (the scratch file was truncated)")
            }
            return data
        }

        private func headSize(_ block: Block) -> Int { block.jets * (scratch.hasObservable ? 16 : 12) }

        private static func column<T>(_ data: Data, from start: inout Int, count: Int, as type: T.Type) -> [T] {
            let size = count * MemoryLayout<T>.stride
            defer { start += size }
            return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
                _ = data.copyBytes(to: UnsafeMutableRawBufferPointer(buffer), from: (data.startIndex + start)..<(data.startIndex + start + size))
                initialized = count
            }
        }

        private func head(_ data: Data, of block: Block, raw: Bool, start: inout Int) throws -> Head {
            var head = Head(
                weights: Self.column(data, from: &start, count: block.jets, as: Float.self),
                eventNumbers: Self.column(data, from: &start, count: block.jets, as: Int64.self),
                observable: scratch.hasObservable ? Self.column(data, from: &start, count: block.jets, as: Float.self) : [])
            if !raw, let offset = block.trainingWeights {
                var weightStart = 0
                head.weights = Self.column(
                    try bytes(at: offset, count: block.jets * 4), from: &weightStart, count: block.jets, as: Float.self)
            }
            return head
        }

        /// The weights (the training weights unless `raw`), event numbers and observable of `block`.
        func head(_ block: Block, raw: Bool = false) throws -> Head {
            var start = 0
            return try head(try bytes(at: block.offset, count: headSize(block)), of: block, raw: raw, start: &start)
        }

        /// Everything `block` of `part` holds (with the training weights unless `raw`).
        func contents(_ block: Block, part: Int, raw: Bool = false) throws -> Contents {
            let (features, jetFeatures) = (scratch.featureCount, scratch.jetFeatureCount)
            let constituents = scratch.storesConstituents
            let size = headSize(block) + block.jets * jetFeatures * 4
                + (constituents ? (block.jets + 1) * 8 + block.constituentRows * features * 4 : 0)
            let data = try bytes(at: block.offset, count: size)
            var start = 0
            let head = try head(data, of: block, raw: raw, start: &start)
            let jetMatrix = jetFeatures > 0
                ? Matrix(
                    rows: block.jets, columns: jetFeatures,
                    storage: Self.column(data, from: &start, count: block.jets * jetFeatures, as: Float.self)) : nil
            let offsets = constituents
                ? Self.column(data, from: &start, count: block.jets + 1, as: Int64.self).map { Int($0) }
                : [Int](repeating: 0, count: block.jets + 1)
            let packed = PackedJets(
                constituents: Matrix(
                    rows: offsets[block.jets], columns: features,
                    storage: constituents ? Self.column(data, from: &start, count: offsets[block.jets] * features, as: Float.self) : []),
                offsets: JetOffsets(offsets: offsets), jetFeatures: jetMatrix)
            return Contents(
                jets: JetSet(
                    inputs: packed, labels: [Int32](repeating: scratch.parts[part].label, count: block.jets),
                    weights: head.weights, eventNumbers: head.eventNumbers, fields: [:]),
                observable: head.observable)
        }
    }

}
