import JetCore

/// One named parameter tensor inside ``Parameters``: where its values sit in the flat buffers.
public struct ParameterSlice: Sendable, Hashable {
    /// Unique name, e.g. "phi.0.weight".
    public let name: String
    /// Row-major shape, e.g. [out, in] for a Dense weight.
    public let shape: [Int]
    /// First index in ``Parameters/values`` and ``Parameters/gradients``.
    public let offset: Int
    /// Number of values (product of `shape`).
    public let count: Int
    /// Whether weight decay and L1/L2 penalties apply (weights: yes; biases and norm parameters: no).
    public let decays: Bool
    /// Whether optimizers update it; false for state that is saved with the model but not trained
    /// (BatchNorm running statistics).
    public let trainable: Bool

    /// Indices of this slice in the flat buffers.
    public var range: Range<Int> { offset..<(offset + count) }
}

/// A named tensor for (de)serialisation: the model file stores each as one dataset.
public struct NamedTensor: Sendable, Equatable {
    public var name: String
    public var shape: [Int]
    public var values: [Float]

    public init(name: String, shape: [Int], values: [Float]) {
        self.name = name
        self.shape = shape
        self.values = values
    }
}

/// All trainable parameters of a model in ONE flat Float32 buffer, with a twin buffer of gradients in the same
/// layout and a list of named entries.
///
/// Layers register their tensors with ``add(_:shape:decays:initializer:fanIn:fanOut:rng:)`` and keep the
/// returned ``ParameterSlice``; forward reads ``values``, backward ACCUMULATES (+=) into ``gradients``, and
/// ``zeroGradients()`` clears them before each batch. Optimizers walk the flat buffers.
public struct Parameters: Sendable {
    /// All parameter values, entry after entry.
    public internal(set) var values: [Float] = []
    /// d(loss)/d(values), same layout.
    public internal(set) var gradients: [Float] = []
    /// The entries in registration order.
    public private(set) var entries: [ParameterSlice] = []

    /// An empty store.
    public init() {}

    /// Total number of scalar parameters.
    public var count: Int { values.count }

    /// Registers a tensor and initialises its values.
    ///
    /// - Parameters:
    ///   - name: unique name (precondition).
    ///   - shape: row-major shape.
    ///   - decays: whether weight decay and L1/L2 penalties apply to it.
    ///   - initializer: how to fill it; `fanIn`/`fanOut` feed the Glorot/He rules.
    ///   - trainable: false for saved state that optimizers must not change (running statistics).
    /// - Returns: the slice a layer keeps to find its values and gradients.
    @discardableResult
    public mutating func add(
        _ name: String, shape: [Int], decays: Bool, initializer: Initializer,
        fanIn: Int, fanOut: Int, trainable: Bool = true, rng: inout SeededGenerator
    ) -> ParameterSlice {
        precondition(entry(named: name) == nil, "Parameters: name '\(name)' is registered twice")
        precondition(shape.allSatisfy { $0 > 0 }, "Parameters: '\(name)' has shape \(shape); every size must be > 0")
        let slice = ParameterSlice(
            name: name, shape: shape, offset: values.count, count: shape.reduce(1, *), decays: decays,
            trainable: trainable)
        values.append(contentsOf: repeatElement(0, count: slice.count))
        gradients.append(contentsOf: repeatElement(0, count: slice.count))
        values.withUnsafeMutableBufferPointer { all in
            let part = UnsafeMutableBufferPointer(rebasing: all[slice.range])
            initializer.fill(part, fanIn: fanIn, fanOut: fanOut, using: &rng)
        }
        entries.append(slice)
        return slice
    }

    /// Registers a tensor with every value equal to `constant` (norm scales and shifts, running statistics).
    @discardableResult
    public mutating func add(
        _ name: String, shape: [Int], decays: Bool, constant: Float, trainable: Bool = true
    ) -> ParameterSlice {
        var unused = SeededGenerator(seed: 0)
        return add(
            name, shape: shape, decays: decays, initializer: .constant(constant), fanIn: 1, fanOut: 1,
            trainable: trainable, rng: &unused)
    }

    /// The entry called `name`, if any.
    public func entry(named name: String) -> ParameterSlice? {
        entries.first { $0.name == name }
    }

    /// Sets every gradient to zero.
    public mutating func zeroGradients() {
        gradients.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    }

    /// A copy of one entry's values.
    public func values(of slice: ParameterSlice) -> [Float] { Array(values[slice.range]) }

    /// A copy of one entry's gradients.
    public func gradients(of slice: ParameterSlice) -> [Float] { Array(gradients[slice.range]) }

    /// Overwrites one entry's values (`newValues.count == slice.count`).
    public mutating func setValues(_ newValues: [Float], of slice: ParameterSlice) {
        precondition(
            newValues.count == slice.count,
            "Parameters.setValues: '\(slice.name)' has \(slice.count) values, got \(newValues.count)")
        values.replaceSubrange(slice.range, with: newValues)
    }

    /// Overwrites one entry's gradients (`newGradients.count == slice.count`).
    public mutating func setGradients(_ newGradients: [Float], of slice: ParameterSlice) {
        precondition(
            newGradients.count == slice.count,
            "Parameters.setGradients: '\(slice.name)' has \(slice.count) values, got \(newGradients.count)")
        gradients.replaceSubrange(slice.range, with: newGradients)
    }

    /// Marks the entries called `names` as not trainable: optimizers skip them (values, moments and momentum stay as
    /// they are, no weight decay) and gradient clipping leaves them out; their gradients are still computed.
    /// Names that are not entries are ignored.
    public mutating func freeze(_ names: Set<String>) {
        entries = entries.map { slice in
            guard names.contains(slice.name) else { return slice }
            return ParameterSlice(
                name: slice.name, shape: slice.shape, offset: slice.offset, count: slice.count, decays: slice.decays,
                trainable: false)
        }
    }

    /// Overwrites every gradient (`newGradients.count == count`), e.g. with a sum over batch parts.
    public mutating func setGradients(_ newGradients: [Float]) {
        precondition(newGradients.count == count, "Parameters.setGradients: \(count) gradients, got \(newGradients.count)")
        gradients = newGradients
    }

    /// Every entry as (name, shape, values), in registration order: what a model file stores.
    public func exportTensors() -> [NamedTensor] {
        entries.map { NamedTensor(name: $0.name, shape: $0.shape, values: values(of: $0)) }
    }

    /// Loads values by name. Every entry must be present with its shape, and no unknown names may appear;
    /// on error nothing is changed.
    public mutating func load(_ tensors: [NamedTensor]) throws(JetNNError) {
        var byName: [String: NamedTensor] = [:]
        for tensor in tensors {
            guard let slice = entry(named: tensor.name) else { throw .unknownParameter(name: tensor.name) }
            guard tensor.shape == slice.shape else {
                throw .parameterShape(name: tensor.name, expected: slice.shape, got: tensor.shape)
            }
            guard tensor.values.count == slice.count else {
                throw .valueCount(name: tensor.name, expected: slice.count, got: tensor.values.count)
            }
            byName[tensor.name] = tensor
        }
        for slice in entries where byName[slice.name] == nil { throw .missingParameter(name: slice.name) }
        for slice in entries { setValues(byName[slice.name]!.values, of: slice) }
    }
}
