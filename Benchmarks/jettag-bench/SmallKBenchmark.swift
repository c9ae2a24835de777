import ArgumentParser
import Foundation
import JetCore
import JetNN

/// `jettag-bench smallk`: one thread's GFLOP/s of the small-K products (a PFN's first Dense layer, a CNN's first
/// Conv1D with K = 3 x 7) with JetTag's own kernels against BLAS, in alternated pairs (the ratio of each pair
/// is what a shared machine can measure).
struct SmallKBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smallk", abstract: "Small-K kernels vs BLAS: first Dense layer and first Conv1D, forward and backward.")

    @Option(help: "Jets per batch.") var jets = 256
    @Option(help: "Mean multiplicity; multiplicities are spread uniformly over mean +- 35.") var meanMultiplicity = 76
    @Option(help: "Alternated pairs (kernels, then BLAS).") var pairs = 5
    @Option(help: "Seconds per measurement.") var window = 0.5

    func run() throws {
        ComputeThreads.set(1)
        var rng = SeededGenerator(seed: 1)
        let multiplicities = (0..<jets).map { _ in Int32(max(1, meanMultiplicity - 35 + Int(rng.nextUniform() * 71))) }
        let offsets = try JetOffsets(multiplicities: multiplicities, maxConstituents: meanMultiplicity + 36)
        let n = offsets.constituentCount
        guard let kernels = SmallKKernels.supportedPaths(on: .current).first else {
            throw ValidationError("no small-K kernels for this CPU")
        }
        print("\(jets) jets, N = \(n) constituents, one thread; kernels: \(kernels.description) vs BLAS (\(BLASLibrary.coreName))")

        var parameters = Parameters()
        var cases: [(name: String, flops: Double, body: () -> Void)] = []
        func input(_ columns: Int) -> Matrix {
            Matrix(rows: n, columns: columns, storage: (0..<(n * columns)).map { _ in rng.nextNormal() })
        }
        for (inputCount, outputCount) in [(7, 100), (16, 128)] {
            let x = input(inputCount), dOutput = input(outputCount)
            let flops = 2 * Double(n * inputCount * outputCount)
            var dense = Dense("d\(inputCount)", inputCount: inputCount, outputCount: outputCount, activation: .relu, parameters: &parameters, rng: &rng)
            dense.computesInputGradient = false
            var stack = DenseStack([dense])
            let name = "dense \(inputCount)->\(outputCount) relu"
            cases.append(("\(name) fwd", flops, { dense.forward(x, parameters: parameters) }))
            cases.append(("\(name) bwd dW,db", flops, { dense.backward(&parameters, dOutput: dOutput, input: x) }))
            var withInput = dense
            withInput.computesInputGradient = true
            withInput.forward(x, parameters: parameters)
            cases.append(("\(name) bwd dW,db,dX", 2 * flops, { withInput.backward(&parameters, dOutput: dOutput, input: x) }))
            cases.append(("\(name) stack fwd+bwd", 2 * flops, {
                stack.forward(x, parameters: parameters)
                stack.backward(&parameters, dOutput: dOutput, input: x)
            }))
        }
        do {
            // The PFN's per-constituent network (Benchmarks/nn.sh): the first layer's share of the whole.
            let sizes = [7, 100, 100, 128]
            var stack = DenseStack((0..<3).map { l in
                Dense("phi\(l)", inputCount: sizes[l], outputCount: sizes[l + 1], activation: .relu, parameters: &parameters, rng: &rng)
            })
            let x = input(7), dOutput = input(128)
            let flops = 2 * 2 * Double(n * zip(sizes, sizes.dropFirst()).map(*).reduce(0, +))
            cases.append(("PFN phi 7-100-100-128 fwd+bwd", flops, {
                stack.forward(x, parameters: parameters)
                stack.backward(&parameters, dOutput: dOutput, input: x)
            }))
        }
        do {
            var conv = Conv1D("conv", inputChannels: 7, outputChannels: 64, kernelSize: 3, parameters: &parameters, rng: &rng)
            conv.computesInputGradient = false
            let x = input(7), dOutput = input(64)
            let flops = 2 * Double(n * 21 * 64)
            cases.append(("conv 7->64 K=3 fwd", flops, { conv.forward(x, offsets: offsets, parameters: parameters) }))
            cases.append(("conv 7->64 K=3 bwd dW,db", flops, { conv.backward(&parameters, dOutput: dOutput, offsets: offsets) }))
        }

        print("product (GFLOP/s, best of \(pairs) pairs)     kernels      BLAS   ratio (best / median pair)")
        for item in cases {
            item.body()  // warm-up, and a forward before the first backward
            var rates: [(kernels: Double, blas: Double)] = []
            for _ in 0..<pairs {
                let a = SmallKKernels.withPath(kernels) { rate(item.flops, item.body) }
                let b = SmallKKernels.withPath(.blas) { rate(item.flops, item.body) }
                rates.append((a, b))
            }
            let best = (rates.map(\.kernels).max()!, rates.map(\.blas).max()!)
            let ratios = rates.map { $0.kernels / $0.blas }.sorted()
            print(item.name.padding(toLength: 40, withPad: " ", startingAt: 0)
                + String(format: "%9.1f %9.1f   %5.2fx / %5.2fx", best.0, best.1, best.0 / best.1, ratios[ratios.count / 2]))
        }
    }

    /// GFLOP/s of `body` (`flops` per call), over calls for `window` seconds.
    private func rate(_ flops: Double, _ body: () -> Void) -> Double {
        let clock = ContinuousClock(), start = clock.now
        var calls = 0
        var elapsed = 0.0
        repeat {
            body()
            calls += 1
            let duration = clock.now - start
            elapsed = Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
        } while elapsed < window
        return flops * Double(calls) / elapsed / 1e9
    }
}
