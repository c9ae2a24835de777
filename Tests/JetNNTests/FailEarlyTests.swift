import JetCore
import JetNN
import Testing

/// Misuse stops the program with a message instead of computing garbage (exit tests run in a child process).
@Suite struct FailEarlyTests {
    /// Expects the child process's standard error to contain `message`.
    func expectMessage(_ result: ExitTest.Result?, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let standardError = result.map { String(decoding: $0.standardErrorContent, as: UTF8.self) } ?? ""
        #expect(standardError.contains(message), "stderr: \(standardError)", sourceLocation: sourceLocation)
    }

    @Test func backwardBeforeForwardStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var rng = SeededGenerator(seed: 0)
            var parameters = Parameters()
            var dense = Dense("fc", inputCount: 2, outputCount: 1, parameters: &parameters, rng: &rng)
            dense.backward(&parameters, dOutput: Matrix(rows: 1, columns: 1), input: Matrix(rows: 1, columns: 2))
        }
        expectMessage(result, "Dense: backward before forward")
    }

    @Test func wrongInputWidthStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var rng = SeededGenerator(seed: 0)
            var parameters = Parameters()
            var conv = Conv1D("conv", inputChannels: 3, outputChannels: 2, kernelSize: 3, parameters: &parameters, rng: &rng)
            let offsets = try! JetOffsets(multiplicities: [2], maxConstituents: 2)
            conv.forward(Matrix(rows: 2, columns: 4), offsets: offsets, parameters: parameters)
        }
        expectMessage(result, "Conv1D: input has 4 channels, layer expects 3")
    }

    @Test func duplicateParameterNameStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var rng = SeededGenerator(seed: 0)
            var parameters = Parameters()
            _ = Dense("fc", inputCount: 2, outputCount: 1, parameters: &parameters, rng: &rng)
            _ = Dense("fc", inputCount: 2, outputCount: 1, parameters: &parameters, rng: &rng)
        }
        expectMessage(result, "Parameters: name 'fc.weight' is registered twice")
    }
}
