/// A row-major Float32 matrix: the activation type every JetNN layer reads and writes.
///
/// Per-constituent activations are packed rows [N, C] (N = valid constituents of the batch, see
/// ``JetOffsets``); jet-level activations are [B, C]. Element (r, c) is `storage[r * columns + c]`.
public struct Matrix: Sendable, Equatable {
    /// Number of rows (constituents N or jets B).
    public private(set) var rows: Int
    /// Number of columns (channels C).
    public private(set) var columns: Int
    /// The rows * columns values, row-major.
    public var storage: [Float]

    /// A rows x columns matrix filled with `value`.
    public init(rows: Int, columns: Int, repeating value: Float = 0) {
        precondition(rows >= 0 && columns >= 0, "Matrix: negative shape [\(rows), \(columns)]")
        self.rows = rows
        self.columns = columns
        storage = [Float](repeating: value, count: rows * columns)
    }

    /// A rows x columns matrix over `storage` (row-major, `rows * columns` values).
    public init(rows: Int, columns: Int, storage: [Float]) {
        precondition(
            rows >= 0 && columns >= 0 && storage.count == rows * columns,
            "Matrix: storage has \(storage.count) values, shape [\(rows), \(columns)] needs \(rows * columns)")
        self.rows = rows
        self.columns = columns
        self.storage = storage
    }

    /// rows * columns.
    public var count: Int { storage.count }

    /// Element at (row, column).
    public subscript(row: Int, column: Int) -> Float {
        get { storage[row * columns + column] }
        set { storage[row * columns + column] = newValue }
    }

    /// Changes the shape for reuse as an output buffer. No allocation when the matrix shrinks or stays within
    /// its capacity; growing beyond it allocates afresh with 1/8 headroom (batches vary in their number of
    /// constituents) and does not copy the old values. Values are unspecified afterwards (new elements are
    /// zero): layers overwrite them.
    public mutating func resize(rows: Int, columns: Int) {
        precondition(rows >= 0 && columns >= 0, "Matrix: negative shape [\(rows), \(columns)]")
        let needed = rows * columns
        if storage.count > needed {
            storage.removeLast(storage.count - needed)
        } else if storage.count < needed {
            if storage.capacity < needed {
                storage = []
                storage.reserveCapacity(needed + needed / 8)
            }
            storage.append(contentsOf: repeatElement(0, count: needed - storage.count))
        }
        self.rows = rows
        self.columns = columns
    }

    /// Becomes a copy of `other`, reusing this matrix's storage. (Assigning `other` would share its storage, and
    /// the next resize or write of either matrix would then copy it into freshly allocated memory.)
    public mutating func setCopy(of other: Matrix) {
        resize(rows: other.rows, columns: other.columns)
        guard count > 0 else { return }
        storage.withUnsafeMutableBufferPointer { out in
            other.storage.withUnsafeBufferPointer { out.baseAddress!.update(from: $0.baseAddress!, count: $0.count) }
        }
    }

    /// Appends the rows of `other` (same column count) below this matrix's rows.
    public mutating func append(rowsOf other: Matrix) {
        precondition(
            other.columns == columns,
            "Matrix.append: rows of \(other.columns) columns do not fit a matrix of \(columns)")
        storage += other.storage
        rows += other.rows
    }

    /// Adds `other` element-wise (shapes must match): the accumulation a residual connection's backward needs.
    public mutating func add(_ other: Matrix) {
        precondition(
            rows == other.rows && columns == other.columns,
            "Matrix.add: shape [\(other.rows), \(other.columns)] does not match [\(rows), \(columns)]")
        storage.withUnsafeMutableBufferPointer { a in
            other.storage.withUnsafeBufferPointer { b in
                addElementwise(a.baseAddress, a.baseAddress, b.baseAddress, count: a.count)
            }
        }
    }

    /// Becomes a + b element-wise (shapes must match), reusing this matrix's storage.
    public mutating func setSum(_ a: Matrix, _ b: Matrix) {
        precondition(
            a.rows == b.rows && a.columns == b.columns,
            "Matrix.setSum: shapes [\(a.rows), \(a.columns)] and [\(b.rows), \(b.columns)] differ")
        resize(rows: a.rows, columns: a.columns)
        storage.withUnsafeMutableBufferPointer { out in
            a.storage.withUnsafeBufferPointer { x in
                b.storage.withUnsafeBufferPointer { y in
                    addElementwise(out.baseAddress, x.baseAddress, y.baseAddress, count: out.count)
                }
            }
        }
    }

    /// Sets every element to zero, keeping the shape.
    public mutating func zero() {
        storage.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    }
}

extension Matrix: CustomStringConvertible {
    public var description: String { "Matrix[\(rows), \(columns)]" }
}
