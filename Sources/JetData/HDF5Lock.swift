import Foundation

/// libhdf5 (Debian's serial build) is not thread-safe: every entry into it goes through this one
/// recursive lock, so streams and writers may be used from several threads (they take turns).
enum HDF5Lock {
    private static let lock = NSRecursiveLock()

    static func run<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
