import JetCore
@testable import JetNN
import JetTestSupport
import Synchronization
import Testing

@Suite struct ComputeThreadsTests {
    /// Every layer that splits its work, run on 1 and on 2 threads: by design (fixed reduction parts, added in
    /// part order) the results are the same bit for bit.
    @Test func twoThreadsGiveTheSameResultsAsOne() throws {
        // 600 jets (2,396 rows) and 2^19+ activations: every loop that can split does (im2col/col2im, the
        // forward row parts, the weight-gradient and BatchNorm parts, pooling, the element-wise passes).
        let multiplicities = (0..<600).map { Int32($0 % 9) }
        let offsets = try JetOffsets(multiplicities: multiplicities, maxConstituents: 8)
        let n = offsets.constituentCount
        var rng = SeededGenerator(seed: 91)
        var parameters = Parameters()
        let conv = Conv1D("conv", inputChannels: 2, outputChannels: 3, kernelSize: 3, parameters: &parameters, rng: &rng)
        let dense = Dense("fc", inputCount: 40, outputCount: 48, activation: .tanh, parameters: &parameters, rng: &rng)
        let norm = BatchNorm("norm", channels: 48, parameters: &parameters)
        let input = randomMatrix(rows: n, columns: 2, seed: 92)
        let dOutput = randomMatrix(rows: n, columns: 3, seed: 93)
        let wide = randomMatrix(rows: n, columns: 40, seed: 95)
        let dWide = randomMatrix(rows: n, columns: 48, seed: 96)
        let large = randomMatrix(rows: 1 << 12, columns: 130, seed: 94)
        func run(threads: Int) -> [String: [Float]] {
            ComputeThreads.set(threads)
            defer { ComputeThreads.set(1) }
            var (convolution, fullyConnected, normalization) = (conv, dense, norm)
            var gradients = parameters
            convolution.forward(input, offsets: offsets, parameters: gradients)
            convolution.backward(&gradients, dOutput: dOutput, offsets: offsets)
            fullyConnected.forward(wide, parameters: gradients)
            normalization.forward(fullyConnected.output, parameters: &gradients, training: true)
            normalization.backward(&gradients, dOutput: dWide, input: fullyConnected.output)
            fullyConnected.backward(&gradients, dOutput: normalization.inputGradient, input: wide)
            var pooling = SetPooling(.max)
            pooling.forward(normalization.output, offsets: offsets)
            pooling.backward(dOutput: pooling.output, offsets: offsets)
            var activation = Activation(.silu)
            activation.forward(large)
            activation.backward(dOutput: large, input: large)
            return [
                "Conv1D output": convolution.output.storage, "Conv1D input gradient": convolution.inputGradient.storage,
                "Dense output": fullyConnected.output.storage, "Dense input gradient": fullyConnected.inputGradient.storage,
                "BatchNorm output": normalization.output.storage, "BatchNorm input gradient": normalization.inputGradient.storage,
                "pooling output": pooling.output.storage, "pooling input gradient": pooling.inputGradient.storage,
                "activation output": activation.output.storage, "activation input gradient": activation.inputGradient.storage,
                "parameter gradients": gradients.gradients, "parameters": gradients.values,
            ]
        }
        let (one, two) = (run(threads: 1), run(threads: 2))
        for (label, values) in one.sorted(by: { $0.key < $1.key }) {
            let differing = zip(values, two[label]!).filter { $0 != $1 }.count
            #expect(differing == 0, "\(label): \(differing) of \(values.count) values differ between 1 and 2 threads")
        }
    }

    /// The parts of a reduction depend on the row count only, cover the rows in order, and each is visited once
    /// whatever the thread count.
    @Test func reductionPartsCoverTheRowsOnce() {
        #expect(RowSplit(100, minimumPerPart: 512).parts == 1)
        #expect(RowSplit(0, minimumPerPart: 512).rows(0) == 0..<0)
        let split = RowSplit(2_396, minimumPerPart: 256)
        #expect(split.parts == 8)
        #expect((0..<split.parts).flatMap { Array(split.rows($0)) } == Array(0..<2_396))
        for threads in [1, 2, 3] {
            ComputeThreads.set(threads)
            defer { ComputeThreads.set(1) }
            var visits = [Int](repeating: 0, count: split.parts)
            visits.withUnsafeMutableBufferPointer { visits in
                split.forEachPart { part, rows in
                    if rows == split.rows(part) { visits[part] += 1 }
                }
            }
            #expect(visits == [Int](repeating: 1, count: split.parts), "\(threads) threads")
        }
    }

    /// Whole tasks share out over the threads: each runs once, a thread keeps its worker across the tasks it takes,
    /// and inside a task (also inline, on one thread) the layers neither split their rows nor use other threads.
    @Test func tasksRunOnceEachWithTheirThreadsWorker() throws {
        for threads in [1, 2] {
            ComputeThreads.set(threads)
            defer { ComputeThreads.set(1) }
            let visits = Mutex([Int](repeating: 0, count: 40))
            let splits = Mutex(Set<[Int]>())
            let workersMade = Atomic<Int>(0)
            try ComputeThreads.forEachTask(40, makeWorker: { workersMade.add(1, ordering: .relaxed).oldValue }) { worker, task in
                visits.withLock { $0[task] += 1 }
                let split = [ComputeThreads.layerThreads, RowSplit(2_396, minimumPerPart: 256).parts]
                splits.withLock { _ = $0.insert(split) }
                // Tasks started inside a task run inline, and leave the outer task's rule in place.
                try ComputeThreads.forEachTask(2, makeWorker: {}) { _, _ in
                    splits.withLock { _ = $0.insert([ComputeThreads.layerThreads, RowSplit(2_396, minimumPerPart: 256).parts]) }
                }
                splits.withLock { _ = $0.insert([ComputeThreads.layerThreads, RowSplit(2_396, minimumPerPart: 256).parts]) }
            }
            #expect(visits.withLock { $0 } == [Int](repeating: 1, count: 40), "\(threads) threads")
            #expect(workersMade.load(ordering: .relaxed) == threads, "\(threads) threads")
            #expect(splits.withLock { $0 } == [[1, 1]], "\(threads) threads")
            #expect(!ComputeThreads.isInsideTask && RowSplit(2_396, minimumPerPart: 256).parts == 8)
        }
    }

    /// An error stops new tasks from starting and is rethrown: the lowest-numbered failure's.
    @Test func aFailedTaskIsRethrown() {
        struct Failure: Error, Equatable { let task: Int }
        for threads in [1, 2] {
            ComputeThreads.set(threads)
            defer { ComputeThreads.set(1) }
            #expect(throws: Failure(task: 3), "\(threads) threads") {
                try ComputeThreads.forEachTask(1_000, makeWorker: {}) { _, task in
                    if task == 3 { throw Failure(task: task) }
                }
            }
        }
    }
}
