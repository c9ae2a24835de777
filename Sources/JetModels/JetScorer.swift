import Foundation
import JetData
import JetFeatures
import JetNN

/// Applies a model file to jets: features with the stored standardisation, then class probabilities from
/// every member model, combined as the file says (one model, k-fold by event number, or a seed ensemble).
///
/// ```swift
/// var scorer = try JetScorer(file: try ModelFile.read(from: "run/model.h5"))
/// let stream = try JetStream(files: inputs, options: scorer.readOptions(batchSize: 10_000, threads: 1))
/// while let batch = try stream.next() { let scores = try scorer.score(batch) }
/// ```
public struct JetScorer {
    public let file: ModelFile
    private let models: [any JetModel]
    /// The model file's features with their stored standardisation: what ``score(_:features:globalRows:files:)`` takes.
    public let extractor: FeatureExtractor

    /// Class probabilities of a batch: `probabilities` [B, C] row-major (C = classes), and for ensembles the
    /// members' standard deviation per class `spread` [B, C].
    public struct Scores: Sendable {
        public var count: Int
        public var classes: Int
        public var probabilities: [Float]
        public var spread: [Float]?

        /// The probabilities of class `index` [B].
        public func column(_ index: Int) -> [Float] { (0..<count).map { probabilities[$0 * classes + index] } }

        /// The spread of class `index` [B], nil without an ensemble.
        public func spreadColumn(_ index: Int) -> [Float]? {
            spread.map { s in (0..<count).map { s[$0 * classes + index] } }
        }
    }

    public init(file: ModelFile) throws {
        self.file = file
        models = try file.makeModels()
        extractor = try FeatureExtractor(spec: file.features)
    }

    /// The number of classes.
    public var classes: Int { file.classNames.count }

    /// The fields a stream must read for this model; the layout is the training config's (nil: detect).
    public func readOptions(batchSize: Int, threads: Int) -> JetReadOptions {
        JetReadOptions(
            layout: file.trainingConfig.data.layout, jetFields: file.features.requiredJetFields,
            constituentFields: file.features.requiredConstituentFields, maxConstituents: file.features.maxConstituents,
            batchSize: batchSize, threads: threads)
    }

    /// Jets per forward pass of ``score(_:globalRows:files:)`` with global rows: the block of jet i is
    /// i / blockSize.
    public static let blockSize = defaultJetsPerForward

    /// Scores every jet of `batch` (its rows stay in order).
    ///
    /// - Parameters:
    ///   - globalRows: each jet's row in the concatenated inputs, ascending: the jets of one block
    ///     (``blockSize``) of global rows are forwarded together and nothing else with them, so a batch holding
    ///     whole blocks gives the same bits as any other batching or sharding on block boundaries. nil forwards
    ///     blocks of positions in the batch.
    ///   - features: `extractor`'s output for `batch`, when the caller has it already; nil extracts it here.
    ///   - files: the stream's files, named in errors.
    /// - Throws: ``JetModelsError/invalidData(_:)`` naming the file and row of a jet whose score is not finite.
    public func score(
        _ batch: JetBatch, features: FeatureBatch? = nil, globalRows: [Int64]? = nil, files: [String] = []
    ) throws -> Scores {
        let blocks = globalRows.map { $0.map { Int($0) / Self.blockSize } } ?? batch.rows.indices.map { $0 / Self.blockSize }
        let scores = try score(PackedJets(try features ?? extractor.extract(batch, files: files)), batch: batch, blocks: blocks)
        if let bad = scores.probabilities.firstIndex(where: { !$0.isFinite }) {
            let jet = bad / classes
            let fileIndex = batch.fileIndices.isEmpty ? nil : batch.fileIndices[jet]
            let file = fileIndex.flatMap { files.indices.contains($0) ? files[$0] : nil } ?? "input"
            throw JetModelsError.invalidData(
                "\(file): jet row \(batch.rows.isEmpty ? jet : batch.rows[jet]): the model's score is \(scores.probabilities[bad]); "
                    + "the jet's input features hold huge or non-finite values (check the fields with jettag inspect)")
        }
        return scores
    }

    private func score(_ jets: PackedJets, batch: JetBatch, blocks: [Int]) throws -> Scores {
        let classes = classes
        switch file.combination {
        case .single:
            return Scores(
                count: batch.count, classes: classes,
                probabilities: try probabilities(jets, Array(0..<jets.jetCount), blocks: blocks, member: 0), spread: nil)
        case .kfold(let k):
            var result = [Float](repeating: 0, count: batch.count * classes)
            for fold in 0..<k {
                let members = batch.eventNumbers.indices.filter {
                    JetSplit.fold(of: batch.eventNumbers[$0], modulus: k) == fold
                }
                guard !members.isEmpty else { continue }
                let scores = try probabilities(jets, members, blocks: blocks, member: fold)
                for (position, jet) in members.enumerated() {
                    for c in 0..<classes { result[jet * classes + c] = scores[position * classes + c] }
                }
            }
            return Scores(count: batch.count, classes: classes, probabilities: result, spread: nil)
        case .ensemble(let count):
            let members = try (0..<count).map {
                try probabilities(jets, Array(0..<jets.jetCount), blocks: blocks, member: $0)
            }
            var mean = [Float](repeating: 0, count: batch.count * classes)
            var spread = mean
            for i in mean.indices {
                let values = members.map { Double($0[i]) }
                let average = values.reduce(0, +) / Double(count)
                mean[i] = Float(average)
                spread[i] = Float(
                    (values.reduce(0) { $0 + ($1 - average) * ($1 - average) } / Double(count)).squareRoot())
            }
            return Scores(count: batch.count, classes: classes, probabilities: mean, spread: spread)
        }
    }

    /// [n, C] probabilities of member `member` for the jets of `jets` at `indices` (ascending), one forward pass
    /// per run of jets in the same block (`blocks` of every jet of the batch).
    private func probabilities(_ jets: PackedJets, _ indices: [Int], blocks: [Int], member: Int) throws -> [Float] {
        var forwards: [Range<Int>] = []
        var start = 0
        for position in indices.indices where position + 1 == indices.count || blocks[indices[position + 1]] != blocks[indices[position]] {
            forwards.append(start..<(position + 1))
            start = position + 1
        }
        let logits = try models[member].inferenceLogits(forwards: forwards) { jets.jets(at: indices[$0]) }
        return Self.probabilities(logits: logits)
    }

    /// Sigmoid of one logit as [1 - p, p], softmax of several.
    static func probabilities(logits: Matrix) -> [Float] {
        let (rows, columns) = (logits.rows, logits.columns)
        if columns == 1 {
            var result = [Float](repeating: 0, count: rows * 2)
            for row in 0..<rows {
                let p = 1 / (1 + exp(-logits.storage[row]))
                result[row * 2] = 1 - p
                result[row * 2 + 1] = p
            }
            return result
        }
        var result = logits.storage
        for row in 0..<rows {
            let values = result[(row * columns)..<((row + 1) * columns)]
            let maximum = values.max()!
            var sum: Float = 0
            for c in 0..<columns {
                result[row * columns + c] = exp(result[row * columns + c] - maximum)
                sum += result[row * columns + c]
            }
            for c in 0..<columns { result[row * columns + c] /= sum }
        }
        return result
    }
}
