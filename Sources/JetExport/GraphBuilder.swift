/// Builds an ``ONNXGraph`` node by node: each operator gets a unique node and output name made from a hint,
/// constants become initializers (one per hint and value: asking again for the same small constant returns the
/// first), and nodes stay in the order added (a topological order, as ONNX requires).
struct GraphBuilder {
    private(set) var nodes: [ONNXNode] = []
    private(set) var initializers: [ONNXTensor] = []
    private var usedNames: Set<String> = []
    /// Initializer index by hint, for reusing an identical constant.
    private var constantsByHint: [String: [Int]] = [:]

    /// A fresh name from `hint` (the hint itself, or with a numeric suffix).
    private mutating func unique(_ hint: String) -> String {
        var name = hint
        var suffix = 1
        while usedNames.contains(name) {
            name = "\(hint)_\(suffix)"
            suffix += 1
        }
        usedNames.insert(name)
        return name
    }

    /// Reserves the names of the graph's inputs.
    mutating func reserve(_ name: String) {
        precondition(usedNames.insert(name).inserted, "GraphBuilder: the name '\(name)' is taken")
    }

    /// A float32 initializer; returns its name.
    mutating func constant(_ hint: String, _ values: [Float], shape: [Int]) -> String {
        initializer(hint) { ONNXTensor(name: $0, floats: values, shape: shape) }
    }

    /// An int64 initializer; returns its name.
    mutating func constant(_ hint: String, int64s values: [Int64], shape: [Int]) -> String {
        initializer(hint) { ONNXTensor(name: $0, int64s: values, shape: shape) }
    }

    /// The name of the initializer `make` builds from `hint`: an earlier one of that hint with the same type,
    /// shape and bytes, else a new one under a fresh name.
    private mutating func initializer(_ hint: String, _ make: (String) -> ONNXTensor) -> String {
        let candidate = make(hint)
        for index in constantsByHint[hint, default: []] {
            let existing = initializers[index]
            if (existing.dataType, existing.dims, existing.rawData) == (candidate.dataType, candidate.dims, candidate.rawData) {
                return existing.name
            }
        }
        var tensor = candidate
        tensor.name = unique(hint)
        constantsByHint[hint, default: []].append(initializers.count)
        initializers.append(tensor)
        return tensor.name
    }

    /// Adds `opType` on `inputs`; returns the name of its one output: `output` when given (a graph output's
    /// name, reserved beforehand), else one made from `hint`.
    @discardableResult
    mutating func add(
        _ opType: String, _ inputs: [String], _ attributes: [ONNXAttribute] = [], hint: String, output: String? = nil
    ) -> String {
        let result = output ?? unique(hint)
        nodes.append(ONNXNode(opType, inputs: inputs, outputs: [result], name: unique("node:" + result), attributes: attributes))
        return result
    }

    /// Adds `opType` with one output per hint in `outputs` (e.g. TopK's values and indices); returns their names.
    mutating func add(
        _ opType: String, _ inputs: [String], _ attributes: [ONNXAttribute] = [], outputs hints: [String]
    ) -> [String] {
        let results = hints.map { unique($0) }
        nodes.append(ONNXNode(opType, inputs: inputs, outputs: results, name: unique("node:" + results[0]), attributes: attributes))
        return results
    }
}

extension GraphBuilder {
    /// `x W^T + b` for a weight [out, in] (JetNN's layout) over the last axis of `x`: Gemm on a matrix [B, in],
    /// MatMul and Add on a tensor [..., in].
    mutating func dense(_ x: String, weight: [Float], bias: [Float], outputCount: Int, inputCount: Int, rank: Int, hint: String) -> String {
        if rank == 2 {
            let w = constant("\(hint).weight", weight, shape: [outputCount, inputCount])
            let b = constant("\(hint).bias", bias, shape: [outputCount])
            return add("Gemm", [x, w, b], [ONNXAttribute("transB", .int(1))], hint: hint)
        }
        let w = constant("\(hint).weight_t", transposed(weight, rows: outputCount, columns: inputCount), shape: [inputCount, outputCount])
        let b = constant("\(hint).bias", bias, shape: [outputCount])
        return add("Add", [add("MatMul", [x, w], hint: "\(hint).matmul"), b], hint: hint)
    }

    /// ReduceSum over `axis` (opset 13: the axes are an input).
    mutating func reduceSum(_ x: String, axis: Int, keepDims: Bool, hint: String) -> String {
        let axes = constant("axes_\(axis)", int64s: [Int64(axis)], shape: [1])
        return add("ReduceSum", [x, axes], [ONNXAttribute("keepdims", .int(keepDims ? 1 : 0))], hint: hint)
    }
}

/// The [columns, rows] transpose of a row-major [rows, columns] matrix.
func transposed(_ values: [Float], rows: Int, columns: Int) -> [Float] {
    precondition(values.count == rows * columns, "transposed: \(values.count) values for [\(rows), \(columns)]")
    var result = [Float](repeating: 0, count: values.count)
    for r in 0..<rows {
        for c in 0..<columns { result[c * rows + r] = values[r * columns + c] }
    }
    return result
}
