import Foundation

/// The start-up check of the BLAS kernels: `jettag` and `jettag-bench` call ``run()`` before anything else, so that it never
/// computes on OpenBLAS's generic kernels when the CPU has better ones (see ``BLASKernelSelection``).
public enum BLASStartup {
    /// The decision for this process, from its CPU, the core OpenBLAS runs and `environment`.
    ///
    /// - Throws: ``JetNNError/invalidEnvironmentValue(variable:value:allowed:)`` for a bad `JETTAG_BLAS`.
    public static func decision(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(JetNNError) -> BLASKernelSelection.Decision {
        try BLASKernelSelection.decide(cpu: .current, selectedCore: BLASLibrary.coreName, environment: environment)
    }

    /// Runs this program again (`/proc/self/exe`, the same arguments) with `OPENBLAS_CORETYPE` set when
    /// ``decision(environment:)`` says so, and does not return then. Returns when the process runs on: the kernels
    /// are kept, this is the re-executed process, or the re-execution failed (a warning on standard error says so).
    ///
    /// - Throws: ``JetNNError/invalidEnvironmentValue(variable:value:allowed:)`` for a bad `JETTAG_BLAS` or
    ///   `JETTAG_SMALL_K`. `JETTAG_SMALL_K` (see ``SmallKKernels``).
    public static func run() throws(JetNNError) {
        _ = try SmallKKernels.path(cpu: .current)
        guard case .reexecute(let core, let reason) = try decision() else { return }
        var environment = ProcessInfo.processInfo.environment
        environment[BLASKernelSelection.coreTypeVariable] = core
        environment[BLASKernelSelection.markerVariable] = reason
        let error = execute(path: "/proc/self/exe", arguments: CommandLine.arguments, environment: environment)
        FileHandle.standardError.write(Data((
            "warning: could not re-execute with \(BLASKernelSelection.coreTypeVariable)=\(core) "
                + "(\(String(cString: strerror(error)))); computing on OpenBLAS's \(BLASLibrary.coreName) kernels\n"
        ).utf8))
    }

    /// `execve(path, arguments, environment)`; returns its errno when it fails.
    private static func execute(path: String, arguments: [String], environment: [String: String]) -> Int32 {
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        execve(path, argv, envp)
        let error = errno
        for pointer in argv + envp { free(pointer) }
        return error
    }
}
