import JetCore

/// Inverted dropout: while active, each element is zeroed with probability `rate` and the survivors are scaled
/// by 1 / (1 - rate), so the expectation is unchanged; inactive it is the identity.
///
/// Active means training, or Monte-Carlo dropout at inference. A training mask comes from one
/// ``SeededGenerator`` for the whole batch; a Monte-Carlo mask from one stream per jet (``DropoutStreams``), so a
/// jet's mask does not depend on the other jets of its batch. Either way runs are reproducible.
public struct Dropout: Sendable {
    public let rate: Float
    /// The last forward's result (a copy of the input when inactive).
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

    /// ``output`` = input * mask when `active` (drawing a new mask from `rng`, element by element in row-major
    /// order), else input.
    public mutating func forward(_ input: Matrix, active: Bool, rng: inout SeededGenerator) {
        apply(to: input, active: active) { m, keep, scale in
            for i in m.indices { m[i] = rng.nextUniform() < keep ? scale : 0 }
        }
    }

    /// ``output`` = input * mask in training (the mask from `streams.training`), or at inference with
    /// Monte-Carlo dropout (`streams.perJet` set): the rows of jet j draw their mask from `streams.perJet[j]`,
    /// element by element in row-major order; else input.
    ///
    /// - Parameter rowsOfJets: which rows of `input` belong to which jet (packed constituents); nil when row j
    ///   is jet j (jet-level matrices).
    public mutating func forward(
        _ input: Matrix, training: Bool, streams: inout DropoutStreams, rowsOfJets: JetOffsets? = nil
    ) {
        if training || streams.perJet == nil {
            forward(input, active: training, rng: &streams.training)
            return
        }
        let jets = rowsOfJets?.jetCount ?? input.rows
        precondition(
            streams.perJet!.count == jets && (rowsOfJets?.constituentCount ?? input.rows) == input.rows,
            "Dropout: \(streams.perJet!.count) jet streams for \(jets) jets of \(input.rows) rows")
        let columns = input.columns
        apply(to: input, active: true) { m, keep, scale in
            for jet in 0..<jets {
                let rows = rowsOfJets?.rows(of: jet) ?? jet..<(jet + 1)
                for i in (rows.lowerBound * columns)..<(rows.upperBound * columns) {
                    m[i] = streams.perJet![jet].nextUniform() < keep ? scale : 0
                }
            }
        }
    }

    /// Records the forward and sets ``output``: input * the mask `draw` fills (given the keep probability and
    /// the survivors' scale) when active with a positive rate, else input.
    private mutating func apply(
        to input: Matrix, active: Bool, draw: (UnsafeMutableBufferPointer<Float>, Float, Float) -> Void
    ) {
        lastForward = (input.rows, input.columns, active)
        guard active && rate > 0 else {
            output.setCopy(of: input)
            return
        }
        let keep = 1 - rate
        mask.removeAll(keepingCapacity: true)
        mask.append(contentsOf: repeatElement(0, count: input.count))
        output.resize(rows: input.rows, columns: input.columns)
        mask.withUnsafeMutableBufferPointer { m in
            draw(m, keep, 1 / keep)
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
            inputGradient.setCopy(of: dOutput)
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

/// The random streams of a model's dropout layers: one for the masks of training batches and, for Monte-Carlo
/// dropout at inference, one per jet of the batch being forwarded.
public struct DropoutStreams: Sendable, Equatable {
    /// The training masks' stream (checkpoints save it so a continued run draws the same masks).
    public var training: SeededGenerator
    /// One stream per jet of the next inference forward pass, consumed by the dropout layers in order; nil for
    /// no dropout at inference.
    public var perJet: [SeededGenerator]?

    public init(training: SeededGenerator, perJet: [SeededGenerator]? = nil) {
        self.training = training
        self.perJet = perJet
    }
}
