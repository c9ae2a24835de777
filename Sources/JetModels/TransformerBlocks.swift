import JetCore
import JetNN

/// A transformer's feed-forward sub-block with its residual: y = x + Dropout(FC2(Dropout(GELU(FC1(LN(x)))))).
///
/// Parameters: "<name>.norm.weight|bias", "<name>.0.weight|bias" [hidden, C], "<name>.1.weight|bias" [C, hidden].
struct FeedForwardBlock: Sendable {
    private var norm: LayerNorm
    private var expand: Dense
    private var activation = Activation(.gelu)
    private var innerDropout: Dropout
    private var contract: Dense
    private var outerDropout: Dropout
    private var residual = Residual()
    var output: Matrix { residual.output }
    var inputGradient: Matrix { residual.inputGradient }

    init(_ name: String, width: Int, hidden: Int, dropout: Float, parameters: inout Parameters, rng: inout SeededGenerator) {
        norm = LayerNorm("\(name).norm", channels: width, parameters: &parameters)
        expand = Dense(
            "\(name).0", inputCount: width, outputCount: hidden, weightInitializer: .fanInUniform,
            biasInitializer: .fanInUniform, parameters: &parameters, rng: &rng)
        contract = Dense(
            "\(name).1", inputCount: hidden, outputCount: width, weightInitializer: .fanInUniform,
            biasInitializer: .fanInUniform, parameters: &parameters, rng: &rng)
        innerDropout = Dropout(rate: dropout)
        outerDropout = Dropout(rate: dropout)
    }

    /// `rowsOfJets`: the jets of the rows of `x` for Monte-Carlo dropout (nil: row j is jet j).
    mutating func forward(
        _ x: Matrix, rowsOfJets: JetOffsets?, parameters: Parameters, training: Bool, streams: inout DropoutStreams
    ) {
        norm.forward(x, parameters: parameters)
        expand.forward(norm.output, parameters: parameters)
        activation.forward(expand.output)
        innerDropout.forward(activation.output, training: training, streams: &streams, rowsOfJets: rowsOfJets)
        contract.forward(innerDropout.output, parameters: parameters)
        outerDropout.forward(contract.output, training: training, streams: &streams, rowsOfJets: rowsOfJets)
        residual.forward(x, branchOutput: outerDropout.output)
    }

    mutating func backward(_ parameters: inout Parameters, dOutput: Matrix, input x: Matrix) {
        outerDropout.backward(dOutput: dOutput)
        contract.backward(&parameters, dOutput: outerDropout.inputGradient, input: innerDropout.output)
        innerDropout.backward(dOutput: contract.inputGradient)
        activation.backward(dOutput: innerDropout.inputGradient, input: expand.output)
        expand.backward(&parameters, dOutput: activation.inputGradient, input: norm.output)
        norm.backward(&parameters, dOutput: expand.inputGradient, input: x)
        residual.backward(dOutput: dOutput, branchInputGradient: norm.inputGradient)
    }
}

/// ParT's particle-attention block on packed constituents: x += Dropout(MHA(LN(x), LN(x), LN(x), pair bias)), then
/// the feed-forward block. Parameters: "<name>.attention_norm.*", "<name>.attention.*", "<name>.ffn.*".
struct ParticleAttentionBlock: Sendable {
    private var norm: LayerNorm
    private(set) var attention: MultiHeadAttention
    private var dropout: Dropout
    private var residual = Residual()
    private var feedForward: FeedForwardBlock
    private var attentionGradient = Matrix(rows: 0, columns: 0)
    var output: Matrix { feedForward.output }
    var inputGradient: Matrix { residual.inputGradient }

    init(_ name: String, config: TransformerConfig, parameters: inout Parameters, rng: inout SeededGenerator) {
        norm = LayerNorm("\(name).attention_norm", channels: config.width, parameters: &parameters)
        attention = MultiHeadAttention("\(name).attention", width: config.width, heads: config.heads, parameters: &parameters, rng: &rng)
        dropout = Dropout(rate: config.dropout)
        feedForward = FeedForwardBlock(
            "\(name).ffn", width: config.width, hidden: config.feedForward, dropout: config.dropout,
            parameters: &parameters, rng: &rng)
    }

    mutating func forward(
        _ x: Matrix, offsets: JetOffsets, bias: PairBias?, parameters: Parameters, training: Bool,
        streams: inout DropoutStreams
    ) {
        norm.forward(x, parameters: parameters)
        attention.forward(
            queries: norm.output, queryOffsets: offsets, keysAndValues: norm.output, keyOffsets: offsets, bias: bias,
            parameters: parameters)
        dropout.forward(attention.output, training: training, streams: &streams, rowsOfJets: offsets)
        residual.forward(x, branchOutput: dropout.output)
        feedForward.forward(residual.output, rowsOfJets: offsets, parameters: parameters, training: training, streams: &streams)
    }

    /// Sets ``inputGradient`` and adds d(loss)/d(bias) to `bias.gradient` (with the forward's pair bias).
    mutating func backward(_ parameters: inout Parameters, dOutput: Matrix, input x: Matrix, bias: inout PairBias?) {
        feedForward.backward(&parameters, dOutput: dOutput, input: residual.output)
        dropout.backward(dOutput: feedForward.inputGradient)
        attention.backward(
            &parameters, dOutput: dropout.inputGradient, queries: norm.output, keysAndValues: norm.output, bias: &bias)
        attentionGradient.setSum(attention.queryInputGradient, attention.keyValueInputGradient)
        norm.backward(&parameters, dOutput: attentionGradient, input: x)
        residual.backward(dOutput: feedForward.inputGradient, branchInputGradient: norm.inputGradient)
    }
}

/// ParT's class-attention block: t += Dropout(ClassAttention(x, t)), then the feed-forward block on the tokens.
/// Parameters: "<name>.norm.*", "<name>.attention.*" (``JetNN/ClassAttention``), "<name>.ffn.*".
struct ClassAttentionBlock: Sendable {
    private(set) var attention: ClassAttention
    private var dropout: Dropout
    private var residual = Residual()
    private var feedForward: FeedForwardBlock
    private(set) var tokenGradient = Matrix(rows: 0, columns: 0)

    var output: Matrix { feedForward.output }
    var constituentGradient: Matrix { attention.constituentGradient }

    init(_ name: String, config: TransformerConfig, parameters: inout Parameters, rng: inout SeededGenerator) {
        attention = ClassAttention(name, width: config.width, heads: config.heads, parameters: &parameters, rng: &rng)
        dropout = Dropout(rate: config.dropout)
        feedForward = FeedForwardBlock(
            "\(name).ffn", width: config.width, hidden: config.feedForward, dropout: config.dropout,
            parameters: &parameters, rng: &rng)
    }

    mutating func forward(
        _ x: Matrix, offsets: JetOffsets, tokens: Matrix, parameters: Parameters, training: Bool,
        streams: inout DropoutStreams
    ) {
        attention.forward(x, offsets: offsets, tokens: tokens, parameters: parameters)
        dropout.forward(attention.output, training: training, streams: &streams)
        residual.forward(tokens, branchOutput: dropout.output)
        feedForward.forward(residual.output, rowsOfJets: nil, parameters: parameters, training: training, streams: &streams)
    }

    /// Sets ``tokenGradient`` and ``constituentGradient``.
    mutating func backward(_ parameters: inout Parameters, dOutput: Matrix, tokens: Matrix) {
        feedForward.backward(&parameters, dOutput: dOutput, input: residual.output)
        dropout.backward(dOutput: feedForward.inputGradient)
        attention.backward(&parameters, dOutput: dropout.inputGradient, tokens: tokens)
        tokenGradient.setSum(feedForward.inputGradient, attention.tokenGradient)
    }
}
