/// A residual connection y = x + f(x), where f is any branch of layers with the same output shape as x.
///
/// Backward: the gradient dy flows to both paths: the caller passes dy into the branch's backward (it is the
/// branch output's gradient) and then gives the branch's input gradient here; ``inputGradient`` =
/// dy + branch input gradient is d(loss)/d(x).
public struct Residual: Sendable {
    /// The last forward's x + f(x).
    public private(set) var output = Matrix(rows: 0, columns: 0)
    /// The last backward's d(loss)/d(x).
    public private(set) var inputGradient = Matrix(rows: 0, columns: 0)
    private var forwardShape: (rows: Int, columns: Int)?

    public init() {}

    /// ``output`` = input + branchOutput.
    public mutating func forward(_ input: Matrix, branchOutput: Matrix) {
        precondition(
            input.rows == branchOutput.rows && input.columns == branchOutput.columns,
            "Residual: branch output \(branchOutput) does not match input \(input)")
        forwardShape = (input.rows, input.columns)
        output.setSum(input, branchOutput)
    }

    /// ``inputGradient`` = dOutput + branchInputGradient.
    ///
    /// - Parameters:
    ///   - dOutput: d(loss)/d(y), also the gradient the branch's backward received.
    ///   - branchInputGradient: the branch's d(loss)/d(x).
    public mutating func backward(dOutput: Matrix, branchInputGradient: Matrix) {
        guard let forwardShape else { preconditionFailure("Residual: backward before forward") }
        precondition(
            dOutput.rows == forwardShape.rows && dOutput.columns == forwardShape.columns,
            "Residual: dOutput is \(dOutput), forward was [\(forwardShape.rows), \(forwardShape.columns)]")
        precondition(
            branchInputGradient.rows == forwardShape.rows && branchInputGradient.columns == forwardShape.columns,
            "Residual: branch input gradient is \(branchInputGradient), forward was [\(forwardShape.rows), \(forwardShape.columns)]")
        inputGradient.setSum(dOutput, branchInputGradient)
    }
}
