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
    private let extractor: FeatureExtractor

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

    /// Scores every jet of `batch` (its rows stay in order).
    public func score(_ batch: JetBatch) throws -> Scores {
        let classes = classes
        let jets = PackedJets(try extractor.extract(batch))
        switch file.combination {
        case .single:
            return Scores(
                count: batch.count, classes: classes, probabilities: try probabilities(jets, Array(0..<jets.jetCount), member: 0),
                spread: nil)
        case .kfold(let k):
            var result = [Float](repeating: 0, count: batch.count * classes)
            for fold in 0..<k {
                let members = batch.eventNumbers.indices.filter {
                    JetSplit.fold(of: batch.eventNumbers[$0], modulus: k) == fold
                }
                guard !members.isEmpty else { continue }
                let scores = try probabilities(jets, members, member: fold)
                for (position, jet) in members.enumerated() {
                    for c in 0..<classes { result[jet * classes + c] = scores[position * classes + c] }
                }
            }
            return Scores(count: batch.count, classes: classes, probabilities: result, spread: nil)
        case .ensemble(let count):
            let members = try (0..<count).map { try probabilities(jets, Array(0..<jets.jetCount), member: $0) }
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

    /// [n, C] probabilities of member `member` for the jets of `jets` at `indices`.
    private func probabilities(_ jets: PackedJets, _ indices: [Int], member: Int) throws -> [Float] {
        let logits = try models[member].inferenceLogits(jetCount: indices.count) { jets.jets(at: indices[$0]) }
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
