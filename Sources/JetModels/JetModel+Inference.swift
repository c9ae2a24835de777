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
        let columns = logitCount
        var logits = Matrix(rows: jetCount, columns: columns)
        let forwards = (jetCount + jetsPerForward - 1) / jetsPerForward
        try logits.storage.withUnsafeMutableBufferPointer { out in
            let out = UncheckedPointer(out.baseAddress)
            try ComputeThreads.forEachTask(forwards, makeWorker: { self }) { model, task in
                let range = (task * jetsPerForward)..<min((task + 1) * jetsPerForward, jetCount)
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
