/// Turns a reader's `RawJetRows` into a `JetBatch`: real constituents moved to a prefix, truncated or
/// zero-padded to P slots, counts checked against the mask, and non-finite values reported.
struct BatchAssembler {
    /// P: constituent slots of the batches.
    var maxConstituents: Int
    var checkFinite: Bool

    /// Assembles rows `rows` of file `fileIndex` read by `reader`.
    func assemble(_ raw: RawJetRows, rows: Range<Int>, fileIndex: Int, reader: LayoutReader) throws -> JetBatch {
        let count = raw.count, width = raw.width, slots = maxConstituents
        var multiplicities = [Int32](repeating: 0, count: count)
        // source slot of each output slot, -1 for padding: [B, P]
        var sources = [Int32](repeating: -1, count: count * slots)
        for jet in 0..<count {
            var filled = 0, real = 0
            for slot in 0..<width where raw.mask[jet * width + slot] != 0 {
                if filled < slots {
                    sources[jet * slots + filled] = Int32(slot)
                    filled += 1
                }
                real += 1
            }
            multiplicities[jet] = Int32(filled)
            if let declared = raw.declaredCounts, Int(declared.values[jet]) != real,
                min(Int(declared.values[jet]), width) != real
            {
                throw JetDataError.inconsistentMultiplicity(
                    file: reader.file, dataset: reader.dataset(ofConstituentField: nil), row: rows.lowerBound + jet,
                    countField: declared.field, count: Int(declared.values[jet]), valid: real)
            }
        }
        var batch = JetBatch(
            count: count, maxConstituents: slots, jetFields: raw.jetFields, mask: sources.map { $0 >= 0 ? 1 : 0 },
            multiplicities: multiplicities, eventNumbers: raw.eventNumbers, rows: Array(rows),
            fileIndices: [Int](repeating: fileIndex, count: count))
        for (name, values) in raw.constituentFields {
            var output = [Float](repeating: 0, count: count * slots)
            values.withUnsafeBufferPointer { input in
                output.withUnsafeMutableBufferPointer { output in
                    for jet in 0..<count {
                        for slot in 0..<Int(multiplicities[jet]) {
                            output[jet * slots + slot] = input[jet * width + Int(sources[jet * slots + slot])]
                        }
                    }
                }
            }
            batch.constituentFields[name] = output
        }
        if checkFinite { try reportNonFinite(batch, rows: rows, reader: reader) }
        return batch
    }

    private func reportNonFinite(_ batch: JetBatch, rows: Range<Int>, reader: LayoutReader) throws {
        for (name, values) in batch.jetFields.sorted(by: { $0.key < $1.key }) {
            if let index = values.firstIndex(where: { !$0.isFinite }) {
                throw JetDataError.nonFinite(
                    file: reader.file, dataset: reader.dataset(ofJetField: name), field: name,
                    row: rows.lowerBound + index, value: values[index])
            }
        }
        for (name, values) in batch.constituentFields.sorted(by: { $0.key < $1.key }) {
            // padding is zero, so any non-finite value is a real constituent's
            if let index = values.firstIndex(where: { !$0.isFinite }) {
                throw JetDataError.nonFinite(
                    file: reader.file, dataset: reader.dataset(ofConstituentField: name), field: name,
                    row: rows.lowerBound + index / batch.maxConstituents, value: values[index])
            }
        }
    }
}
