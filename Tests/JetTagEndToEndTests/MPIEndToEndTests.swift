import Foundation
import JetTestSupport
import Testing

@testable import JetData
import JetModels

/// `mpirun -np N jettag train` on the shipped sample: one model whatever N, and faults that end the whole job.
/// Skipped when `mpirun` is absent, except under CI (`CI=true`), where its absence fails.
@Suite(.enabled(if: mpirun != nil || ProcessInfo.processInfo.environment["CI"] == "true"))
struct MPIEndToEndTests {
    /// A small Deep Sets on 1200 jets of the shipped sample, 4 data shards, dropout on, 2 epochs.
    private func writeConfig(to path: String, file: String, extra: String = "") throws {
        let text = """
            data:
              files: [\(file)]
              split: {validationFraction: 0.2, seed: 1}
              maxJets: 1200
            features:
              maxConstituents: 24
              constituentVariables: [pt_log, logptrel, deltaR, deta, dphi]
            model:
              kind: deepsets
              deepsets: {constituentLayers: [16, 16], headLayers: [16], dropout: 0.1}
            training: {batchSize: 64, epochs: 2, patience: 0, seed: 3, dataShards: 4}
            \(extra)
            """
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    private let sample = packageRoot.appendingPathComponent("Datasets/top_qcd_sample.h5").path

    /// `mpirun -np ranks jettag arguments...`.
    private func launch(
        _ ranks: Int, _ arguments: [String], timeout: TimeInterval = 240
    ) throws -> (status: Int32, stdout: String, stderr: String, timedOut: Bool) {
        let launcher = try #require(mpirun, "mpirun is not installed (Scripts/install-deps.sh installs openmpi-bin)")
        return try runProcess(
            launcher,
            arguments: ["--allow-run-as-root", "--oversubscribe", "-np", "\(ranks)", jetTagExecutable().path]
                + arguments,
            timeout: timeout)
    }

    @Test func sameModelForOneTwoAndFourRanksAndOneProcess() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try writeConfig(to: directory.path("run.yaml"), file: sample)
        let train = ["train", "--config", directory.path("run.yaml"), "--quiet", "--no-report"]
        let plain = try runJetTag(arguments: train + ["--out", directory.path("plain")], timeout: 240)
        try #require(plain.status == 0, "\(plain.stderr)")
        let reference = try ModelFile.read(from: directory.path("plain/model.h5"))
        let history = try String(contentsOfFile: directory.path("plain/history.csv"), encoding: .utf8)
        for ranks in [1, 2, 4] {
            let run = directory.path("np\(ranks)")
            let result = try launch(ranks, train + ["--out", run])
            try #require(result.status == 0 && !result.timedOut, "np \(ranks): \(result.stderr)")
            let model = try ModelFile.read(from: "\(run)/model.h5")
            #expect(model.members == reference.members, "np \(ranks): parameters differ from one process")
            let last = try ModelFile.read(from: "\(run)/last.h5")
            #expect(last.optimizerState == (try ModelFile.read(from: directory.path("plain/last.h5"))).optimizerState)
            // losses and accuracies equal; the columns after them are timings
            let lines = try String(contentsOfFile: "\(run)/history.csv", encoding: .utf8).split(separator: "\n")
            #expect(
                lines.map { $0.split(separator: ",").prefix(5) }
                    == history.split(separator: "\n").map { $0.split(separator: ",").prefix(5) })
            // the rate counts every rank's jets: seconds x jets/s is the epoch's training jets of one process
            let jets = { (line: Substring) in line.split(separator: ",").suffix(2).compactMap { Double($0) }.reduce(1, *) }
            #expect(
                zip(lines.dropFirst(), history.split(separator: "\n").dropFirst()).allSatisfy { abs(jets($0) - jets($1)) < 0.5 },
                "np \(ranks): \(lines) against \(history)")
            // rank 0 alone writes: the run directory holds the run files and nothing else (no second rank's
            // temporary or lock files)
            let files = try FileManager.default.contentsOfDirectory(atPath: run).sorted()
            #expect(files == [".lock", "config.json", "history.csv", "history.json", "last.h5", "model.h5"], "\(files)")
        }
        // a different shard count is a different training: the comparison above can fail
        let oneShard = try runJetTag(
            arguments: train + ["--out", directory.path("s1"), "--set", "training.dataShards=1"], timeout: 240)
        try #require(oneShard.status == 0, "\(oneShard.stderr)")
        #expect(try ModelFile.read(from: directory.path("s1/model.h5")).members != reference.members)
    }

    /// Streamed training over 2 ranks: the in-memory model of one process when the shuffle buffer covers the
    /// split, and the streamed model of one process with a small buffer (several shuffle rounds per shard).
    @Test func streamedOverTwoRanksEqualsOneProcess() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try writeConfig(to: directory.path("run.yaml"), file: sample)
        let train = ["train", "--config", directory.path("run.yaml"), "--quiet", "--no-report"]
        let streamed = ["--set", "data.inMemory=false"]
        let small = streamed + ["--set", "data.shuffleBuffer=100"]
        let plain = try runJetTag(arguments: train + ["--out", directory.path("plain"), "--set", "data.inMemory=true"], timeout: 240)
        try #require(plain.status == 0, "\(plain.stderr)")
        let plainSmall = try runJetTag(arguments: train + small + ["--out", directory.path("plain-small")], timeout: 240)
        try #require(plainSmall.status == 0, "\(plainSmall.stderr)")
        for (name, options, reference) in [("np2", streamed, "plain"), ("np2-small", small, "plain-small")] {
            let result = try launch(2, train + options + ["--out", directory.path(name)])
            try #require(result.status == 0 && !result.timedOut, "\(name): \(result.stderr)")
            #expect(
                try ModelFile.read(from: directory.path("\(name)/model.h5")).members
                    == ModelFile.read(from: directory.path("\(reference)/model.h5")).members, "\(name)")
        }
        #expect(
            try ModelFile.read(from: directory.path("plain-small/model.h5")).members
                != ModelFile.read(from: directory.path("plain/model.h5")).members, "the buffer size matters")
    }

    @Test(arguments: [
        ("training.ensemble=2", "training.distribute=members"), ("training.kfold=3", "training.distribute=data"),
    ])
    func ensemblesAndFoldsOverRanks(members: String, distribute: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try writeConfig(to: directory.path("run.yaml"), file: sample)
        let train = [
            "train", "--config", directory.path("run.yaml"), "--quiet", "--no-report", "--set", members, "--set",
            distribute, "--set", "training.epochs=1",
        ]
        let plain = try runJetTag(arguments: train + ["--out", directory.path("plain")], timeout: 240)
        try #require(plain.status == 0, "\(plain.stderr)")
        let result = try launch(2, train + ["--out", directory.path("np2")])
        try #require(result.status == 0 && !result.timedOut, "\(result.stderr)")
        let reference = try ModelFile.read(from: directory.path("plain/model.h5"))
        let model = try ModelFile.read(from: directory.path("np2/model.h5"))
        #expect(model.members.count == reference.members.count && model.members.count > 1)
        #expect(model.members == reference.members)
        #expect(model.combination == reference.combination)
    }

    @Test func shardCountMustBeAMultipleOfTheRanks() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try writeConfig(to: directory.path("run.yaml"), file: sample)
        let result = try launch(
            3, ["train", "--config", directory.path("run.yaml"), "--out", directory.path("run"), "--quiet"],
            timeout: 120)
        #expect(result.status != 0 && !result.timedOut)
        #expect(result.stderr.contains("training.dataShards is 4, not a multiple of the 3 MPI ranks"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.path("run/model.h5")))
    }

    @Test func aRankThatCannotReadItsShardEndsTheJob() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // rows 6000-6999 of the constituents unreadable: in shard 1 of 2 (rows 3700-7399), not in shard 0
        let damaged = directory.path("damaged.h5")
        try FileManager.default.copyItem(atPath: sample, toPath: damaged)
        let chunks = try HDF5File(readingAt: damaged).dataset("constituents").rawDataRegions()
        try #require(chunks.count == 8, "the sample's constituents have 8 chunks of 1000 rows")
        let file = try FileHandle(forWritingTo: URL(fileURLWithPath: damaged))
        try file.seek(toOffset: UInt64(chunks[6].lowerBound + 16))
        file.write(Data(repeating: 0xFF, count: 2048))
        try file.close()
        // standardisation given, so rank 0 does not fit it on the whole training split (which reads rows 6000-6999)
        try writeConfig(to: directory.path("run.yaml"), file: damaged)
        let standardized = "[" + ["pt_log", "logptrel", "deltaR", "deta", "dphi"].map { "[\($0), 0, 1, -5, 5, 0]" }
            .joined(separator: ", ") + "]"
        let result = try launch(
            2,
            [
                "train", "--config", directory.path("run.yaml"), "--out", directory.path("run"), "--quiet",
                "--set", "training.dataShards=2", "--set", "data.maxJets=7400",
                "--set", "features.constituentVariables=\(standardized)",
            ], timeout: 180)
        #expect(!result.timedOut, "the job hung")
        #expect(result.status != 0)
        #expect(result.stderr.contains("Error: rank 1 of 2: \(damaged)"), "\(result.stderr)")
        #expect(!result.stderr.contains("Error: rank 0 of 2"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.path("run/model.h5")))
    }

    @Test func aKilledRankEndsTheJob() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try writeConfig(to: directory.path("run.yaml"), file: sample)
        let launcher = try #require(mpirun)
        let job = Process()
        job.executableURL = launcher
        job.arguments = [
            "--allow-run-as-root", "--oversubscribe", "-np", "2", jetTagExecutable().path, "train", "--config",
            directory.path("run.yaml"), "--out", directory.path("run"), "--quiet", "--set", "training.epochs=500",
            "--set", "training.dataShards=2",
        ]
        job.standardOutput = FileHandle.nullDevice
        job.standardError = FileHandle.nullDevice
        try job.run()
        defer { if job.isRunning { kill(-job.processIdentifier, SIGKILL); job.terminate() } }
        // rank 1, once training started (the first history line is written after epoch 1)
        var rank1: Int32?
        let started = Date()
        while Date().timeIntervalSince(started) < 180 && job.isRunning {
            if rank1 == nil {
                rank1 = processes(withEnvironment: "OMPI_COMM_WORLD_RANK=1", argument: directory.path("run")).first
            }
            if rank1 != nil && FileManager.default.fileExists(atPath: directory.path("run/history.csv")) { break }
            Thread.sleep(forTimeInterval: 0.2)
        }
        let victim = try #require(rank1, "rank 1 never started")
        try #require(job.isRunning, "the job ended before rank 1 was killed")
        kill(victim, SIGKILL)
        let killed = Date()
        while job.isRunning && Date().timeIntervalSince(killed) < 60 { Thread.sleep(forTimeInterval: 0.2) }
        #expect(!job.isRunning, "mpirun still runs 60 s after rank 1 was killed")
        if !job.isRunning { #expect(job.terminationStatus != 0) }
    }

    /// Trains with `options` on 1 and 2 ranks; returns both run directories after checking they hold the same
    /// model (parameters with BatchNorm statistics, optimizer state) and the same history.
    @discardableResult
    private func sameModelOnOneAndTwoRanks(_ options: [String], in directory: TemporaryDirectory) throws -> [String] {
        try writeConfig(to: directory.path("run.yaml"), file: sample)
        let train = ["train", "--config", directory.path("run.yaml"), "--quiet", "--no-report"] + options
        let runs = [1, 2].map { directory.path("np\($0)") }
        for (ranks, run) in zip([1, 2], runs) {
            let result = try launch(ranks, train + ["--out", run])
            try #require(result.status == 0 && !result.timedOut, "np \(ranks): \(result.stderr)")
        }
        let models = try runs.map { try ModelFile.read(from: "\($0)/model.h5") }
        #expect(models[0].members == models[1].members, "np 1 and np 2 trained different models")
        let last = try runs.map { try ModelFile.read(from: "\($0)/last.h5") }
        #expect(last[0].optimizerState == last[1].optimizerState)
        let histories = try runs.map { run in
            try String(contentsOfFile: "\(run)/history.csv", encoding: .utf8).split(separator: "\n")
                .map { $0.split(separator: ",").prefix(5) }
        }
        #expect(histories[0] == histories[1])
        return runs
    }

    /// Early stopping (patience 1, a minimum improvement most epochs miss) stops both rank counts after the same
    /// epoch, long before `training.epochs`, with the same model.
    @Test func earlyStoppingStopsAtTheSameEpochOnOneAndTwoRanks() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let runs = try sameModelOnOneAndTwoRanks(
            ["--set", "training.epochs=40", "--set", "training.patience=1", "--set", "training.minDelta=0.01",
             "--set", "training.learningRate=0.01"], in: directory)
        let epochs = try String(contentsOfFile: "\(runs[1])/history.csv", encoding: .utf8)
            .split(separator: "\n").count - 1
        #expect(epochs >= 2 && epochs < 40, "stopped after \(epochs) epochs")
    }

    /// Deep Sets with BatchNorm (running statistics from part 0, precise BatchNorm on rank 0) gives the same model
    /// on 1 and 2 ranks.
    @Test(arguments: ["0", "4"])
    func batchNormGivesTheSameModelOnOneAndTwoRanks(preciseBatchNorm: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try sameModelOnOneAndTwoRanks(
            ["--set", "model.deepsets.batchNorm=true", "--set", "training.preciseBatchNorm=\(preciseBatchNorm)"],
            in: directory)
        // the model has BatchNorm layers whose running statistics moved from their start (zero means)
        let means = try ModelFile.read(from: directory.path("np2/model.h5")).members[0]
            .filter { $0.name.hasSuffix(".running_mean") }
        #expect(!means.isEmpty && means.allSatisfy { $0.values.contains { $0 != 0 } }, "\(means.map(\.name))")
    }

    /// SIGTERM or SIGUSR1 to `mpirun`, or to every rank (as Slurm signals every task of a step), after the first
    /// epoch: rank 0 writes `last.h5`, every rank exits 130 (what the requeue script and Slurm's requeue expect), no
    /// rank is left, and the same command with `--resume-if-exists` ends with the uninterrupted run's model.
    /// One case at a time: an mpirun ended by SIGTERM removes Open MPI's session directory, which a concurrently
    /// starting mpirun may be creating.
    @Test(.serialized, arguments: [("mpirun", SIGTERM), ("mpirun", SIGUSR1), ("ranks", SIGTERM), ("ranks", SIGUSR1)])
    func aSignalCheckpointsAndTheSameCommandResumesToTheSameModel(target: String, signal: Int32) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try writeConfig(to: directory.path("run.yaml"), file: sample)
        let train = [
            "train", "--config", directory.path("run.yaml"), "--no-report", "--resume-if-exists",
            "--set", "training.epochs=30", "--set", "training.dataShards=2", "--out",
        ]
        let reference = try launch(2, train + [directory.path("reference")])
        try #require(reference.status == 0 && !reference.timedOut, "\(reference.stderr)")

        let run = directory.path("run")
        let launcher = try #require(mpirun)
        let job = Process()
        // mpirun through a Python exec that clears the signal mask and dispositions the test process passes on
        // to its children (a shell or sbatch would not block them)
        job.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        job.arguments = [
            "python3", "-c",
            "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); "
                + "[signal.signal(s, signal.SIG_DFL) for s in (signal.SIGTERM, signal.SIGUSR1)]; "
                + "os.execv(sys.argv[1], sys.argv[1:])",
            launcher.path, "--allow-run-as-root", "--oversubscribe", "-np", "2", jetTagExecutable().path,
        ] + train + [run]
        let errors = Pipe()
        job.standardOutput = FileHandle.nullDevice
        job.standardError = errors
        try job.run()
        defer { if job.isRunning { job.terminate() } }
        let started = Date()
        while job.isRunning && Date().timeIntervalSince(started) < 180
            && !FileManager.default.fileExists(atPath: "\(run)/history.csv")
        {
            Thread.sleep(forTimeInterval: 0.01)
        }
        try #require(job.isRunning, "the job ended before the signal")
        let ranks = (0..<2).flatMap { processes(withEnvironment: "OMPI_COMM_WORLD_RANK=\($0)", argument: run) }
        try #require(ranks.count == 2, "ranks \(ranks)")
        if target == "mpirun" { kill(job.processIdentifier, signal) } else { for rank in ranks { kill(rank, signal) } }
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        job.waitUntilExit()
        // Every rank exits 130 and mpirun passes that on; but an mpirun that gets SIGTERM itself ends the job (it
        // passes SIGTERM to the ranks, which checkpoint as usual) and exits 1 whatever the ranks' codes (Open MPI).
        if target == "mpirun" && signal == SIGTERM {
            #expect(job.terminationStatus != 0, "\(stderr)")
        } else {
            #expect(job.terminationStatus == 130, "\(stderr)")
        }
        #expect(stderr.contains("training interrupted; checkpoint written to"), "\(stderr)")
        // gone (or a zombie left for init to reap) within 10 s of mpirun's exit
        func alive() -> [Int32] {
            ranks.filter { rank in
                let stat = (try? String(contentsOfFile: "/proc/\(rank)/stat", encoding: .utf8)) ?? ""
                return !stat.isEmpty && !stat.contains(") Z ")
            }
        }
        let ended = Date()
        while !alive().isEmpty && Date().timeIntervalSince(ended) < 10 { Thread.sleep(forTimeInterval: 0.1) }
        #expect(alive().isEmpty, "ranks \(alive()) outlived mpirun by 10 s")
        let epochs = try String(contentsOfFile: "\(run)/history.csv", encoding: .utf8).split(separator: "\n").count - 1
        #expect(epochs < 30, "the signal came after the last epoch")

        let resumed = try launch(2, train + [run])
        try #require(resumed.status == 0 && !resumed.timedOut, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("resuming the run in \(run)"), "\(resumed.stderr)")
        #expect(
            try ModelFile.read(from: "\(run)/model.h5").members
                == ModelFile.read(from: directory.path("reference/model.h5")).members)
        #expect(
            try ModelFile.read(from: "\(run)/last.h5").optimizerState
                == ModelFile.read(from: directory.path("reference/last.h5")).optimizerState)
    }

    /// Processes whose environment holds `entry` (a `NAME=value`) and whose arguments hold `argument` (other tests'
    /// MPI jobs run at the same time), read from /proc.
    private func processes(withEnvironment entry: String, argument: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        func fields(_ pid: Int32, _ file: String) -> [String] {
            (FileManager.default.contents(atPath: "/proc/\(pid)/\(file)") ?? Data()).split(separator: 0)
                .map { String(decoding: $0, as: UTF8.self) }
        }
        return entries.compactMap(Int32.init).filter { pid in
            fields(pid, "cmdline").contains(argument) && fields(pid, "environ").contains(entry)
        }
    }
}

/// `mpirun` on the PATH, if any.
let mpirun: URL? = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
    .map { URL(fileURLWithPath: String($0)).appendingPathComponent("mpirun") }
    .first { FileManager.default.isExecutableFile(atPath: $0.path) }
