/// Turns a reader's `RawJetRows` into a `JetBatch`: real constituents moved to a prefix, truncated or
/// zero-padded to P slots, counts checked against the mask, and non-finite values reported.
struct BatchAssembler {
    /// P: constituent slots of the batches.
    var maxConstituents: Int
    var checkFinite: Bool

    /// Assembles rows `rows` of file `fileIndex` read by `reader`.
    func assemble(_ raw: RawJetRows, rows: Range<Int>, fileIndex: Int, reader: LayoutReader) throws -> JetBatch {
        let count = raw.count, width = raw.width, slots = maxConstituents
        // per jet: real constituents in the file, and whether they already form a prefix
        var real = [Int](repeating: 0, count: count)
        var isPrefix = [Bool](repeating: true, count: count)
        raw.mask.withUnsafeBufferPointer { mask in
            for jet in 0..<count {
                var found = 0, prefix = true
                for slot in 0..<width where mask[jet * width + slot] != 0 {
                    prefix = prefix && found == slot
                    found += 1
                }
                real[jet] = found
                isPrefix[jet] = prefix
            }
        }
        if let declared = raw.declaredCounts {
            for jet in 0..<count where Int(declared.values[jet]) != real[jet] && min(Int(declared.values[jet]), width) != real[jet] {
                throw JetDataError.inconsistentMultiplicity(
                    file: reader.file, dataset: reader.dataset(ofConstituentField: nil), row: rows.lowerBound + jet,
                    countField: declared.field, count: Int(declared.values[jet]), valid: real[jet])
            }
        }
        let multiplicities = real.map { Int32(min($0, slots)) }
        var mask = [Float](repeating: 0, count: count * slots)
        for jet in 0..<count {
            for slot in 0..<Int(multiplicities[jet]) { mask[jet * slots + slot] = 1 }
        }
        var batch = JetBatch(
            count: count, maxConstituents: slots, jetFields: raw.jetFields, mask: mask,
            multiplicities: multiplicities, eventNumbers: raw.eventNumbers, rows: Array(rows),
            fileIndices: [Int](repeating: fileIndex, count: count))
        let unchanged = slots == width && !isPrefix.contains(false)
        for (name, values) in raw.constituentFields {
            batch.constituentFields[name] = unchanged ? values : compact(values, raw: raw, isPrefix: isPrefix, multiplicities: multiplicities)
        }
        if checkFinite { try reportNonFinite(batch, rows: rows, reader: reader) }
        return batch
    }

    /// [B, M] -> [B, P]: each jet's real values first, in file order, the rest zero.
    private func compact(_ values: [Float], raw: RawJetRows, isPrefix: [Bool], multiplicities: [Int32]) -> [Float] {
        let width = raw.width, slots = maxConstituents
        var output = [Float](repeating: 0, count: raw.count * slots)
        values.withUnsafeBufferPointer { input in
            raw.mask.withUnsafeBufferPointer { mask in
                output.withUnsafeMutableBufferPointer { output in
                    for jet in 0..<raw.count {
                        let target = output.baseAddress! + jet * slots
                        let source = input.baseAddress! + jet * width
                        if isPrefix[jet] {
                            target.update(from: source, count: Int(multiplicities[jet]))
                            continue
                        }
                        var filled = 0
                        for slot in 0..<width where mask[jet * width + slot] != 0 && filled < slots {
                            target[filled] = source[slot]
                            filled += 1
                        }
                    }
                }
            }
        }
        return output
    }

    private func reportNonFinite(_ batch: JetBatch, rows: Range<Int>, reader: LayoutReader) throws {
        for (name, values) in batch.jetFields.sorted(by: { $0.key < $1.key }) {
            if let index = firstNonFinite(values, mask: nil) {
                throw JetDataError.nonFinite(
                    file: reader.file, dataset: reader.dataset(ofJetField: name), field: name,
                    row: rows.lowerBound + index, value: values[index])
            }
        }
        for (name, values) in batch.constituentFields.sorted(by: { $0.key < $1.key }) {
            if let index = firstNonFinite(values, mask: batch.mask) {
                throw JetDataError.nonFinite(
                    file: reader.file, dataset: reader.dataset(ofConstituentField: name), field: name,
                    row: rows.lowerBound + index / batch.maxConstituents, value: values[index])
            }
        }
    }

    /// Index of the first NaN or infinity (where `mask` is nonzero, if given); a SIMD scan finds the block.
    private func firstNonFinite(_ values: [Float], mask: [Float]?) -> Int? {
        values.withUnsafeBufferPointer { values in
            guard let base = values.baseAddress else { return nil }
            let blocks = values.count / 16
            var blockStart = blocks * 16
            let raw = UnsafeRawPointer(base)
            for block in 0..<blocks {
                let vector = raw.loadUnaligned(fromByteOffset: block * 64, as: SIMD16<Float>.self)
                // x - x is NaN exactly for NaN and infinities
                if any((vector - vector) .!= 0) {
                    blockStart = block * 16
                    break
                }
            }
            for index in blockStart..<values.count where !values[index].isFinite && (mask.map { $0[index] != 0 } ?? true) {
                return index
            }
            return nil
        }
    }
}
