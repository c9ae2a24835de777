import JetCore

/// Inverted dropout: while active, each element is zeroed with probability `rate` and the survivors are scaled
/// by 1 / (1 - rate), so the expectation is unchanged; inactive it is the identity.
///
/// Active means training, or Monte-Carlo dropout at inference (pass `active: true` there too). The mask
/// comes from the caller's ``SeededGenerator``, so runs are reproducible.
public struct Dropout: Sendable {
    public let rate: Float
    /// The last forward's result (shares the input's storage when inactive).
    public private(set) var output = Matrix(rows: 0, columns: 0)
    /// The last backward's d(loss)/d(input) (overwritten).
    public private(set) var inputGradient = Matrix(rows: 0, columns: 0)
    /// Per element 0 or 1 / (1 - rate) from the last active forward.
    private var mask: [Float] = []
    private var lastForward: (rows: Int, columns: Int, active: Bool)?

    public init(rate: Float) {
        precondition(rate >= 0 && rate < 1, "Dropout: rate must be in [0, 1), got \(rate)")
        self.rate = rate
    }

    /// ``output`` = input * mask when `active` (drawing a new mask from `rng`), else input.
    public mutating func forward(_ input: Matrix, active: Bool, rng: inout SeededGenerator) {
        lastForward = (input.rows, input.columns, active)
        guard active && rate > 0 else {
            output = input
            return
        }
        let keep = 1 - rate
        let scale = 1 / keep
        mask.removeAll(keepingCapacity: true)
        mask.append(contentsOf: repeatElement(0, count: input.count))
        output.resize(rows: input.rows, columns: input.columns)
        mask.withUnsafeMutableBufferPointer { m in
            for i in m.indices { m[i] = rng.nextUniform() < keep ? scale : 0 }
            output.storage.withUnsafeMutableBufferPointer { y in
                input.storage.withUnsafeBufferPointer { x in
                    multiplyElementwise(y.baseAddress, x.baseAddress, UnsafePointer(m.baseAddress), count: m.count)
                }
            }
        }
    }

    /// ``inputGradient`` = dOutput * mask (dOutput when the forward was inactive).
    public mutating func backward(dOutput: Matrix) {
        guard let lastForward else { preconditionFailure("Dropout: backward before forward") }
        precondition(
            dOutput.rows == lastForward.rows && dOutput.columns == lastForward.columns,
            "Dropout: dOutput is \(dOutput), forward was [\(lastForward.rows), \(lastForward.columns)]")
        guard lastForward.active && rate > 0 else {
            inputGradient = dOutput
            return
        }
        inputGradient.resize(rows: dOutput.rows, columns: dOutput.columns)
        inputGradient.storage.withUnsafeMutableBufferPointer { dx in
            dOutput.storage.withUnsafeBufferPointer { dy in
                mask.withUnsafeBufferPointer { m in
                    multiplyElementwise(dx.baseAddress, dy.baseAddress, m.baseAddress, count: m.count)
                }
            }
        }
    }
}
