import Foundation
import JetCore
import JetData
import JetFeatures
import JetNN

/// Applies a model file to jets: features with the stored standardisation, then class probabilities from
/// every member model, combined as the file says (one model, k-fold by event number, or a seed ensemble), with
/// the file's temperature scaling (``TemperatureCalibration``) and optionally Monte-Carlo dropout.
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
    /// Stochastic passes with dropout on; nil scores each jet once without dropout.
    public let monteCarloDropout: MonteCarloDropout?

    /// Class probabilities of a batch: `probabilities` [B, C] row-major (C = classes), and, for a seed ensemble
    /// or Monte-Carlo dropout, the standard deviation per class over the members and passes `spread` [B, C].
    public struct Scores: Sendable {
        public var count: Int
        public var classes: Int
        public var probabilities: [Float]
        public var spread: [Float]?

        /// The probabilities of class `index` [B].
        public func column(_ index: Int) -> [Float] { (0..<count).map { probabilities[$0 * classes + index] } }

        /// The spread of class `index` [B], nil without an ensemble or Monte-Carlo dropout.
        public func spreadColumn(_ index: Int) -> [Float]? {
            spread.map { s in (0..<count).map { s[$0 * classes + index] } }
        }
    }

    /// - Parameters:
    ///   - monteCarloDropout: passes with dropout on, each jet's masks from its own stream; nil for none.
    ///   - path: the model file's path, named in errors.
    /// - Throws: ``JetModelsError/noDropout(file:kind:)`` for Monte-Carlo dropout of a model without dropout.
    public init(file: ModelFile, monteCarloDropout: MonteCarloDropout? = nil, path: String = "the model file") throws {
        if monteCarloDropout != nil, !(file.architecture.dropout > 0) {
            throw JetModelsError.noDropout(file: path, kind: file.architecture.kind.rawValue)
        }
        self.file = file
        self.monteCarloDropout = monteCarloDropout
        models = try file.makeModels()
        extractor = try FeatureExtractor(spec: file.features)
    }

    /// The number of classes.
    public var classes: Int { file.classNames.count }

    /// Whether ``Scores/spread`` is set: a seed ensemble or Monte-Carlo dropout.
    public var hasSpread: Bool { spreadSource != nil }

    /// What ``Scores/spread`` is over: `ensemble` (the members), `mc_dropout` (the passes) or
    /// `ensemble+mc_dropout` (every pass of every member); nil without a spread.
    public var spreadSource: String? {
        let sources = (file.combination.hasSpread ? ["ensemble"] : []) + (monteCarloDropout == nil ? [] : ["mc_dropout"])
        return sources.isEmpty ? nil : sources.joined(separator: "+")
    }

    /// The temperature the logits are divided by: the file's calibration, else 1.
    public var temperature: Float { Float(file.calibration?.temperature ?? 1) }

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
    ///     whole blocks gives the same bits as any other batching or sharding on block boundaries; Monte-Carlo
    ///     dropout draws a jet's masks by its global row. nil forwards blocks of positions in the batch (and
    ///     keys the masks by position).
    ///   - features: `extractor`'s output for `batch`, when the caller has it already; nil extracts it here.
    ///   - files: the stream's files, named in errors.
    /// - Throws: ``JetModelsError/invalidData(_:)`` naming the file and row of a jet whose score is not finite.
    public func score(
        _ batch: JetBatch, features: PackedFeatureBatch? = nil, globalRows: [Int64]? = nil, files: [String] = []
    ) throws -> Scores {
        let samples = try self.samples(batch, features: features, globalRows: globalRows, files: files) {
            Self.probabilities(logits: $0, temperature: temperature)
        }
        let scores = Self.combine(samples, count: batch.count, classes: classes, spread: hasSpread)
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

    /// The uncalibrated logits of every jet of `batch`, [B, logits] row-major, one array per sample: one for a
    /// single model or k-fold (each jet by the member that did not train on it), one per member of a seed
    /// ensemble, times the Monte-Carlo passes. What a temperature is fitted on; arguments as
    /// ``score(_:features:globalRows:files:)``.
    public func logitSamples(
        _ batch: JetBatch, features: PackedFeatureBatch? = nil, globalRows: [Int64]? = nil, files: [String] = []
    ) throws -> [[Float]] {
        try samples(batch, features: features, globalRows: globalRows, files: files) { $0.storage }
    }

    /// `transform` of the logits of every sample (``logitSamples(_:features:globalRows:files:)``), each [B, W].
    private func samples(
        _ batch: JetBatch, features: PackedFeatureBatch?, globalRows: [Int64]?, files: [String],
        transform: (Matrix) -> [Float]
    ) throws -> [[Float]] {
        let rows = globalRows ?? batch.rows.indices.map(Int64.init)
        let blocks = rows.map { Int($0) / Self.blockSize }
        let jets = PackedJets(try features ?? extractor.extractPacked(batch, files: files))
        let all = Array(0..<jets.jetCount)
        // The jets each member scores: all of them, or a k-fold member's fold.
        let assignments: [[(member: Int, jets: [Int])]] =
            switch file.combination {
            case .single: [[(0, all)]]
            case .kfold(let k):
                [(0..<k).map { fold in
                    (fold, batch.eventNumbers.indices.filter { JetSplit.fold(of: batch.eventNumbers[$0], modulus: k) == fold })
                }]
            case .ensemble(let count): (0..<count).map { [($0, all)] }
            }
        var samples: [[Float]] = []
        for pass in 0..<(monteCarloDropout?.passes ?? 1) {
            for parts in assignments {
                var sample: [Float] = []
                for (member, indices) in parts where !indices.isEmpty {
                    var streams: ((Range<Int>) -> [SeededGenerator])?
                    if let dropout = monteCarloDropout {
                        streams = { range in range.map { dropout.stream(member: member, row: rows[indices[$0]], pass: pass) } }
                    }
                    let values = transform(try logits(jets, indices, blocks: blocks, member: member, streams: streams))
                    if parts.count == 1 {
                        sample = values
                        continue
                    }
                    let width = values.count / indices.count
                    if sample.isEmpty { sample = [Float](repeating: 0, count: batch.count * width) }
                    for (position, jet) in indices.enumerated() {
                        sample.replaceSubrange(
                            (jet * width)..<((jet + 1) * width), with: values[(position * width)..<((position + 1) * width)])
                    }
                }
                samples.append(sample)
            }
        }
        return samples
    }

    /// The mean of `samples` (each [B, C]) and, when `spread`, their standard deviation (over the samples,
    /// divided by their number).
    static func combine(_ samples: [[Float]], count: Int, classes: Int, spread: Bool) -> Scores {
        guard samples.count > 1 || spread else {
            return Scores(count: count, classes: classes, probabilities: samples[0], spread: nil)
        }
        var mean = [Float](repeating: 0, count: count * classes)
        var deviation = mean
        for i in mean.indices {
            let values = samples.map { Double($0[i]) }
            let average = values.reduce(0, +) / Double(samples.count)
            mean[i] = Float(average)
            deviation[i] = Float(
                (values.reduce(0) { $0 + ($1 - average) * ($1 - average) } / Double(samples.count)).squareRoot())
        }
        return Scores(count: count, classes: classes, probabilities: mean, spread: deviation)
    }

    /// Logits [n, logitCount] of member `member` for the jets of `jets` at `indices` (ascending), one forward
    /// pass per run of jets in the same block (`blocks` of every jet of the batch); `streams` gives the
    /// Monte-Carlo dropout streams of the jets of a range of `indices` positions.
    private func logits(
        _ jets: PackedJets, _ indices: [Int], blocks: [Int], member: Int,
        streams: ((Range<Int>) -> [SeededGenerator])?
    ) throws -> Matrix {
        var forwards: [Range<Int>] = []
        var start = 0
        for position in indices.indices where position + 1 == indices.count || blocks[indices[position + 1]] != blocks[indices[position]] {
            forwards.append(start..<(position + 1))
            start = position + 1
        }
        return try models[member].inferenceLogits(forwards: forwards, dropoutStreams: streams) { jets.jets(at: indices[$0]) }
    }

    /// Sigmoid of one logit as [1 - p, p], softmax of several, of the logits divided by `temperature`.
    public static func probabilities(logits: Matrix, temperature: Float = 1) -> [Float] {
        let (rows, columns) = (logits.rows, logits.columns)
        if columns == 1 {
            var result = [Float](repeating: 0, count: rows * 2)
            for row in 0..<rows {
                let p = 1 / (1 + exp(-logits.storage[row] / temperature))
                result[row * 2] = 1 - p
                result[row * 2 + 1] = p
            }
            return result
        }
        var result = logits.storage.map { $0 / temperature }
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
