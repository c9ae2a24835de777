import Foundation
import JetDistributed
import JetModels

extension TrainingRun {
    /// The run of `jettag train --config C --out RUN --resume-if-exists`, the command a requeued batch job runs
    /// again unchanged: when `directory` holds a run (its `config.json`), that run, which continues from its
    /// checkpoints (`last.h5`) to the model of an uninterrupted run, provided it is a run of `config`; otherwise a
    /// new run of `config`.
    ///
    /// - Returns: the run and whether it continues one found in `directory`.
    /// - Throws: ``JetTagKitError/resumedConfigDiffers(directory:config:)`` when `directory/config.json` is not
    ///   `config` (resolved as the run resolves it: ``TrainingRun/resolvedConfig()``); the errors of
    ///   ``TrainingRun/init(resuming:communicator:)``.
    public static func resumingIfExists(
        config: RunConfig, configFile: String, directory: URL, communicator: Communicator = .solo
    ) throws -> (run: TrainingRun, resumed: Bool) {
        let fresh = TrainingRun(config: config, directory: directory, communicator: communicator)
        guard FileManager.default.fileExists(atPath: directory.appendingPathComponent("config.json").path) else {
            return (fresh, false)
        }
        let existing = try TrainingRun(resuming: directory, communicator: communicator)
        guard try existing.config == fresh.resolvedConfig() else {
            throw JetTagKitError.resumedConfigDiffers(directory: directory.path, config: configFile)
        }
        return (existing, true)
    }
}
