import JetCore

/// Consecutive rows of a dataset as file-type bytes: rows `firstRow ..< firstRow + rowCount` of a read.
struct RawSegment {
    enum Storage {
        /// Plain rows starting here.
        case rows(UnsafeRawPointer)
        /// A shuffled chunk: byte k of element j at `planes + k * planeLength + j`; the segment starts
        /// at element `firstElement`.
        case planes(UnsafeRawPointer, planeLength: Int, firstElement: Int, elementSize: Int)
    }

    var firstRow: Int
    var rowCount: Int
    var storage: Storage

    /// The rows `rows` (relative to this segment) as a segment of their own.
    func slice(_ rows: Range<Int>, rowSize: Int) -> RawSegment {
        switch storage {
        case .rows(let bytes):
            return RawSegment(firstRow: firstRow + rows.lowerBound, rowCount: rows.count, storage: .rows(bytes + rows.lowerBound * rowSize))
        case .planes(let planes, let planeLength, let firstElement, let elementSize):
            return RawSegment(
                firstRow: firstRow + rows.lowerBound, rowCount: rows.count,
                storage: .planes(
                    planes, planeLength: planeLength, firstElement: firstElement + rows.lowerBound * rowSize / elementSize,
                    elementSize: elementSize))
        }
    }

    /// Converts `extraction` for these rows into `destination` (the read's first value at index 0).
    func convert(_ extraction: FieldExtraction, into destination: UnsafeMutablePointer<Float>) {
        let count = rowCount * extraction.valuesPerRow
        let output = destination + firstRow * extraction.valuesPerRow
        switch storage {
        case .rows(let bytes):
            extraction.type.convert(bytes + extraction.offset, stride: extraction.stride, count: count, into: output)
        case .planes(let planes, let planeLength, let firstElement, let elementSize):
            extraction.type.convert(
                planes: planes, planeLength: planeLength, firstByte: extraction.offset % elementSize,
                firstElement: firstElement + extraction.offset / elementSize, elementStep: extraction.stride / elementSize,
                count: count, into: output)
        }
    }

    /// Converts `extraction` for these rows to Int64 into `destination` (the read's first value at index 0).
    func convertToInt64(_ extraction: FieldExtraction, into destination: UnsafeMutablePointer<Int64>) {
        let count = rowCount * extraction.valuesPerRow
        let output = destination + firstRow * extraction.valuesPerRow
        switch storage {
        case .rows(let bytes):
            extraction.type.convertToInt64(bytes + extraction.offset, stride: extraction.stride, count: count, into: output)
        case .planes(let planes, let planeLength, let firstElement, let elementSize):
            // few values (event numbers): gather each value's bytes, then convert as plain bytes
            var value = [UInt8](repeating: 0, count: extraction.type.size)
            let source = planes.assumingMemoryBound(to: UInt8.self)
            for index in 0..<count {
                let element = firstElement + (extraction.offset + index * extraction.stride) / elementSize
                for byte in value.indices {
                    value[byte] = source[(extraction.offset % elementSize + byte) * planeLength + element]
                }
                value.withUnsafeBytes { extraction.type.convertToInt64($0.baseAddress!, stride: 0, count: 1, into: output + index) }
            }
        }
    }
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
        try checkReadSize(rows)
        var floats = extractions.map { [Float](repeating: 0, count: rows.count * $0.valuesPerRow) }
        var integerValues = [Int64](repeating: 0, count: integers.map { rows.count * $0.valuesPerRow } ?? 0)
        guard !rows.isEmpty else { return (floats, integerValues) }
        let rowSize = rowSize
        try withRawRows(rows) { segments in
            // split segments into at least `threads` pieces of rows
            let piecesPerSegment = max(1, (threads + segments.count - 1) / segments.count)
            let pieces = segments.flatMap { segment in
                (0..<piecesPerSegment).map { piece in
                    segment.slice(
                        (segment.rowCount * piece / piecesPerSegment)..<(segment.rowCount * (piece + 1) / piecesPerSegment),
                        rowSize: rowSize)
                }
            }
            integerValues.withUnsafeMutableBufferPointer { integerOutput in
                withMutableStorage(of: &floats) { outputs in
                    parallelFor(pieces.count, threads: threads) { index in
                        let piece = pieces[index]
                        for (extraction, output) in zip(extractions, outputs) where extraction.valuesPerRow > 0 {
                            piece.convert(extraction, into: output!)
                        }
                        if let integers, let base = integerOutput.baseAddress {
                            piece.convertToInt64(integers, into: base)
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
