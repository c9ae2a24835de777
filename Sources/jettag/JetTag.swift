import ArgumentParser
import JetNN
import JetTagKit

@main
struct JetTag: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jettag",
        abstract: "Train and apply jet taggers and reweight simulated samples, straight from HDF5 files.",
        version: ModelFile.codeVersion,
        subcommands: [
            Inspect.self, Train.self, Predict.self, Evaluate.self, Calibrate.self, Reweight.self, Saliency.self, Report.self,
            Compare.self, Scan.self, Export.self, Merge.self, Doctor.self,
        ]
    )

    /// Checks the BLAS kernels first (``BLASStartup/run()`` may run the program again with better ones), then runs
    /// the command. Every HDF5 file's metadata is read first in a child process (``MetadataPreflight``), so damaged
    /// metadata that crashes libhdf5 gives a clean error. Every error ends the process with `Error: <description>` on stderr; a
    /// ``JetTagKitError`` (a config file, option value or input the user gave that cannot be used) with code 64,
    /// as ArgumentParser's validation errors, any other with code 1 (130 after an interrupted train, predict or reweight apply). libhdf5's cleanup at exit is turned off
    /// (``HDF5FileWriter/skipLibraryCleanupAtExit()``), so a failed write never crashes the exit.
    static func main() {
        MetadataPreflight.serveIfChild()
        HDF5FileWriter.skipLibraryCleanupAtExit()
        do {
            try MetadataPreflight.enable()
            try BLASStartup.run()
            var command = try parseAsRoot()
            try command.run()
        } catch let error as JetTagKitError {
            exit(withError: ValidationError(error.description))
        } catch {
            exit(withError: error)
        }
    }
}
