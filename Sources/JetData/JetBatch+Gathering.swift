extension JetBatch {
    /// The jets at `indices`, in that order.
    public func gathering(_ indices: [Int]) -> JetBatch {
        let slots = maxConstituents
        func gatherRows(_ values: [Float]) -> [Float] {
            var output = [Float](repeating: 0, count: indices.count * slots)
            values.withUnsafeBufferPointer { input in
                output.withUnsafeMutableBufferPointer { output in
                    for (position, index) in indices.enumerated() {
                        for slot in 0..<slots { output[position * slots + slot] = input[index * slots + slot] }
                    }
                }
            }
            return output
        }
        return JetBatch(
            count: indices.count, maxConstituents: slots,
            jetFields: jetFields.mapValues { values in indices.map { values[$0] } },
            constituentFields: constituentFields.mapValues(gatherRows), mask: gatherRows(mask),
            multiplicities: indices.map { multiplicities[$0] }, eventNumbers: indices.map { eventNumbers[$0] },
            rows: indices.map { rows[$0] }, fileIndices: indices.map { fileIndices[$0] })
    }

    /// Appends the jets of `other`, which must have the same fields and `maxConstituents`.
    public mutating func append(_ other: JetBatch) {
        precondition(other.maxConstituents == maxConstituents, "appending batches with different maxConstituents")
        count += other.count
        for (name, values) in other.jetFields { jetFields[name, default: []] += values }
        for (name, values) in other.constituentFields { constituentFields[name, default: []] += values }
        mask += other.mask
        multiplicities += other.multiplicities
        eventNumbers += other.eventNumbers
        rows += other.rows
        fileIndices += other.fileIndices
    }
}
