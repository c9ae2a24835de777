import JetCore
import JetNN
import JetTestSupport
import Testing

/// JetTag's small-K kernels (Dense and Conv1D with <= 24 inputs): every instruction set this CPU runs, forced in
/// turn, against a Double reference and against the BLAS path; gradients against finite differences with the
/// kernels on; the same bits for any thread count.
@Suite struct SmallKKernelsTests {
    /// The kernels this CPU runs (SSE2 on every x86-64 CPU; AVX2 and AVX-512 where present) and BLAS.
    static let paths = SmallKKernels.supportedPaths(on: .current) + [.blas]

    /// One Dense layer's forward and backward on `input` with the products computed by `path`.
    struct DenseRun {
        var output: [Float], inputGradient: [Float], gradients: [Float]
    }

    static func runDense(
        _ path: SmallKKernels.Path, inputCount: Int, outputCount: Int, rows: Int, activation: ActivationFunction?,
        bias: Bool
    ) -> (DenseRun, Dense, Parameters, Matrix, Matrix) {
        var rng = SeededGenerator(seed: UInt64(inputCount * 1000 + outputCount))
        var parameters = Parameters()
        var dense = Dense(
            "fc", inputCount: inputCount, outputCount: outputCount, bias: bias, activation: activation,
            biasInitializer: .normal(standardDeviation: 0.5), parameters: &parameters, rng: &rng)
        let input = randomMatrix(rows: rows, columns: inputCount, seed: 11)
        let dOutput = randomMatrix(rows: rows, columns: outputCount, seed: 12)
        SmallKKernels.withPath(path) {
            dense.forward(input, parameters: parameters)
            dense.backward(&parameters, dOutput: dOutput, input: input)
        }
        return (DenseRun(output: dense.output.storage, inputGradient: dense.inputGradient.storage, gradients: parameters.gradients),
                dense, parameters, input, dOutput)
    }

    /// Each value of `actual` against the Double reference `value`, within the Float32 error bound of a sum of
    /// `terms` products: |error| <= terms * 2^-24 * sum |products| (Higham's bound for recursive summation, which
    /// also covers the kernels' fixed tile order and FMA; an index or tile mistake misses it by orders of
    /// magnitude). Float32 inputs are exact in Double, so the reference is exact to about 1e-16.
    static func expectWithinSummationBound(
        _ actual: [Float], _ reference: [(value: Double, magnitude: Double, terms: Int)], _ label: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(actual.count == reference.count, "\(label): \(actual.count) values, expected \(reference.count)", sourceLocation: sourceLocation)
        for (i, (a, r)) in zip(actual, reference).enumerated() {
            let bound = Double(r.terms + 1) * 0x1p-24 * r.magnitude + 1e-30
            if abs(Double(a) - r.value) > bound {
                Issue.record("\(label)[\(i)] = \(a), reference \(r.value), bound \(bound)", sourceLocation: sourceLocation)
                return
            }
        }
    }

    /// Odd sizes: K = 1, 7, 21, 24 (the largest the kernels take), output channels not a multiple of 16 or of a
    /// tile, rows not a multiple of a tile; ReLU fused or none, bias or none.
    @Test(arguments: [(1, 5, 13), (7, 100, 301), (21, 64, 37), (24, 33, 7), (7, 1, 9), (16, 250, 19)])
    func everyInstructionSetMatchesDoubleReference(sizes: (Int, Int, Int)) {
        let (k, n, rows) = sizes
        for path in Self.paths {
            for (activation, bias) in [(ActivationFunction.relu, true), (nil, false), (.tanh, true)] {
                let (run, dense, parameters, input, dOutput) = Self.runDense(
                    path, inputCount: k, outputCount: n, rows: rows, activation: activation, bias: bias)
                let label = "\(path) K=\(k) N=\(n) rows=\(rows) \(activation.map { "\($0)" } ?? "linear")"
                let w = parameters.values(of: dense.weight).map(Double.init)
                let b = dense.bias.map { parameters.values(of: $0).map(Double.init) } ?? [Double](repeating: 0, count: n)
                let x = input.storage.map(Double.init), g = dOutput.storage.map(Double.init)
                // Forward: pre = x w^T + b, then the activation on the kernel's Float pre-activation (tanh's own
                // rounding is not the kernel's business), compared before the activation where it is not ReLU.
                var pre: [(Double, Double, Int)] = []
                for r in 0..<rows {
                    for o in 0..<n {
                        var value = b[o], magnitude = abs(b[o])
                        for c in 0..<k {
                            value += x[r * k + c] * w[o * k + c]
                            magnitude += abs(x[r * k + c] * w[o * k + c])
                        }
                        pre.append((value, magnitude, k + 1))
                    }
                }
                let forward = activation == .relu ? pre.map { (max($0.0, 0), $0.1, $0.2) } : pre
                if activation != .tanh {
                    Self.expectWithinSummationBound(run.output, forward, "\(label) output")
                }
                // Backward: gp = g * f'(pre) from the layer's own Float output, dW = gp^T x, db = sums, dX = gp w.
                let y = run.output.map(Double.init)
                let gp = (0..<(rows * n)).map { i -> Double in
                    switch activation {
                    case .relu: y[i] > 0 ? g[i] : 0
                    case .tanh: g[i] * Double(1 - Float(y[i]) * Float(y[i]))
                    default: g[i]
                    }
                }
                var dW: [(Double, Double, Int)] = [], dB: [(Double, Double, Int)] = []
                for o in 0..<n {
                    for c in 0..<k {
                        let terms = (0..<rows).map { gp[$0 * n + o] * x[$0 * k + c] }
                        dW.append((terms.reduce(0, +), terms.reduce(0) { $0 + abs($1) }, rows))
                    }
                    let column = (0..<rows).map { gp[$0 * n + o] }
                    dB.append((column.reduce(0, +), column.reduce(0) { $0 + abs($1) }, rows))
                }
                // tanh's f' is taken in Float by the layer: allow for it in the magnitude (a relative 2^-22).
                let slack = activation == .tanh ? 8.0 : 1.0
                let widen = { (r: [(Double, Double, Int)]) in r.map { ($0.0, $0.1 * slack, $0.2) } }
                Self.expectWithinSummationBound(Array(run.gradients[0..<(n * k)]), widen(dW), "\(label) dW")
                if bias { Self.expectWithinSummationBound(Array(run.gradients[(n * k)...]), widen(dB), "\(label) db") }
                var dX: [(Double, Double, Int)] = []
                for r in 0..<rows {
                    for c in 0..<k {
                        let terms = (0..<n).map { gp[r * n + $0] * w[$0 * k + c] }
                        dX.append((terms.reduce(0, +), terms.reduce(0) { $0 + abs($1) }, n))
                    }
                }
                Self.expectWithinSummationBound(run.inputGradient, widen(dX), "\(label) dX")
            }
        }
    }

    /// The kernels and BLAS compute the same sums in other orders: Float32 agreement (``Tolerance/float32``).
    @Test func kernelsAgreeWithBLASPath() {
        for path in SmallKKernels.supportedPaths(on: .current) {
            let (kernel, _, _, _, _) = Self.runDense(path, inputCount: 7, outputCount: 100, rows: 500, activation: .relu, bias: true)
            let (blas, _, _, _, _) = Self.runDense(.blas, inputCount: 7, outputCount: 100, rows: 500, activation: .relu, bias: true)
            expectClose(kernel.output, blas.output, tolerance: .float32, "\(path) output vs BLAS")
            expectClose(kernel.inputGradient, blas.inputGradient, tolerance: .float32, "\(path) dX vs BLAS")
            // dW sums 500 rows: compare relative to the gradient's scale.
            let scale = blas.gradients.map(abs).max()!
            expectClose(kernel.gradients.map { $0 / scale }, blas.gradients.map { $0 / scale }, tolerance: .float32, "\(path) dW, db vs BLAS")
        }
    }

    @Test func denseGradientsMatchFiniteDifferencesWithEveryKernel() {
        for path in SmallKKernels.supportedPaths(on: .current) {
            var rng = SeededGenerator(seed: 21)
            var parameters = Parameters()
            var dense = Dense(
                "fc", inputCount: 7, outputCount: 19, activation: .relu, weightInitializer: .glorotNormal,
                biasInitializer: .normal(standardDeviation: 0.5), parameters: &parameters, rng: &rng)
            let input = Matrix(rows: 6, columns: 7, storage: valuesAwayFromZero(42, seed: 22))
            let projection = randomValues(6 * 19, seed: 23)
            SmallKKernels.withPath(path) {
                dense.forward(input, parameters: parameters)
                dense.backward(&parameters, dOutput: Matrix(rows: 6, columns: 19, storage: projection), input: input)
                checkInputGradient("\(path) Dense dInput", analytic: dense.inputGradient, input: input, projection: projection, step: 1e-3) { x in
                    var layer = dense
                    layer.forward(x, parameters: parameters)
                    return layer.output
                }
                checkParameterGradients("\(path) Dense", parameters: parameters, step: 1e-3) { p in
                    var layer = dense
                    layer.forward(input, parameters: p)
                    return project(layer.output.storage, onto: projection)
                }
            }
        }
    }

    /// A first Conv1D (7 channels, K = 3: a 21-wide im2col product) with each kernel.
    @Test func conv1DGradientsMatchFiniteDifferencesWithEveryKernel() throws {
        let offsets = try JetOffsets(multiplicities: [4, 1, 6], maxConstituents: 6)
        for path in SmallKKernels.supportedPaths(on: .current) {
            var rng = SeededGenerator(seed: 31)
            var parameters = Parameters()
            var conv = Conv1D(
                "conv", inputChannels: 7, outputChannels: 18, kernelSize: 3, weightInitializer: .glorotNormal,
                biasInitializer: .normal(standardDeviation: 0.5), parameters: &parameters, rng: &rng)
            let input = randomMatrix(rows: 11, columns: 7, seed: 32)
            let projection = randomValues(11 * 18, seed: 33)
            SmallKKernels.withPath(path) {
                conv.forward(input, offsets: offsets, parameters: parameters)
                conv.backward(&parameters, dOutput: Matrix(rows: 11, columns: 18, storage: projection), offsets: offsets)
                checkInputGradient("\(path) Conv1D dInput", analytic: conv.inputGradient, input: input, projection: projection) { x in
                    var layer = conv
                    layer.forward(x, offsets: offsets, parameters: parameters)
                    return layer.output
                }
                checkParameterGradients("\(path) Conv1D", parameters: parameters) { p in
                    var layer = conv
                    layer.forward(input, offsets: offsets, parameters: p)
                    return project(layer.output.storage, onto: projection)
                }
            }
        }
    }

    /// Dense, DenseStack and Conv1D with the kernels give the same bits on 1 and 2 threads (rows split in parts
    /// whose weight-gradient shares are added in part order).
    @Test func sameBitsForAnyThreadCount() throws {
        let multiplicities = (0..<64).map { Int32(20 + $0 % 37) }
        let offsets = try JetOffsets(multiplicities: multiplicities, maxConstituents: 64)
        let rows = offsets.constituentCount
        let input = randomMatrix(rows: rows, columns: 7, seed: 41)
        func run(threads: Int) -> [[Float]] {
            ComputeThreads.set(threads)
            defer { ComputeThreads.set(1) }
            var rng = SeededGenerator(seed: 42)
            var parameters = Parameters()
            var dense = Dense("fc", inputCount: 7, outputCount: 100, activation: .relu, parameters: &parameters, rng: &rng)
            var stack = DenseStack([
                Dense("s0", inputCount: 7, outputCount: 50, activation: .relu, parameters: &parameters, rng: &rng),
                Dense("s1", inputCount: 50, outputCount: 20, parameters: &parameters, rng: &rng),
            ])
            stack.computesInputGradient = true
            var conv = Conv1D("conv", inputChannels: 7, outputChannels: 40, kernelSize: 3, parameters: &parameters, rng: &rng)
            dense.forward(input, parameters: parameters)
            dense.backward(&parameters, dOutput: randomMatrix(rows: rows, columns: 100, seed: 43), input: input)
            stack.forward(input, parameters: parameters)
            stack.backward(&parameters, dOutput: randomMatrix(rows: rows, columns: 20, seed: 44), input: input)
            conv.forward(input, offsets: offsets, parameters: parameters)
            conv.backward(&parameters, dOutput: randomMatrix(rows: rows, columns: 40, seed: 45), offsets: offsets)
            return [dense.output.storage, dense.inputGradient.storage, stack.output.storage, stack.inputGradient.storage,
                    conv.output.storage, conv.inputGradient.storage, parameters.gradients]
        }
        let kernels = SmallKKernels.supportedPaths(on: .current).first ?? .blas
        let (one, two) = SmallKKernels.withPath(kernels) { (run(threads: 1), run(threads: 2)) }
        for (index, (a, b)) in zip(one, two).enumerated() {
            #expect(a.map(\.bitPattern) == b.map(\.bitPattern), "result \(index) differs between 1 and 2 threads")
        }
    }

    @Test func environmentSelectsThePath() throws {
        let avx512 = CPUFeatures(vendor: "GenuineIntel", extensions: [.sse3, .avx, .avx2, .fma, .avx512f])
        let avx2 = CPUFeatures(vendor: "AuthenticAMD", extensions: [.sse3, .avx, .avx2, .fma])
        let old = CPUFeatures(vendor: "GenuineIntel", extensions: [.sse3, .avx])
        #expect(try SmallKKernels.path(cpu: avx512, environment: [:]) == .avx512)
        #expect(try SmallKKernels.path(cpu: avx2, environment: ["JETTAG_SMALL_K": "auto"]) == .avx2)
        #expect(try SmallKKernels.path(cpu: old, environment: [:]) == .sse2)
        #expect(try SmallKKernels.path(cpu: avx512, environment: ["JETTAG_SMALL_K": "off"]) == .blas)
        #expect(throws: JetNNError.invalidEnvironmentValue(variable: "JETTAG_SMALL_K", value: "on", allowed: ["auto", "off"])) {
            try SmallKKernels.path(cpu: avx512, environment: ["JETTAG_SMALL_K": "on"])
        }
    }
}
