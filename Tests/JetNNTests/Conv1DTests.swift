import JetCore
import JetNN
import JetTestSupport
import Testing

@Suite struct Conv1DTests {
    /// Multiplicities 0, 1, 2 and more than K, in an order that puts the empty jet between others.
    static let multiplicities: [Int32] = [2, 0, 7, 1, 5]

    /// Direct convolution over each jet with zero halo, weights in PyTorch's [Cout, Cin, K] layout.
    func referenceConvolution(
        _ x: Matrix, offsets: JetOffsets, torchWeight: [Float], bias: [Float], outputChannels: Int, kernelSize: Int
    ) -> [Float] {
        let inputChannels = x.columns
        let padding = (kernelSize - 1) / 2
        var out = [Float](repeating: 0, count: x.rows * outputChannels)
        for jet in 0..<offsets.jetCount {
            let rows = offsets.rows(of: jet)
            for t in 0..<rows.count {
                for o in 0..<outputChannels {
                    var sum = Double(bias[o])
                    for k in 0..<kernelSize {
                        let source = t + k - padding
                        guard source >= 0 && source < rows.count else { continue }
                        for c in 0..<inputChannels {
                            sum += Double(torchWeight[(o * inputChannels + c) * kernelSize + k]) * Double(x[rows.lowerBound + source, c])
                        }
                    }
                    out[(rows.lowerBound + t) * outputChannels + o] = Float(sum)
                }
            }
        }
        return out
    }

    @Test(arguments: [1, 3, 4])
    func forwardMatchesDirectConvolutionWithPyTorchWeights(kernelSize: Int) throws {
        let offsets = try JetOffsets(multiplicities: Self.multiplicities, maxConstituents: 7)
        var rng = SeededGenerator(seed: 41)
        var parameters = Parameters()
        var conv = Conv1D("conv", inputChannels: 3, outputChannels: 4, kernelSize: kernelSize, parameters: &parameters, rng: &rng)
        let torchWeight = randomValues(4 * 3 * kernelSize, seed: 42)
        let bias = randomValues(4, seed: 43)
        parameters.setValues(
            Conv1D.weightFromPyTorchLayout(torchWeight, outputChannels: 4, inputChannels: 3, kernelSize: kernelSize),
            of: conv.weight)
        parameters.setValues(bias, of: conv.bias!)
        let input = randomMatrix(rows: offsets.constituentCount, columns: 3, seed: 44)
        conv.forward(input, offsets: offsets, parameters: parameters)
        let expected = referenceConvolution(input, offsets: offsets, torchWeight: torchWeight, bias: bias, outputChannels: 4, kernelSize: kernelSize)
        expectClose(conv.output.storage, expected, tolerance: .float32, "Conv1D K=\(kernelSize)")
    }

    @Test(arguments: [1, 3, 4])
    func gradientsMatchFiniteDifferences(kernelSize: Int) throws {
        let offsets = try JetOffsets(multiplicities: Self.multiplicities, maxConstituents: 7)
        var rng = SeededGenerator(seed: 45)
        var parameters = Parameters()
        var conv = Conv1D(
            "conv", inputChannels: 3, outputChannels: 2, kernelSize: kernelSize,
            biasInitializer: .normal(standardDeviation: 0.3), parameters: &parameters, rng: &rng)
        let n = offsets.constituentCount
        let input = randomMatrix(rows: n, columns: 3, seed: 46)
        let projection = randomValues(n * 2, seed: 47)
        conv.forward(input, offsets: offsets, parameters: parameters)
        conv.backward(&parameters, dOutput: Matrix(rows: n, columns: 2, storage: projection), offsets: offsets)
        checkInputGradient("Conv1D K=\(kernelSize) dInput", analytic: conv.inputGradient, input: input, projection: projection) { x in
            var layer = conv
            layer.forward(x, offsets: offsets, parameters: parameters)
            return layer.output
        }
        checkParameterGradients("Conv1D K=\(kernelSize)", parameters: parameters) { p in
            var layer = conv
            layer.forward(input, offsets: offsets, parameters: p)
            return project(layer.output.storage, onto: projection)
        }
    }

    @Test func pyTorchLayoutConversionMovesKernelAxis() {
        // torch [out 1, in 2, K 3]: in 0 -> [1, 2, 3], in 1 -> [4, 5, 6]; ours [out 1, K 3, in 2].
        #expect(Conv1D.weightFromPyTorchLayout([1, 2, 3, 4, 5, 6], outputChannels: 1, inputChannels: 2, kernelSize: 3)
            == [1, 4, 2, 5, 3, 6])
    }
}
