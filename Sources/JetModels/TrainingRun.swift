import Foundation
import JetCore
import JetData
import JetDistributed
import JetFeatures
import JetNN

/// A whole training run in a directory: one model, the k models of k-fold training, or a seed ensemble,
/// each trained by a ``Trainer`` in its own directory, then combined into `model.h5`.
///
/// Layout of `directory`: `config.json` (the run config with the class names of the data, see
/// ``RunConfig/resolvingClassNames()``), `model.h5` (the final model file), and
/// for one model also `last.h5`, `history.csv`, `history.json`; for k-fold `fold<i>/...`, for an ensemble
/// `member<i>/...` with the same files. Running again on a directory continues where it stopped: finished
/// members are kept, a member with `last.h5` continues from it. With `training.initFrom` every member starts from
/// that model (``FineTuning``), and `config.json` holds the centres and scales taken from it.
///
/// Under MPI (``communicator`` with several ranks) with `training.distribute: data` every member is one training
/// over all ranks and rank 0 alone writes; with `members` member i is trained by rank i % ranks alone (in its own
/// directory), and rank 0 combines them.
public struct TrainingRun {
    public let config: RunConfig
    public let directory: URL
    /// The ranks this run spreads over.
    public let communicator: Communicator

    /// One model to train: its directory, seed and (for k-fold) its splits.
    struct Member {
        var directory: URL
        var seed: UInt64
        var splits: (training: JetSplit, validation: JetSplit)?
    }

    public init(config: RunConfig, directory: URL, communicator: Communicator = .solo) {
        self.config = config
        self.directory = directory
        self.communicator = communicator
    }

    /// The config as the run writes it to `config.json`: class names from the data, the centres and scales a
    /// fine-tuning run takes from its parent, and under MPI `training.dataShards` defaulted to the rank count.
    public func resolvedConfig() throws -> RunConfig {
        var config = try self.config.resolvingClassNames()
        if let fineTuning = try FineTuning(config: config) { config.features = fineTuning.features(config.features) }
        let byMembers = config.training.distribute == .members && communicator.size > 1
        if !byMembers && config.training.dataShards == nil && communicator.size > 1 {
            config.training.dataShards = communicator.size
        }
        return config
    }

    /// Continues the run in `directory`, reading its `config.json`.
    public init(resuming directory: URL, communicator: Communicator = .solo) throws {
        let url = directory.appendingPathComponent("config.json")
        guard let data = try? Data(contentsOf: url) else {
            throw JetModelsError.cannotResume(
                directory: directory.path, reason: "it has no config.json (was it made by jettag train?)")
        }
        self.init(
            config: try RunConfig.load(tree: try JSONSerialization.jsonObject(with: data), file: url.path),
            directory: directory, communicator: communicator)
    }

    /// Opens the data (taking the class names from it when the config has none), trains (or continues) every
    /// member and writes `model.h5`; returns the final model file. Sets JetNN's `ComputeThreads` to
    /// `training.threads`. Creates `directory` only once the data opened (files, fields and selection checked),
    /// and holds its lock (``RunDirectoryLock``) to the end: a second run into it fails at once. Under MPI rank 0
    /// writes `config.json` (with `training.dataShards` resolved to the rank count when not set) and holds the lock.
    ///
    /// - Parameters:
    ///   - progress: member index, member count and the trainer's event.
    ///   - shouldStop: polled after every step (see ``Trainer/train(directory:progress:shouldStop:)``).
    @discardableResult
    public func run(
        progress: (Int, Int, Trainer.Event) -> Void = { _, _, _ in }, shouldStop: () -> Bool = { false }
    ) throws -> ModelFile {
        let config = try resolvedConfig()
        let fineTuning = try FineTuning(config: config)
        _ = try config.training.frozenNames(in: config.model.makeModel(seed: 0).parameters)
        let byMembers = config.training.distribute == .members && communicator.size > 1
        _ = try TrainingData.openStream(config: config, split: nil)
        ComputeThreads.set(config.training.threads)
        let lock = communicator.rank == 0 ? try RunDirectoryLock(directory: directory) : nil
        defer { withExtendedLifetime(lock) {} }
        if communicator.rank == 0 {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let configJSON = try encoder.encode(config)
            let configURL = directory.appendingPathComponent("config.json")
            try FileSystemError.wrapping(path: configURL.path, action: "cannot write the run config") {
                try configJSON.write(to: configURL, options: .atomic)
            }
        }
        try communicator.barrier()
        let members = plan()
        let combination: MemberCombination =
            config.training.kfold.map { .kfold(k: $0) } ?? config.training.ensemble.map { .ensemble(count: $0) }
            ?? .single
        var sharedFeatures: FeatureSpec?
        if let k = config.training.kfold {
            sharedFeatures = try TrainingData.fittedFeatures(
                config: config, split: .eventNumber(modulus: k, folds: Array(0..<k)), communicator: communicator)
        }
        // With `members`, this rank trains members rank, rank + ranks, ... alone; the others are read back below.
        let trainer = byMembers ? Communicator.solo : communicator
        for (index, member) in members.enumerated()
        where !byMembers || index % communicator.size == communicator.rank {
            var memberConfig = config
            memberConfig.training.seed = member.seed
            let last = member.directory.appendingPathComponent("last.h5")
            let checkpoint =
                FileManager.default.fileExists(atPath: last.path) ? try ModelFile.read(from: last.path) : nil
            if let state = checkpoint?.trainingState, state.finished { continue }
            let data = try Self.trainingJets(
                config: memberConfig, splits: member.splits, features: checkpoint?.features ?? sharedFeatures,
                communicator: trainer, progress: { progress(index, members.count, .note($0)) })
            var memberTrainer = try Trainer(
                config: memberConfig, data: data, checkpoint: checkpoint, fineTuning: fineTuning, communicator: trainer)
            try memberTrainer.train(
                directory: member.directory, progress: { progress(index, members.count, $0) }, shouldStop: shouldStop)
        }
        try communicator.barrier()
        let finals = try members.map { try ModelFile.read(from: $0.directory.appendingPathComponent("model.h5").path) }
        guard combination != .single else { return finals[0] }
        var combined = finals[0]
        combined.combination = combination
        combined.members = finals.flatMap(\.members)
        combined.trainingConfig = config
        if communicator.rank == 0 { try combined.write(to: directory.appendingPathComponent("model.h5").path) }
        try communicator.barrier()
        return combined
    }

    /// The members of this run.
    func plan() -> [Member] {
        let seed = config.training.seed
        if let k = config.training.kfold {
            return (0..<k).map { fold in
                let validation = (fold + 1) % k
                let training = (0..<k).filter { $0 != fold && $0 != validation }
                return Member(
                    directory: directory.appendingPathComponent("fold\(fold)"), seed: seed,
                    splits: (.eventNumber(modulus: k, folds: training), .eventNumber(modulus: k, folds: [validation])))
            }
        }
        if let count = config.training.ensemble {
            return (0..<count).map {
                Member(directory: directory.appendingPathComponent("member\($0)"), seed: seed + UInt64($0))
            }
        }
        return [Member(directory: directory, seed: seed)]
    }
}
