import JetModels
import JetNN

extension GraphBuilder {
    /// ``ParticleNetModel`` on padded jets: the input BatchNorm, each EdgeConv block over the k nearest neighbours
    /// of every slot (block 0 in the coordinate columns of the standardised inputs, later blocks in the previous
    /// block's output), the fusion layer, the masked mean over each jet's valid slots, the jet features and the
    /// head. Logits [N, L].
    ///
    /// The neighbour search is ``JetNN/NeighborGraph``'s on all P x P slot pairs: the squared distances (summed in
    /// the order JetNN sums them), +inf for the slot itself and for padding slots, TopK of the min(k, P)
    /// smallest, sorted, ties to the lower slot (valid slots come first, so the lower packed row), of which the
    /// first min(k, n - 1) are a slot's neighbours; a single-constituent jet has none (a zero neighbour mean).
    mutating func particleNet(
        _ config: ParticleNetConfig, inputs: MemberInputs, tensors: MemberTensors, prefix: String
    ) throws(JetExportError) -> String {
        let standardized = inputs.constituentsLast!
        var x = standardized
        if config.inputBatchNorm {
            let (scale, shift) = try tensors.batchNormAffine("input.norm")
            let shape = [1, 1, config.inputFeatures]
            x = add("Add", [
                add("Mul", [x, constant("\(prefix)input.norm.scale", scale, shape: shape)], hint: "\(prefix)input.norm.scaled"),
                constant("\(prefix)input.norm.shift", shift, shape: shape),
            ], hint: "\(prefix)input.norm")
        }
        let coordinates = add(
            "Gather", [standardized, constant("coordinate_columns", int64s: config.coordinateColumns.map(Int64.init), shape: [config.coordinateColumns.count])],
            [ONNXAttribute("axis", .int(2))], hint: "\(prefix)coordinates")
        let sizes = [config.inputFeatures] + config.blocks.map { $0[$0.count - 1] }
        var outputs: [String] = []
        for b in config.blocks.indices {
            let name = "\(prefix)block.\(b)"
            let neighbors = nearestNeighbors(
                b == 0 ? coordinates : outputs[b - 1], dimensions: b == 0 ? config.coordinateColumns.count : sizes[b],
                inputs: inputs, hint: name)
            outputs.append(try edgeConv(
                b == 0 ? x : outputs[b - 1], neighbors: neighbors, widths: config.blocks[b], inputCount: sizes[b],
                inputs: inputs, tensors: tensors, name: "block.\(b)", prefix: prefix))
        }
        var features = outputs[outputs.count - 1]
        var width = sizes[sizes.count - 1]
        if config.fusion {
            let concatenated = sizes.dropFirst().reduce(0, +)
            width = config.fusionWidth
            let (weight, bias) = try tensors.foldedLayer("fusion", outputCount: width, batchNorm: true)
            features = add("Relu", [
                dense(
                    add("Concat", outputs, [ONNXAttribute("axis", .int(2))], hint: "\(prefix)fusion.input"), weight: weight,
                    bias: bias, outputCount: width, inputCount: concatenated, rank: 3, hint: "\(prefix)fusion"),
            ], hint: "\(prefix)fusion.relu")
        }
        var pooled = add(
            "Mul", [
                reduceSum(add("Mul", [features, inputs.maskLast!], hint: "\(prefix)pooling.masked"), axis: 1, keepDims: false, hint: "\(prefix)pooling.sum"),
                inputs.inverseCount!,
            ], hint: "\(prefix)pooling.mean")
        if config.jetFeatures > 0 {
            pooled = add("Concat", [pooled, inputs.jetFeatures!], [ONNXAttribute("axis", .int(1))], hint: "\(prefix)head.input")
        }
        return try denseHead(
            pooled, inputCount: width + config.jetFeatures, hiddenSizes: config.headLayers, outputCount: config.logitCount,
            tensors: tensors, prefix: prefix)
    }

    /// The member-independent inputs of a ParticleNet graph into `inputs` (see ``MemberInputs``): which slot pairs
    /// may be neighbours, K = min(k, P), which of a slot's K nearest are real neighbours and 1 / their count.
    mutating func particleNetInputs(_ config: ParticleNetConfig, inputs: inout MemberInputs) {
        let scalarShape = constant("shape_scalar", int64s: [], shape: [0])
        let slots = add("Gather", [
            add("Shape", [inputs.mask!], hint: "pf_mask.shape"), constant("index_2", int64s: [2], shape: [1]),
        ], [ONNXAttribute("axis", .int(0))], hint: "slots")
        func range(_ count: String, hint: String) -> String {
            add("Range", [
                constant("zero_int64", int64s: [0], shape: []), add("Reshape", [count, scalarShape], hint: "\(hint).limit"),
                constant("one_int64", int64s: [1], shape: []),
            ], hint: hint)
        }
        // Pairs (i, j) of valid slots with i != j.
        let slotIndex = range(slots, hint: "slot_index")
        let isSelf = add("Equal", [
            add("Unsqueeze", [slotIndex, constant("axes_1", int64s: [1], shape: [1])], hint: "slot_index.i"),
            add("Unsqueeze", [slotIndex, constant("axes_0", int64s: [0], shape: [1])], hint: "slot_index.j"),
        ], hint: "slot_pair.is_self")
        let validPair = add("And", [inputs.validLast!, inputs.valid!], hint: "slot_pair.valid")
        inputs.neighborCandidates = add("And", [validPair, add("Not", [isSelf], hint: "slot_pair.not_self")], hint: "slot_pair.candidate")
        let count = add("Min", [slots, constant("k", int64s: [Int64(config.k)], shape: [1])], hint: "neighbors.count")
        inputs.neighborCount = count
        // The degree min(k, n - 1) of a jet of n constituents, [N, 1, 1] (exact small integers in float).
        let n = reduceSum(inputs.mask!, axis: 2, keepDims: true, hint: "pf_count.keep")
        let one = constant("one", [1], shape: []), zero = constant("zero", [0], shape: [])
        let degree = add("Min", [
            add("Max", [add("Sub", [n, one], hint: "degree.others"), zero], hint: "degree.at_least_0"),
            constant("k_float", [Float(config.k)], shape: []),
        ], hint: "degree")
        inputs.inverseDegree = add("Reciprocal", [add("Max", [degree, one], hint: "degree.at_least_1")], hint: "degree.inverse")
        let rank = add("Reshape", [
            add("Cast", [range(count, hint: "neighbor_rank")], [ONNXAttribute("to", .int(ONNXDataType.float.rawValue))], hint: "neighbor_rank.float"),
            constant("shape_1_1_k_1", int64s: [1, 1, -1, 1], shape: [4]),
        ], hint: "neighbor_rank.column")
        inputs.neighborValid = add(
            "Cast", [add("Less", [rank, add("Unsqueeze", [degree, constant("axes_3", int64s: [3], shape: [1])], hint: "degree.column")], hint: "neighbor.is_real")],
            [ONNXAttribute("to", .int(ONNXDataType.float.rawValue))], hint: "neighbor.valid")
    }

    /// The K nearest slots of every slot of `points` [N, P, D]: int64 indices [N, P, K], nearest first, ties to the
    /// lower slot; non-candidates (the slot itself, padding) at +inf.
    private mutating func nearestNeighbors(_ points: String, dimensions: Int, inputs: MemberInputs, hint: String) -> String {
        let distances = squaredDistances(points, dimensions: dimensions, hint: "\(hint).distance")
        let masked = add(
            "Where", [inputs.neighborCandidates!, distances, constant("infinity", [.infinity], shape: [])],
            hint: "\(hint).distance.masked")
        return add(
            "TopK", [masked, inputs.neighborCount!],
            [ONNXAttribute("axis", .int(-1)), ONNXAttribute("largest", .int(0)), ONNXAttribute("sorted", .int(1))],
            outputs: ["\(hint).knn.distance", "\(hint).knn"])[1]
    }

    /// [N, P, P] sum_d (x_i,d - x_j,d)^2 of `points` [N, P, D], added in JetNN's `squaredDistance` order: eight lanes
    /// over the first 8 floor(D / 8) columns (lane l: columns l, l + 8, ...), the lanes in order, then the other
    /// columns one by one; the same bits as JetTag's k-NN for the same points.
    private mutating func squaredDistances(_ points: String, dimensions: Int, hint: String) -> String {
        let difference = add("Sub", [
            add("Unsqueeze", [points, constant("axes_2", int64s: [2], shape: [1])], hint: "\(hint).i"),
            add("Unsqueeze", [points, constant("axes_1", int64s: [1], shape: [1])], hint: "\(hint).j"),
        ], hint: "\(hint).difference")
        let squares = add("Mul", [difference, difference], hint: "\(hint).squares")
        func columns(_ x: String, _ range: Range<Int>) -> String {
            add("Slice", [
                x, constant("slice_start_\(range.lowerBound)", int64s: [Int64(range.lowerBound)], shape: [1]),
                constant("slice_end_\(range.upperBound)", int64s: [Int64(range.upperBound)], shape: [1]),
                constant("axes_3", int64s: [3], shape: [1]),
            ], hint: "\(hint).columns_\(range.lowerBound)")
        }
        func sequentialSum(_ terms: [String], _ name: String) -> String? {
            terms.dropFirst().reduce(terms.first) { total, term in add("Add", [total!, term], hint: name) }
        }
        let laneCount = 8
        let chunks = dimensions / laneCount
        var terms: [String] = []
        if chunks > 0 {
            let lanes = sequentialSum((0..<chunks).map { columns(squares, ($0 * laneCount)..<(($0 + 1) * laneCount)) }, "\(hint).lanes")!
            terms = (0..<laneCount).map { columns(lanes, $0..<($0 + 1)) }
        }
        terms += (chunks * laneCount..<dimensions).map { columns(squares, $0..<($0 + 1)) }
        return add(
            "Reshape", [sequentialSum(terms, "\(hint).sum")!, constant("shape_0_0_0", int64s: [0, 0, 0], shape: [3])],
            hint: "\(hint).squared")
    }

    /// ``JetNN/EdgeConv`` `name` on `x` [N, P, C_in] with the K nearest slots `neighbors` [N, P, K]: the edge features
    /// [x_i, x_j - x_i], the MLP (BatchNorm folded, ReLU), the mean over the real neighbours, the shortcut (Dense
    /// + BatchNorm folded when the widths differ, else the identity) and ReLU. [N, P, C_out].
    private mutating func edgeConv(
        _ x: String, neighbors: String, widths: [Int], inputCount: Int, inputs: MemberInputs, tensors: MemberTensors,
        name: String, prefix: String
    ) throws(JetExportError) -> String {
        let hint = "\(prefix)\(name)"
        // [N, P, K, C_in] neighbour features: GatherElements along the slot axis of the flattened [N, P K] indices.
        let edgeShape = add("Concat", [
            add("Shape", [neighbors], hint: "\(hint).knn.shape"), constant("shape_\(inputCount)", int64s: [Int64(inputCount)], shape: [1]),
        ], [ONNXAttribute("axis", .int(0))], hint: "\(hint).edge_shape")
        let flatIndices = add(
            "Expand", [
                add("Reshape", [neighbors, constant("shape_0_-1_1", int64s: [0, -1, 1], shape: [3])], hint: "\(hint).knn.flat"),
                constant("shape_1_1_\(inputCount)", int64s: [1, 1, Int64(inputCount)], shape: [3]),
            ], hint: "\(hint).knn.channels")
        let xj = add(
            "Reshape", [add("GatherElements", [x, flatIndices], [ONNXAttribute("axis", .int(1))], hint: "\(hint).neighbors.flat"), edgeShape],
            hint: "\(hint).neighbors")
        let xi = add("Unsqueeze", [x, constant("axes_2", int64s: [2], shape: [1])], hint: "\(hint).centre")
        var h = add("Concat", [
            add("Expand", [xi, edgeShape], hint: "\(hint).centre.edges"), add("Sub", [xj, xi], hint: "\(hint).difference"),
        ], [ONNXAttribute("axis", .int(3))], hint: "\(hint).edges")
        let sizes = [2 * inputCount] + widths
        for l in widths.indices {
            let (weight, bias) = try tensors.foldedLayer("\(name).edge.\(l)", outputCount: sizes[l + 1], batchNorm: true)
            h = add("Relu", [
                dense(h, weight: weight, bias: bias, outputCount: sizes[l + 1], inputCount: sizes[l], rank: 4, hint: "\(hint).edge.\(l)"),
            ], hint: "\(hint).edge.\(l).relu")
        }
        let mean = add("Mul", [
            reduceSum(add("Mul", [h, inputs.neighborValid!], hint: "\(hint).edges.real"), axis: 2, keepDims: false, hint: "\(hint).edges.sum"),
            inputs.inverseDegree!,
        ], hint: "\(hint).mean")
        let outputCount = sizes[sizes.count - 1]
        var shortcut = x
        if inputCount != outputCount {
            let (weight, bias) = try tensors.foldedLayer("\(name).shortcut", outputCount: outputCount, batchNorm: true)
            shortcut = dense(x, weight: weight, bias: bias, outputCount: outputCount, inputCount: inputCount, rank: 3, hint: "\(hint).shortcut")
        }
        return add("Relu", [add("Add", [mean, shortcut], hint: "\(hint).sum")], hint: "\(hint).output")
    }
}
