extension JetOffsets {
    /// Packs a padded [B, P, F] array into [N, F]: the first multiplicity slots of each jet, in order.
    public func pack(_ padded: [Float], maxConstituents: Int, features: Int) -> Matrix {
        precondition(
            padded.count == jetCount * maxConstituents * features,
            "JetOffsets.pack: padded array has \(padded.count) values, [\(jetCount), \(maxConstituents), \(features)] needs \(jetCount * maxConstituents * features)")
        precondition(maxMultiplicity <= maxConstituents, "JetOffsets.pack: a jet has \(maxMultiplicity) constituents, more than P = \(maxConstituents)")
        var packed = Matrix(rows: constituentCount, columns: features)
        packed.storage.withUnsafeMutableBufferPointer { out in
            padded.withUnsafeBufferPointer { inp in
                for jet in 0..<jetCount {
                    let n = multiplicity(of: jet) * features
                    let source = jet * maxConstituents * features
                    _ = UnsafeMutableBufferPointer(rebasing: out[(offsets[jet] * features)...].prefix(n))
                        .update(fromContentsOf: inp[source..<(source + n)])
                }
            }
        }
        return packed
    }

    /// Packs F per-field [B, P] columns (as `JetBatch.constituentFields` holds them) into [N, F], field f in
    /// column f.
    public func pack(fields: [[Float]], maxConstituents: Int) -> Matrix {
        var packed = Matrix(rows: constituentCount, columns: fields.count)
        for (column, field) in fields.enumerated() {
            precondition(
                field.count == jetCount * maxConstituents,
                "JetOffsets.pack: field \(column) has \(field.count) values, [\(jetCount), \(maxConstituents)] needs \(jetCount * maxConstituents)")
            for jet in 0..<jetCount {
                for slot in 0..<multiplicity(of: jet) {
                    packed[offsets[jet] + slot, column] = field[jet * maxConstituents + slot]
                }
            }
        }
        return packed
    }

    /// Unpacks [N, C] into a zero-padded [B, P, C] array (for example input gradients for a saliency map).
    public func unpack(_ packed: Matrix, maxConstituents: Int) -> [Float] {
        precondition(packed.rows == constituentCount, "JetOffsets.unpack: \(packed.rows) rows, offsets describe \(constituentCount)")
        precondition(maxMultiplicity <= maxConstituents, "JetOffsets.unpack: a jet has \(maxMultiplicity) constituents, more than P = \(maxConstituents)")
        let features = packed.columns
        var padded = [Float](repeating: 0, count: jetCount * maxConstituents * features)
        padded.withUnsafeMutableBufferPointer { out in
            packed.storage.withUnsafeBufferPointer { inp in
                for jet in 0..<jetCount {
                    let n = multiplicity(of: jet) * features
                    let source = offsets[jet] * features
                    let target = jet * maxConstituents * features
                    _ = UnsafeMutableBufferPointer(rebasing: out[target..<(target + n)])
                        .update(fromContentsOf: inp[source..<(source + n)])
                }
            }
        }
        return padded
    }
}
