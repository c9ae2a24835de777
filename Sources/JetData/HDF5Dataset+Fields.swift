/// Consecutive rows of a dataset as file-type bytes: rows `firstRow ..< firstRow + rowCount` of a read.
struct RawSegment {
    var firstRow: Int
    var rowCount: Int
    var bytes: UnsafeRawPointer
}

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
    /// plus optionally one to Int64, on `threads` threads (straight from the decoded chunks).
    func readFields(
        rows: Range<Int>, _ extractions: [FieldExtraction], integers: FieldExtraction? = nil
    ) throws -> (floats: [[Float]], integers: [Int64]) {
        var floats = extractions.map { [Float](repeating: 0, count: rows.count * $0.valuesPerRow) }
        var integerValues = [Int64](repeating: 0, count: integers.map { rows.count * $0.valuesPerRow } ?? 0)
        guard !rows.isEmpty else { return (floats, integerValues) }
        let rowSize = rowSize
        try withRawRows(rows) { segments in
            // split segments into at least `threads` pieces of rows
            let piecesPerSegment = max(1, (threads + segments.count - 1) / segments.count)
            let pieces = segments.flatMap { segment in
                (0..<piecesPerSegment).map { piece -> RawSegment in
                    let lower = segment.rowCount * piece / piecesPerSegment
                    let upper = segment.rowCount * (piece + 1) / piecesPerSegment
                    return RawSegment(firstRow: segment.firstRow + lower, rowCount: upper - lower, bytes: segment.bytes + lower * rowSize)
                }
            }
            integerValues.withUnsafeMutableBufferPointer { integerOutput in
                withMutableStorage(of: &floats) { outputs in
                    parallelFor(pieces.count, threads: threads) { index in
                        let piece = pieces[index]
                        for (extraction, output) in zip(extractions, outputs) where extraction.valuesPerRow > 0 {
                            extraction.type.convert(
                                piece.bytes + extraction.offset, stride: extraction.stride,
                                count: piece.rowCount * extraction.valuesPerRow, into: output! + piece.firstRow * extraction.valuesPerRow)
                        }
                        if let integers, let base = integerOutput.baseAddress {
                            integers.type.convertToInt64(
                                piece.bytes + integers.offset, stride: integers.stride,
                                count: piece.rowCount * integers.valuesPerRow, into: base + piece.firstRow * integers.valuesPerRow)
                        }
                    }
                }
            }
        }
        return (floats, integerValues)
    }
}

/// Calls `body` with the storage of every array at once (nil for empty ones), the arrays kept in place.
private func withMutableStorage(of arrays: inout [[Float]], _ body: ([UnsafeMutablePointer<Float>?]) -> Void) {
    guard var last = arrays.popLast() else {
        body([])
        return
    }
    withMutableStorage(of: &arrays) { pointers in
        last.withUnsafeMutableBufferPointer { body(pointers + [$0.baseAddress]) }
    }
    arrays.append(last)
}
