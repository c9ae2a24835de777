import JetCore
import JetNN

/// The jet-level part every model ends with: hidden Dense + ReLU (fused into the Dense) layers, each followed by
/// dropout (in training, or Monte-Carlo dropout at inference), then an output Dense without activation (the logits).
///
/// Shapes: input [B, C], output [B, outputCount]. Parameters are registered as "<name>.<i>.weight" and
/// "<name>.<i>.bias", i counting the Dense layers (the output layer is the last).
public struct DenseHead: Sendable {
    private var layers: [Dense]
    private var dropouts: [Dropout]

    /// The last forward's result [B, outputCount].
    public var output: Matrix { layers[layers.count - 1].output }
    /// The last backward's d(loss)/d(input) [B, C].
    public var inputGradient: Matrix { layers[0].inputGradient }

    /// Registers the layers in `parameters` (PyTorch's default initialisation: U(+-1/sqrt(fan in))).
    public init(
        _ name: String, inputCount: Int, hiddenSizes: [Int], outputCount: Int, dropout: Float,
        parameters: inout Parameters, rng: inout SeededGenerator
    ) {
        let sizes = [inputCount] + hiddenSizes + [outputCount]
        layers = (0..<(sizes.count - 1)).map { i in
            Dense(
                "\(name).\(i)", inputCount: sizes[i], outputCount: sizes[i + 1],
                activation: i < hiddenSizes.count ? .relu : nil, weightInitializer: .fanInUniform,
                biasInitializer: .fanInUniform, parameters: &parameters, rng: &rng)
        }
        dropouts = hiddenSizes.map { _ in Dropout(rate: dropout) }
    }

    /// Computes ``output`` from input [B, C]; dropout is on in `training` (masks from `streams.training`) and with
    /// Monte-Carlo dropout (`streams.perJet`, one stream per row).
    public mutating func forward(
        _ input: Matrix, parameters: Parameters, training: Bool, streams: inout DropoutStreams
    ) {
        layers[0].forward(input, parameters: parameters)
        for i in dropouts.indices {
            dropouts[i].forward(layers[i].output, training: training, streams: &streams)
            layers[i + 1].forward(dropouts[i].output, parameters: parameters)
        }
    }

    /// Accumulates the parameter gradients and sets ``inputGradient``.
    ///
    /// - Parameters:
    ///   - parameters: receives the gradients (+=).
    ///   - dOutput: d(loss)/d(output) [B, outputCount].
    ///   - input: the input of the last forward [B, C].
    public mutating func backward(_ parameters: inout Parameters, dOutput: Matrix, input: Matrix) {
        var gradient = dOutput
        for i in dropouts.indices.reversed() {
            layers[i + 1].backward(&parameters, dOutput: gradient, input: dropouts[i].output)
            dropouts[i].backward(dOutput: layers[i + 1].inputGradient)
            gradient = dropouts[i].inputGradient
        }
        layers[0].backward(&parameters, dOutput: gradient, input: input)
    }
}
