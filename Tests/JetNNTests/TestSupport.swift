import JetCore
import JetNN
import JetTestSupport
import Testing

/// A [rows, columns] matrix of N(0, scale^2) values from `seed`.
func randomMatrix(rows: Int, columns: Int, seed: UInt64, scale: Float = 1) -> Matrix {
    Matrix(rows: rows, columns: columns, storage: randomValues(rows * columns, seed: seed, scale: scale))
}

/// `count` N(0, scale^2) values from `seed`.
func randomValues(_ count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
    var rng = SeededGenerator(seed: seed)
    return (0..<count).map { _ in rng.nextNormal() * scale }
}

/// Values of magnitude >= `margin` with random signs: finite differences of kinked functions (ReLU, max)
/// stay on one side of the kink when the step is smaller than `margin`.
func valuesAwayFromZero(_ count: Int, seed: UInt64, margin: Float = 0.1) -> [Float] {
    randomValues(count, seed: seed).map { $0 >= 0 ? $0 + margin : $0 - margin }
}

/// Checks every trainable entry's accumulated gradient in `parameters` against central finite differences
/// of `scalar`, which recomputes the forward pass with the given parameters.
func checkParameterGradients(
    _ label: String, parameters: Parameters, step: Float = 1e-2, tolerance: Tolerance = .finiteDifference,
    sourceLocation: SourceLocation = #_sourceLocation, scalar: (Parameters) -> Double
) {
    for entry in parameters.entries where entry.trainable {
        checkGradient(
            "\(label) \(entry.name)", analytic: parameters.gradients(of: entry), at: parameters.values(of: entry),
            step: step, tolerance: tolerance, sourceLocation: sourceLocation
        ) { values in
            var perturbed = parameters
            perturbed.setValues(values, of: entry)
            return scalar(perturbed)
        }
    }
}

/// Checks a layer's input gradient for the scalar projection . output(input) against finite differences;
/// `output` runs a fresh forward pass on the perturbed input.
func checkInputGradient(
    _ label: String, analytic: Matrix, input: Matrix, projection: [Float], step: Float = 1e-2,
    sourceLocation: SourceLocation = #_sourceLocation, output: (Matrix) -> Matrix
) {
    checkGradient(label, analytic: analytic.storage, at: input.storage, step: step, sourceLocation: sourceLocation) { x in
        project(output(Matrix(rows: input.rows, columns: input.columns, storage: x)).storage, onto: projection)
    }
}
