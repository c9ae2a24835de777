import JetCore
import JetNN
import JetTestSupport
import Testing

/// JetNN's packed layers against PyTorch on padded, masked tensors (PyTorchReference.swift).
@Suite struct PyTorchReferenceTests {
    typealias Reference = PyTorchReference
    /// PyTorch ran in float64: the differences are JetNN's float32 rounding.
    static let tolerance = Tolerance(absolute: 1e-5, relative: 1e-4)

    @Test func conv1DMatchesMaskedPyTorchConv1d() throws {
        let offsets = try JetOffsets(multiplicities: Reference.multiplicities, maxConstituents: Reference.maxConstituents)
        let (inputs, outputs, kernel) = (Reference.inputChannels, Reference.outputChannels, Reference.kernelSize)
        let values = Reference.maskedConv1D
        var rng = SeededGenerator(seed: 0)
        var parameters = Parameters()
        var conv = Conv1D("conv", inputChannels: inputs, outputChannels: outputs, kernelSize: kernel, parameters: &parameters, rng: &rng)
        parameters.setValues(
            Conv1D.weightFromPyTorchLayout(values["torchWeight"]!, outputChannels: outputs, inputChannels: inputs, kernelSize: kernel),
            of: conv.weight)
        parameters.setValues(values["bias"]!, of: conv.bias!)
        let n = offsets.constituentCount
        let input = Matrix(rows: n, columns: inputs, storage: values["input"]!)
        conv.forward(input, offsets: offsets, parameters: parameters)
        conv.backward(&parameters, dOutput: Matrix(rows: n, columns: outputs, storage: values["projection"]!), offsets: offsets)

        expectClose(conv.output.storage, values["output"]!, tolerance: Self.tolerance, "Conv1D output")
        expectClose(conv.inputGradient.storage, values["inputGradient"]!, tolerance: Self.tolerance, "Conv1D input gradient")
        let weightGradient = Conv1D.weightFromPyTorchLayout(
            values["torchWeightGradient"]!, outputChannels: outputs, inputChannels: inputs, kernelSize: kernel)
        expectClose(parameters.gradients(of: conv.weight), weightGradient, tolerance: Self.tolerance, "Conv1D weight gradient")
        expectClose(parameters.gradients(of: conv.bias!), values["biasGradient"]!, tolerance: Self.tolerance, "Conv1D bias gradient")
    }

    @Test func attentionPoolingMatchesMaskedSoftmax() throws {
        let offsets = try JetOffsets(multiplicities: Reference.multiplicities, maxConstituents: Reference.maxConstituents)
        let channels = Reference.outputChannels
        let values = Reference.attentionPooling
        var rng = SeededGenerator(seed: 0)
        var parameters = Parameters()
        var pooling = AttentionPooling("pool", channels: channels, parameters: &parameters, rng: &rng)
        parameters.setValues(values["weight"]!, of: pooling.scoreWeight)
        let input = Matrix(rows: offsets.constituentCount, columns: channels, storage: values["input"]!)
        pooling.forward(input, offsets: offsets, parameters: parameters)
        pooling.backward(
            &parameters, dOutput: Matrix(rows: offsets.jetCount, columns: channels, storage: values["projection"]!),
            input: input, offsets: offsets)

        expectClose(pooling.output.storage, values["output"]!, tolerance: Self.tolerance, "attention output")
        expectClose(pooling.inputGradient.storage, values["inputGradient"]!, tolerance: Self.tolerance, "attention input gradient")
        expectClose(parameters.gradients(of: pooling.scoreWeight), values["weightGradient"]!, tolerance: Self.tolerance, "attention weight gradient")
    }
}
