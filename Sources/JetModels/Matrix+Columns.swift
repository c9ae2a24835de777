import JetNN

extension Matrix {
    /// Sets self to [left | right] (same rows): pooled constituents followed by jet-level features.
    mutating func setColumns(_ left: Matrix, _ right: Matrix) {
        precondition(left.rows == right.rows, "Matrix.setColumns: \(left) and \(right) have different row counts")
        resize(rows: left.rows, columns: left.columns + right.columns)
        let (a, b, width) = (left.columns, right.columns, left.columns + right.columns)
        guard left.rows > 0 && width > 0 else { return }
        storage.withUnsafeMutableBufferPointer { out in
            left.storage.withUnsafeBufferPointer { l in
                right.storage.withUnsafeBufferPointer { r in
                    for row in 0..<left.rows {
                        (out.baseAddress! + row * width).update(from: l.baseAddress! + row * a, count: a)
                        (out.baseAddress! + row * width + a).update(from: r.baseAddress! + row * b, count: b)
                    }
                }
            }
        }
    }

    /// Sets self to the columns `range` of `source`.
    mutating func setColumns(_ range: Range<Int>, of source: Matrix) {
        resize(rows: source.rows, columns: range.count)
        let (width, count, first) = (source.columns, range.count, range.lowerBound)
        guard source.rows > 0 && count > 0 else { return }
        storage.withUnsafeMutableBufferPointer { out in
            source.storage.withUnsafeBufferPointer { s in
                for row in 0..<source.rows {
                    (out.baseAddress! + row * count).update(from: s.baseAddress! + row * width + first, count: count)
                }
            }
        }
    }
}

extension Matrix {
    /// Sets self to [parts[0] | parts[1] | ...] (same rows): the blocks' outputs a fusion layer reads.
    mutating func setColumns(concatenating parts: [Matrix]) {
        let rows = parts[0].rows
        precondition(parts.allSatisfy { $0.rows == rows }, "Matrix.setColumns: parts with different row counts")
        let width = parts.reduce(0) { $0 + $1.columns }
        resize(rows: rows, columns: width)
        var first = 0
        for part in parts {
            let count = part.columns
            storage.withUnsafeMutableBufferPointer { out in
                part.storage.withUnsafeBufferPointer { s in
                    for row in 0..<rows {
                        (out.baseAddress! + row * width + first).update(from: s.baseAddress! + row * count, count: count)
                    }
                }
            }
            first += count
        }
    }
}
