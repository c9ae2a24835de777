import Foundation
import JetTestSupport
import Testing

@testable import JetTagKit

/// The scan space file: its distributions, the trials' values (a function of seed, trial and key alone) and the
/// errors for a bad space, each naming the key path.
@Suite struct ScanSpaceTests {
    static let spaceText = """
        training.learningRate: {logUniform: [1e-4, 1e-2]}
        training.weightDecay: {uniform: [0, 0.5]}
        training.batchSize: {intUniform: [16, 19]}
        model.deepsets.headLayers: {choice: [[8], [16, 8], relu]}
        """

    func space(_ text: String = spaceText) throws -> ScanSpace {
        try ScanSpace(tree: try ConfigFile.parse(text, origin: "S.yaml"), file: "S.yaml")
    }

    @Test func valuesDependOnlyOnSeedTrialAndKey() throws {
        let space = try space()
        #expect(space.parameters.map(\.key) == [
            "model.deepsets.headLayers", "training.batchSize", "training.learningRate", "training.weightDecay",
        ])
        #expect(space.parameters[2].distribution == .logUniform(low: 1e-4, high: 1e-2))
        let first = (0..<20).map { space.values(seed: 7, trial: $0).map(\.value) }
        let again = (0..<20).map { space.values(seed: 7, trial: $0).map(\.value) }
        #expect(first == again)
        #expect(Set(first.map { "\($0)" }).count == 20, "every trial differs")
        #expect(space.values(seed: 8, trial: 3).map(\.value) != first[3])
        // A key added to the space leaves the others' values as they were.
        let larger = try self.space(Self.spaceText + "\ntraining.momentum: {uniform: [0.5, 0.99]}")
        let values = larger.values(seed: 7, trial: 3).filter { $0.key != "training.momentum" }.map(\.value)
        #expect(values == first[3])
    }

    @Test func valuesStayInTheirRangesAndLogUniformIsUniformInTheLog() throws {
        let space = try space()
        var logs: [Double] = []
        var batchSizes = Set<Int>()
        var choices = Set<String>()
        for trial in 0..<2000 {
            let values = Dictionary(uniqueKeysWithValues: space.values(seed: 1, trial: trial).map { ($0.key, $0.value) })
            guard case .double(let rate) = values["training.learningRate"], case .double(let decay) = values["training.weightDecay"],
                case .int(let batch) = values["training.batchSize"]
            else {
                Issue.record("wrong value types: \(values)")
                return
            }
            #expect(rate >= 1e-4 && rate <= 1e-2)
            #expect(decay >= 0 && decay <= 0.5)
            logs.append(log10(rate))
            batchSizes.insert(batch)
            choices.insert("\(values["model.deepsets.headLayers"]!)")
        }
        #expect(batchSizes == [16, 17, 18, 19])
        #expect(choices == ["[8]", "[16, 8]", "relu"])
        // log10(rate) uniform on [-4, -2]: a quarter of the draws per half decade (binomial sd ~ 0.01).
        for quarter in 0..<4 {
            let low = -4 + 0.5 * Double(quarter)
            let share = Double(logs.filter { $0 >= low && $0 < low + 0.5 }.count) / Double(logs.count)
            #expect(abs(share - 0.25) < 0.04, "quarter \(quarter): \(share)")
        }
        // The extremes of the quantile map hit the bounds.
        #expect(ScanSpace.draw(.logUniform(low: 1e-4, high: 1e-2), u: 0) == .double(1e-4))
        if case .double(let middle) = ScanSpace.draw(.logUniform(low: 1e-4, high: 1e-2), u: 0.5) {
            #expect(abs(middle - 1e-3) < 1e-15, "the geometric mean of the bounds")
        }
        #expect(ScanSpace.draw(.intUniform(low: 2, high: 4), u: 0.9999999) == .int(4))
    }

    @Test func badSpacesFailNamingTheKeyPath() throws {
        func message(_ text: String) -> String {
            do {
                _ = try space(text)
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        #expect(message("") == "S.yaml: has no parameters (expected key.path: {logUniform: [low, high]}, ...)")
        #expect(message("{}").hasPrefix("S.yaml: has no parameters"))
        #expect(message("training.learningRate: {logUniform: [0, 0.01]}")
            == "S.yaml: training.learningRate: logUniform needs positive bounds, got [0.0, 0.01]")
        #expect(message("training.learningRate: {logUniform: [-1, 0.01]}").contains("logUniform needs positive bounds"))
        #expect(message("training.weightDecay: {uniform: [0.5, 0.1]}")
            == "S.yaml: training.weightDecay: uniform needs two numbers [low, high] with low <= high")
        #expect(message("training.batchSize: {intUniform: [16.5, 32]}").contains("training.batchSize: intUniform needs two integers"))
        #expect(message("model.kind: {choice: []}") == "S.yaml: model.kind: choice needs a non-empty list of values")
        #expect(message("training.learningRate: {normal: [0, 1]}").hasPrefix("S.yaml: training.learningRate: expected one of {uniform: ...}"))
        #expect(message("training..rate: {uniform: [0, 1]}").contains("is not a dotted config key path"))
        #expect(message("[1, 2]") == "S.yaml: is not a mapping of config key paths to distributions")
    }

    @Test func trialValuesApplyLikeSetAndUnknownKeysFailWithTheirPath() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let config = directory.path("c.yaml")
        try """
            data: {files: [jets.h5]}
            features: {constituentVariables: [deta, dphi]}
            model: {kind: deepsets}
            training: {epochs: 1}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let spaceFile = directory.path("s.yaml")
        try "training.learningRate: {logUniform: [1e-4, 1e-2]}\nmodel.deepsets.headLayers: {choice: [[8], [4, 4]]}\n"
            .write(toFile: spaceFile, atomically: true, encoding: .utf8)
        let plan = try ScanPlan.search(config: config, overrides: ["training.epochs=2"], spaceFile: spaceFile, trials: 4, seed: 3)
        for trial in 0..<4 {
            let values = Dictionary(uniqueKeysWithValues: plan.trial(trial).values.map { ($0.key, $0.value) })
            let run = try plan.config(trial: trial)
            guard case .double(let rate) = values["training.learningRate"] else {
                Issue.record("no learning rate in \(values)")
                return
            }
            #expect(run.training.learningRate == Float(rate))
            #expect(run.training.epochs == 2)
            #expect(run.training.kfold == ScanPlan.defaultFoldCount, "3 folds when the config has none")
            #expect(values["model.deepsets.headLayers"]!.description == "\(run.model.deepsets!.headLayers)")
        }

        try "training.learningRat: {logUniform: [1e-4, 1e-2]}\n".write(toFile: spaceFile, atomically: true, encoding: .utf8)
        let misspelt = try ScanPlan.search(config: config, spaceFile: spaceFile, trials: 2, seed: 3)
        #expect(throws: (any Error).self) { try misspelt.config(trial: 0) }
        do {
            _ = try misspelt.config(trial: 1)
        } catch {
            #expect("\(error)".hasPrefix("\(config) with trial 1 of \(spaceFile): unknown key 'training.learningRat'"), "\(error)")
        }
        #expect(throws: JetTagKitError.invalidScanOption(option: "--trials", value: "0", reason: "expected a positive number of trials")) {
            try ScanPlan.search(config: config, spaceFile: spaceFile, trials: 0, seed: 3)
        }
        #expect(throws: JetTagKitError.self) { try ScanPlan.learningCurve(configs: [config], fractions: [0.5, 0.25]) }
        #expect(throws: JetTagKitError.self) { try ScanPlan.learningCurve(configs: [config], fractions: [0, 1]) }
        let curve = try ScanPlan.learningCurve(configs: [config, config], fractions: [0.1, 0.5, 1])
        #expect(curve.trialCount == 6)
        #expect(curve.trial(4).config == 1)
        #expect(curve.trial(4).values.map(\.value) == [.double(0.5)])
        #expect(try curve.config(trial: 4).training.trainFraction == 0.5)
    }

    @Test func theSlurmArrayTaskPicksTheTrialRelativeToItsMinimum() throws {
        #expect(try ScanRun.requestedTrial(nil, environment: [:]) == nil)
        #expect(try ScanRun.requestedTrial(2, environment: ["SLURM_ARRAY_TASK_ID": "9"])?.index == 2)
        let task = try ScanRun.requestedTrial(
            nil, environment: ["SLURM_ARRAY_TASK_ID": "12", "SLURM_ARRAY_TASK_MIN": "10", "SLURM_ARRAY_TASK_MAX": "19"])
        #expect(task?.index == 2)
        #expect(throws: JetTagKitError.self) {
            try ScanRun.requestedTrial(nil, environment: ["SLURM_ARRAY_TASK_ID": "12"])
        }
    }
}
