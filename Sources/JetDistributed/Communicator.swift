import CMPIShim
import Foundation

/// The processes of one training: a single process (``solo``) or the ranks of an MPI job (``world(force:)``).
///
/// Collectives move raw bytes of plain values in rank order, so results never depend on a reduction order the
/// MPI library picks. Open MPI is loaded at run time (`dlopen` of `libmpi.so.40`): the package builds and runs
/// without it, and a process uses MPI only when started by `mpirun`/`srun` or asked to. Every collective has a
/// timeout (`JETTAG_MPI_TIMEOUT` seconds, default 900; 0 turns it off): a rank that waits longer for a stuck
/// peer ends with a message naming its rank, so the launcher stops the job instead of hanging.
public final class Communicator: @unchecked Sendable {
    /// This process's rank, 0 ..< size.
    public let rank: Int
    /// The number of ranks.
    public let size: Int
    /// Whether the collectives go through MPI (false for ``solo``).
    public let usesMPI: Bool
    /// The seconds a collective may take before the watchdog ends the rank.
    public let timeout: Double
    /// What the rank is doing, for ``collectiveTime`` (e.g. "training steps"; "setup" at the start).
    public var phase = "setup"
    /// Per ``phase``: wall seconds this rank spent in collectives (waiting for slower ranks included) and calls.
    public private(set) var collectiveTime: [String: (seconds: Double, calls: Int)] = [:]

    /// One process, no MPI: every collective returns its own input.
    public static let solo = Communicator(rank: 0, size: 1, usesMPI: false, timeout: 0)

    private init(rank: Int, size: Int, usesMPI: Bool, timeout: Double) {
        self.rank = rank
        self.size = size
        self.usesMPI = usesMPI
        self.timeout = timeout
    }

    /// The environment variables that say a launcher (Open MPI's `mpirun`, Slurm's `srun` with PMI or PMIx)
    /// started this process as one rank of a job.
    public static let launcherVariables = ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"]

    /// The library loaded: `JETTAG_MPI_LIBRARY`, else Open MPI 4's `libmpi.so.40`.
    public static var libraryName: String {
        ProcessInfo.processInfo.environment["JETTAG_MPI_LIBRARY"] ?? "libmpi.so.40"
    }

    /// Whether the environment says a launcher started this process.
    public static var launchedByMPI: Bool {
        let environment = ProcessInfo.processInfo.environment
        return launcherVariables.contains { environment[$0] != nil }
    }

    /// The MPI world when this process was started by a launcher (or `force` is true), else ``solo``.
    /// Initialises MPI once; call ``finalize()`` before the process ends normally.
    ///
    /// - Throws: ``DistributedError/libraryUnavailable(library:reason:)`` when MPI is wanted but cannot be loaded,
    ///   ``DistributedError/mpi(rank:operation:message:)`` when MPI_Init fails.
    public static func world(force: Bool = false) throws(DistributedError) -> Communicator {
        guard force || launchedByMPI else { return .solo }
        if let shared = worldLock.withLock({ worldInstance }) { return shared }
        let library = libraryName
        var reason = [CChar](repeating: 0, count: 512)
        guard jt_mpi_load(library, &reason, Int32(reason.count)) == 0 else {
            throw .libraryUnavailable(library: library, reason: String(cString: reason))
        }
        var (rank, size): (Int32, Int32) = (0, 0)
        let code = jt_mpi_init(&rank, &size)
        guard code == 0 else { throw .mpi(rank: nil, operation: "MPI_Init", message: errorText(code)) }
        let timeout = ProcessInfo.processInfo.environment["JETTAG_MPI_TIMEOUT"].flatMap(Double.init) ?? 900
        jt_mpi_set_timeout(timeout, rank)
        let world = Communicator(rank: Int(rank), size: Int(size), usesMPI: true, timeout: timeout)
        worldLock.withLock { worldInstance = world }
        return world
    }

    nonisolated(unsafe) private static var worldInstance: Communicator?
    private static let worldLock = NSLock()

    /// Every rank's `values` (the same count on every rank), concatenated in rank order.
    public func allgather<Element: BitwiseCopyable>(_ values: [Element]) throws(DistributedError) -> [Element] {
        guard usesMPI else { return values }
        var result = [Element](unsafeUninitializedCapacity: values.count * size) { _, count in count = values.count * size }
        let code = timed {
            values.withUnsafeBytes { send in
                result.withUnsafeMutableBytes { receive in
                    jt_mpi_allgather(send.baseAddress, Int32(send.count), receive.baseAddress)
                }
            }
        }
        try check(code, "allgather")
        return result
    }

    /// Every rank's `values` (any count per rank), one array per rank in rank order.
    public func allgatherVariable<Element: BitwiseCopyable>(_ values: [Element]) throws(DistributedError) -> [[Element]] {
        guard usesMPI else { return [values] }
        let counts = try allgather([Int64(values.count)]).map(Int.init)
        let stride = MemoryLayout<Element>.stride
        let total = counts.reduce(0, +)
        guard total * stride < Int(Int32.max) else {
            throw .mpi(rank: rank, operation: "allgatherv", message: "\(total * stride) bytes exceed MPI's 2 GiB count")
        }
        let byteCounts = counts.map { Int32($0 * stride) }
        let displacements = byteCounts.reduce(into: [Int32(0)]) { $0.append($0.last! + $1) }
        var all = [Element](unsafeUninitializedCapacity: total) { _, count in count = total }
        let code = timed {
            values.withUnsafeBytes { send in
                all.withUnsafeMutableBytes { receive in
                    jt_mpi_allgatherv(send.baseAddress, Int32(send.count), receive.baseAddress, byteCounts, displacements)
                }
            }
        }
        try check(code, "allgatherv")
        var offset = 0
        return counts.map { count in
            defer { offset += count }
            return Array(all[offset..<(offset + count)])
        }
    }

    /// Rank 0's `values` on every rank (the same count on every rank).
    public func broadcast<Element: BitwiseCopyable>(_ values: [Element]) throws(DistributedError) -> [Element] {
        guard usesMPI else { return values }
        var buffer = values
        let code = timed { buffer.withUnsafeMutableBytes { jt_mpi_bcast($0.baseAddress, Int32($0.count), 0) } }
        try check(code, "broadcast")
        return buffer
    }

    /// Rank 0's bytes on every rank, of any length; the other ranks' `bytes` are ignored. No timeout: the other
    /// ranks may wait here for rank 0's long work (fitting the standardisation on the whole training split).
    public func broadcastFromRankZero(_ bytes: [UInt8]) throws(DistributedError) -> [UInt8] {
        guard usesMPI else { return bytes }
        jt_mpi_set_timeout(0, Int32(rank))
        defer { jt_mpi_set_timeout(timeout, Int32(rank)) }
        let count = try broadcast([Int64(bytes.count)])[0]
        return try broadcast(rank == 0 ? bytes : [UInt8](repeating: 0, count: Int(count)))
    }

    /// Whether `flag` is true on any rank.
    public func anyRank(_ flag: Bool) throws(DistributedError) -> Bool {
        try allgather([UInt8(flag ? 1 : 0)]).contains(1)
    }

    /// Waits until every rank reaches this call.
    public func barrier() throws(DistributedError) {
        guard usesMPI else { return }
        try check(timed { jt_mpi_barrier() }, "barrier")
    }

    /// Ends every rank of the job with `code` (MPI_Abort); for ``solo`` just this process.
    public func abort(code: Int32) -> Never {
        if !usesMPI { exit(code) }
        jt_mpi_abort(code)
        fatalError("MPI_Abort returned")
    }

    /// MPI_Finalize (nothing for ``solo``).
    public func finalize() {
        guard usesMPI else { return }
        jt_mpi_set_timeout(0, Int32(rank))
        _ = jt_mpi_finalize()
    }

    private func timed(_ body: () -> Int32) -> Int32 {
        let start = DispatchTime.now().uptimeNanoseconds
        defer {
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let sum = collectiveTime[phase] ?? (0, 0)
            collectiveTime[phase] = (sum.seconds + seconds, sum.calls + 1)
        }
        return body()
    }

    private func check(_ code: Int32, _ operation: String) throws(DistributedError) {
        guard code != 0 else { return }
        throw .mpi(rank: rank, operation: operation, message: Self.errorText(code))
    }

    private static func errorText(_ code: Int32) -> String {
        var text = [CChar](repeating: 0, count: 512)
        jt_mpi_error(code, &text, Int32(text.count))
        return String(cString: text)
    }
}

/// The errors of ``Communicator``.
public enum DistributedError: Error, CustomStringConvertible, Equatable {
    /// MPI was wanted (a launcher's environment, or `--mpi`) but its library could not be loaded.
    case libraryUnavailable(library: String, reason: String)
    /// An MPI call failed.
    case mpi(rank: Int?, operation: String, message: String)

    public var description: String {
        switch self {
        case .libraryUnavailable(let library, let reason):
            "cannot load the MPI library \(library) (\(reason)); install Open MPI (Debian: openmpi-bin, "
                + "libopenmpi-dev) or set JETTAG_MPI_LIBRARY to its libmpi.so"
        case .mpi(let rank, let operation, let message):
            "\(rank.map { "rank \($0): " } ?? "")MPI \(operation) failed: \(message)"
        }
    }
}
