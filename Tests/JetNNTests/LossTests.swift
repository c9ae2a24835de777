import Foundation
import JetNN
import JetTestSupport
import Testing

/// Checks a loss's d(loss)/d(logits) for [rows, columns] logits against finite differences of the loss itself.
private func checkLossGradient(
    _ label: String, logits: [Float], rows: Int, columns: Int,
    sourceLocation: SourceLocation = #_sourceLocation, loss: (Matrix, inout Matrix) -> Float
) {
    var dLogits = Matrix(rows: 0, columns: 0)
    _ = loss(Matrix(rows: rows, columns: columns, storage: logits), &dLogits)
    var scratch = Matrix(rows: 0, columns: 0)
    checkGradient(label, analytic: dLogits.storage, at: logits, sourceLocation: sourceLocation) { x in
        Double(loss(Matrix(rows: rows, columns: columns, storage: x), &scratch))
    }
}

@Suite struct LossTests {
    static let weights: [Float] = [1.5, -0.5, 0.7, 2, -1.2, 0.3]
    static let normalizations: [LossNormalization] = [.absoluteWeightSum, .weightSum, .exampleCount, .none]

    @Test(arguments: normalizations)
    func binaryCrossEntropyGradient(normalization: LossNormalization) {
        let logits = randomValues(6, seed: 21, scale: 2)
        let targets: [Float] = [1, 0, 1, 0.3, 0, 1]
        let loss = BinaryCrossEntropy(normalization: normalization)
        checkLossGradient("BCE \(normalization)", logits: logits, rows: 6, columns: 1) { x, dx in
            loss.loss(logits: x, targets: targets, weights: Self.weights, dLogits: &dx)
        }
    }

    @Test func binaryCrossEntropyValues() {
        let logits: [Float] = [0, 2, -3, 100, -100]
        let targets: [Float] = [1, 0, 1, 0, 0]
        let weights: [Float] = [1, 2, -1, 0.5, 1]
        var dLogits = Matrix(rows: 0, columns: 0)
        let value = BinaryCrossEntropy().loss(logits: Matrix(rows: 5, columns: 1, storage: logits), targets: targets, weights: weights, dLogits: &dLogits)
        // -log sigmoid(x) for y = 1, -log(1 - sigmoid(x)) for y = 0; the x = 100 term is 100 exactly (no overflow).
        let terms = [log(2.0), 2 + log(1 + exp(-2.0)), 3 + log(1 + exp(-3.0)), 100, log(1 + exp(-100.0))]
        let expected = zip(terms, weights).reduce(0) { $0 + $1.0 * Double($1.1) } / 5.5
        expectClose(value, Float(expected), tolerance: .closedForm, "weighted BCE")
        #expect(dLogits.storage.allSatisfy { $0.isFinite })
        expectClose(dLogits.storage[3], 0.5 / 5.5, tolerance: .closedForm, "BCE gradient at x = 100, y = 0")
    }

    @Test func zeroWeightSumGivesZeroLossAndGradient() {
        var dLogits = Matrix(rows: 0, columns: 0)
        let value = BinaryCrossEntropy().loss(logits: Matrix(rows: 2, columns: 1, storage: [1, 2]), targets: [1, 0], weights: [0, 0], dLogits: &dLogits)
        #expect(value == 0)
        #expect(dLogits.storage == [0, 0])
        let empty = BinaryCrossEntropy().loss(logits: Matrix(rows: 0, columns: 1), targets: [], dLogits: &dLogits)
        #expect(empty == 0)
    }

    @Test(arguments: normalizations)
    func softmaxCrossEntropyGradient(normalization: LossNormalization) {
        let logits = randomValues(6 * 4, seed: 22, scale: 2)
        let labels = [0, 3, 1, 2, 2, 0]
        let loss = SoftmaxCrossEntropy(normalization: normalization)
        checkLossGradient("softmax CE \(normalization)", logits: logits, rows: 6, columns: 4) { x, dx in
            loss.loss(logits: x, labels: labels, weights: Self.weights, dLogits: &dx)
        }
    }

    @Test func softmaxCrossEntropyValues() {
        var dLogits = Matrix(rows: 0, columns: 0)
        // Row 0: uniform over 2 classes, loss log 2. Row 1: huge logits stay finite, loss 1 + log(1 + e^-1).
        let value = SoftmaxCrossEntropy().loss(
            logits: Matrix(rows: 2, columns: 2, storage: [0, 0, 1000, 999]), labels: [1, 1], dLogits: &dLogits)
        expectClose(value, Float((log(2.0) + 1 + log(1 + exp(-1.0))) / 2), tolerance: .closedForm, "softmax CE")
        let s = Float(1 / (1 + exp(-1.0)))
        expectClose(dLogits.storage, [0.25, -0.25, s / 2, (1 - s) / 2 - 0.5], tolerance: .closedForm, "softmax CE gradient")
    }

    @Test(arguments: [(Float(2), Float?.none), (0.5, 0.25), (0, nil)])
    func focalLossGradient(gamma: Float, alpha: Float?) {
        let logits = randomValues(6, seed: 23, scale: 2)
        let targets: [Float] = [1, 0, 1, 0, 1, 0]
        let loss = FocalLoss(gamma: gamma, alpha: alpha)
        checkLossGradient("focal gamma \(gamma)", logits: logits, rows: 6, columns: 1) { x, dx in
            loss.loss(logits: x, targets: targets, weights: Self.weights, dLogits: &dx)
        }
    }

    @Test func focalLossValues() {
        var dLogits = Matrix(rows: 0, columns: 0)
        let logits = Matrix(rows: 2, columns: 1, storage: [0.5, -1])
        let targets: [Float] = [1, 1]
        let p = [1 / (1 + exp(-0.5)), 1 / (1 + exp(1.0))]
        // l = alpha (1 - p)^2 (-log p) for y = 1, alpha = 0.25.
        let expected = p.reduce(0.0) { $0 + 0.25 * pow(1 - $1, 2) * -log($1) } / 2
        let value = FocalLoss(gamma: 2, alpha: 0.25).loss(logits: logits, targets: targets, dLogits: &dLogits)
        expectClose(value, Float(expected), tolerance: .closedForm, "focal loss")
        var bceGradient = Matrix(rows: 0, columns: 0)
        let bce = BinaryCrossEntropy().loss(logits: logits, targets: targets, dLogits: &bceGradient)
        let focalAsBCE = FocalLoss(gamma: 0).loss(logits: logits, targets: targets, dLogits: &dLogits)
        expectClose(focalAsBCE, bce, tolerance: .float32, "focal loss with gamma 0 is BCE")
        expectClose(dLogits.storage, bceGradient.storage, tolerance: .float32, "focal gradient with gamma 0 is BCE's")
    }

    @Test func meanSquaredErrorValueAndGradient() {
        let predictions = randomValues(6 * 2, seed: 24)
        let targets = randomValues(6 * 2, seed: 25)
        var dPredictions = Matrix(rows: 0, columns: 0)
        let loss = MeanSquaredError()
        let value = loss.loss(predictions: Matrix(rows: 6, columns: 2, storage: predictions), targets: targets, weights: Self.weights, dPredictions: &dPredictions)
        var expected = 0.0
        for i in 0..<6 {
            let squares = (0..<2).reduce(0.0) { $0 + pow(Double(predictions[2 * i + $1] - targets[2 * i + $1]), 2) }
            expected += Double(Self.weights[i]) * squares / 2
        }
        expectClose(value, Float(expected / Self.weights.reduce(0) { $0 + Double(abs($1)) }), tolerance: .closedForm, "MSE")
        checkLossGradient("MSE", logits: predictions, rows: 6, columns: 2) { x, dx in
            loss.loss(predictions: x, targets: targets, weights: Self.weights, dPredictions: &dx)
        }
    }
}
