import JetCore
import JetNN

/// Jets per inference forward pass unless a caller says otherwise: bounds the memory whatever the reading batch
/// size, and makes the tasks the compute threads share out. `Benchmarks/nn.sh` measures the P-CNN's inference
/// fastest on 32-64 jets and the PFN's about flat from 32 to 1,024 (a Deep Sets model works in cache-sized parts
/// itself, see ``DeepSetsModel/infer(_:)``).
public let defaultJetsPerForward = 64

extension JetModel {
    /// Logits [n, logitCount] of `jetCount` jets in inference mode, forwarded `jetsPerForward` at a time in row order
    /// (`jets` packs the jets of a range).
    ///
    /// With several compute threads each thread forwards whole batches on its own copy of the model (see
    /// ``JetNN/ComputeThreads/forEachTask(_:makeWorker:_:)``), so the logits do not depend on the thread count.
    public func inferenceLogits(
        jetCount: Int, jetsPerForward: Int = defaultJetsPerForward, jets: (Range<Int>) throws -> PackedJets
    ) throws -> Matrix {
        precondition(jetsPerForward > 0, "inferenceLogits: jetsPerForward must be > 0, got \(jetsPerForward)")
        let forwards = stride(from: 0, to: jetCount, by: jetsPerForward).map { $0..<min($0 + jetsPerForward, jetCount) }
        return try inferenceLogits(forwards: forwards, jets: jets)
    }

    /// Logits [n, logitCount] of the jets 0..<n that `forwards` (consecutive ranges from 0) cover, one forward
    /// pass per range: a jet's logits depend only on the range it is forwarded in, so fixed ranges give the
    /// same bits however the jets are read.
    ///
    /// - Parameter dropoutStreams: for Monte-Carlo dropout, the mask streams of the jets of a range (one per jet,
    ///   ``JetNN/DropoutStreams/perJet``); nil forwards without dropout.
    public func inferenceLogits(
        forwards: [Range<Int>], dropoutStreams: ((Range<Int>) -> [SeededGenerator])? = nil,
        jets: (Range<Int>) throws -> PackedJets
    ) throws -> Matrix {
        let columns = logitCount
        var logits = Matrix(rows: forwards.last?.upperBound ?? 0, columns: columns)
        try logits.storage.withUnsafeMutableBufferPointer { out in
            let out = UncheckedPointer(out.baseAddress)
            try ComputeThreads.forEachTask(forwards.count, makeWorker: { self }) { model, task in
                let range = forwards[task]
                model.dropoutStreams.perJet = dropoutStreams?(range)
                let result = try model.infer(try jets(range))
                precondition(
                    result.rows == range.count && result.columns == columns,
                    "inferenceLogits: the jets of \(range) gave logits \(result)")
                result.storage.withUnsafeBufferPointer { values in
                    (out.value! + range.lowerBound * columns).update(from: values.baseAddress!, count: values.count)
                }
            }
        }
        return logits
    }
}

/// A pointer the tasks write disjoint ranges through.
private struct UncheckedPointer: @unchecked Sendable {
    let value: UnsafeMutablePointer<Float>?
    init(_ value: UnsafeMutablePointer<Float>?) { self.value = value }
}
