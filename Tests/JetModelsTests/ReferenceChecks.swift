import JetModels
import JetNN
import JetTestSupport
import Testing

/// The weighted loss the fixtures use: BCE on one logit, softmax cross-entropy on several; sum(w l) / sum|w|.
func referenceLoss(logits: Matrix, batch: FixtureBatch, dLogits: inout Matrix) -> Float {
    if logits.columns == 1 {
        return BinaryCrossEntropy().loss(logits: logits, targets: batch.labels, weights: batch.weights, dLogits: &dLogits)
    }
    return SoftmaxCrossEntropy().loss(
        logits: logits, labels: batch.labels.map { Int($0) }, weights: batch.weights, dLogits: &dLogits)
}

/// Loads the fixture's parameters into `model`, runs one training forward + backward on its batch and compares
/// logits, loss, every parameter gradient, the running statistics after the step and the input gradients.
func checkGradientFixture<Model: JetModel, Config>(
    _ model: inout Model, _ fixture: NNFixture<Config>, sourceLocation: SourceLocation = #_sourceLocation
) throws {
    try model.load(fixture.parameterTensors(for: model.parameters))
    let batch = try fixture.batch()
    let label = fixture.name
    model.parameters.zeroGradients()
    let logits = try model.forward(batch.jets, training: true)
    expectClose(logits.storage, try fixture.values("logits"), label + " logits", sourceLocation: sourceLocation)
    var dLogits = Matrix(rows: 0, columns: 0)
    let loss = referenceLoss(logits: logits, batch: batch, dLogits: &dLogits)
    expectClose(loss, try fixture.scalar("loss"), label + " loss", sourceLocation: sourceLocation)
    model.backward(dLogits: dLogits, computeInputGradient: true)

    for entry in model.parameters.entries {
        if entry.trainable {
            expectClose(
                model.parameters.gradients(of: entry), try fixture.values("grad." + entry.name),
                "\(label) d(loss)/d(\(entry.name))", sourceLocation: sourceLocation)
        } else {
            expectClose(
                model.parameters.values(of: entry), try fixture.values("after." + entry.name),
                "\(label) \(entry.name) after one training forward", sourceLocation: sourceLocation)
        }
    }
    let inputGradient = batch.jets.offsets.unpack(model.inputGradient, maxConstituents: batch.maxConstituents)
    expectClose(inputGradient, try fixture.values("grad.inputs"), label + " d(loss)/d(inputs)", sourceLocation: sourceLocation)
    if fixture.tensors["grad.jet_features"] != nil {
        let jetFeatureGradient = try #require(model.jetFeatureGradient, "\(label): no jet-feature gradient")
        expectClose(
            jetFeatureGradient.storage, try fixture.values("grad.jet_features"), label + " d(loss)/d(jet features)",
            sourceLocation: sourceLocation)
    }
}

/// Largest |a - b| / max(|b|, 1e-3): how far a perturbed model is from the reference (for the can-fail tests).
func largestRelativeDifference(_ a: [Float], _ b: [Float]) -> Float {
    zip(a, b).map { abs($0 - $1) / max(abs($1), 1e-3) }.max() ?? 0
}

/// Logits of `model` with the fixture's parameters when every padded slot is taken for a constituent: what a
/// model that ignored the mask would compute (the junk in the padding makes it far from the reference).
func logitsWithPaddingAsConstituents<Model: JetModel, Config>(_ model: inout Model, _ fixture: NNFixture<Config>) throws -> [Float] {
    try model.load(fixture.parameterTensors(for: model.parameters))
    let inputs = try fixture.tensor("inputs")
    let all = [Int32](repeating: Int32(inputs.shape[1]), count: inputs.shape[0])
    let padded = try PackedJets(padded: inputs.data, multiplicities: all, maxConstituents: inputs.shape[1], features: inputs.shape[2])
    return try model.forward(padded, training: true).storage
}
