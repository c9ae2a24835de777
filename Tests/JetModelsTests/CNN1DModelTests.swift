import JetModels
import JetNN
import JetTestSupport
import Testing

@Suite struct CNN1DModelTests {
    @Test func matchesPyTorch() throws {
        let fixture = try NNFixture<CNN1DConfig>("cnn1d_binary")
        var model = try CNN1DModel(config: fixture.config)
        try checkGradientFixture(&model, fixture)
    }

    @Test func runningStatisticsAndEvaluationMatchPyTorch() throws {
        let fixture = try NNFixture<CNN1DConfig>("cnn1d_running_stats")
        var model = try CNN1DModel(config: fixture.config)
        try checkRunningStatistics(&model, fixture)
    }

    @Test func catchesKernelInPyTorchOrderAndLeakedPadding() throws {
        let fixture = try NNFixture<CNN1DConfig>("cnn1d_binary")
        let batch = try fixture.batch()
        let expected = try fixture.values("logits")

        // The [out, K, in] weight loaded in PyTorch's [out, in, K] order is far from the reference.
        var model = try CNN1DModel(config: fixture.config)
        var tensors = try fixture.parameterTensors(for: model.parameters)
        let index = try #require(tensors.firstIndex { $0.name == "conv.1.weight" })
        let (out, k, inp) = (6, 3, 6)
        let w = tensors[index].values
        tensors[index].values = (0..<(out * k * inp)).map { i in
            let (o, rest) = i.quotientAndRemainder(dividingBy: k * inp)
            let (c, kk) = rest.quotientAndRemainder(dividingBy: k)
            return w[(o * k + kk) * inp + c]
        }
        try model.load(tensors)
        #expect(largestRelativeDifference(try model.forward(batch.jets, training: true).storage, expected) > 1e-2)

        // Treating the padded slots as constituents (a missing mask) is far from the reference too.
        var leaky = try CNN1DModel(config: fixture.config)
        #expect(largestRelativeDifference(try logitsWithPaddingAsConstituents(&leaky, fixture), expected) > 1e-2)
    }
}
