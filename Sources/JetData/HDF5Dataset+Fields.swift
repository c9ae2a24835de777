/// A numeric value repeated through a row-major block of rows: value i (of `valuesPerRow` per row)
/// sits at byte `offset + i * stride` from the start of the rows.
struct FieldExtraction {
    var offset: Int
    var stride: Int
    var valuesPerRow: Int
    var type: ScalarType
}

extension HDF5Dataset {
    /// The extraction of compound member `field` (nil: the plain element) repeated over all trailing dimensions.
    func extraction(_ field: String?) throws -> FieldExtraction {
        let member = try numericMember(field)
        return FieldExtraction(
            offset: member.offset, stride: elementSize, valuesPerRow: rowSize / max(elementSize, 1), type: member.type)
    }

    /// The extraction of feature `index` of the last dimension of a plain numeric dataset.
    func extraction(featureIndex index: Int) throws -> FieldExtraction {
        let member = try numericMember(nil)
        let features = shape.last ?? 1
        return FieldExtraction(
            offset: index * elementSize, stride: features * elementSize,
            valuesPerRow: rowSize / (features * elementSize), type: member.type)
    }

    /// Reads rows `rows` once and converts each extraction to Float32 ([rows.count * valuesPerRow] each),
    /// plus optionally one to Int64, on `threads` threads.
    func readFields(
        rows: Range<Int>, _ extractions: [FieldExtraction], integers: FieldExtraction? = nil
    ) throws -> (floats: [[Float]], integers: [Int64]) {
        let byteCount = rows.count * rowSize
        if scratch.count < byteCount { scratch = [UInt8](repeating: 0, count: byteCount) }
        try scratch.withUnsafeMutableBytes { try readRaw(rows: rows, into: $0.baseAddress!) }
        let pieces = max(threads, 1)
        let floats = scratch.withUnsafeBytes { raw in
            extractions.map { extraction in
                let total = rows.count * extraction.valuesPerRow
                return [Float](unsafeUninitializedCapacity: total) { output, count in
                    parallelFor(pieces, threads: threads) { piece in
                        let range = (total * piece / pieces)..<(total * (piece + 1) / pieces)
                        extraction.type.convert(
                            raw.baseAddress! + extraction.offset + range.lowerBound * extraction.stride,
                            stride: extraction.stride, count: range.count, into: output.baseAddress! + range.lowerBound)
                    }
                    count = total
                }
            }
        }
        var integerValues: [Int64] = []
        if let integers {
            integerValues = [Int64](repeating: 0, count: rows.count * integers.valuesPerRow)
            scratch.withUnsafeBytes { raw in
                integerValues.withUnsafeMutableBufferPointer { output in
                    integers.type.convertToInt64(
                        raw.baseAddress! + integers.offset, stride: integers.stride, count: output.count,
                        into: output.baseAddress!)
                }
            }
        }
        return (floats, integerValues)
    }
}
