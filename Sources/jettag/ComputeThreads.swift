import CBLAS

enum ComputeThreads {
    /// Threads OpenBLAS may use for the matrix products.
    static func set(_ count: Int) {
        openblas_set_num_threads(Int32(count))
    }
}
