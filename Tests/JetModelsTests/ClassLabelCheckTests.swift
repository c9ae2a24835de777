import Foundation
import JetData
import JetTestSupport
import Testing

@testable import JetModels

/// Class names checked against the files' `label_names`, and `data.labelMap` remapping on purpose.
@Suite struct ClassLabelCheckTests {
    /// A small Deep Sets config on `file`, with `data` keys and `deepsets` options added.
    private func config(file: String, data: [String: Any] = [:], deepsets: [String: Any] = [:]) throws -> RunConfig {
        var dataSection: [String: Any] = ["files": [file], "split": ["validationFraction": 0.25, "seed": 3]]
        for (key, value) in data { dataSection[key] = value }
        var options: [String: Any] = ["constituentLayers": [8], "headLayers": [8]]
        for (key, value) in deepsets { options[key] = value }
        return try RunConfig.load(
            tree: [
                "data": dataSection,
                "features": [
                    "maxConstituents": SyntheticJetFile.slots, "constituentVariables": ["deta", "dphi", "logptrel"],
                ],
                "model": ["kind": "deepsets", "deepsets": options],
            ], file: "test.yaml")
    }

    /// A directory with `jets.h5`: 80 synthetic jets, labels 0, 1, 0, ... by row, `label_names` "background,signal".
    private func syntheticFile() throws -> (TemporaryDirectory, String) {
        let directory = try TemporaryDirectory()
        let path = directory.path("jets.h5")
        try SyntheticJetFile.write(to: path, count: 80, seed: 4)
        return (directory, path)
    }

    @Test func classNamesInAnotherOrderOrOthersStopTheRun() throws {
        let (directory, path) = try syntheticFile()
        defer { directory.remove() }
        let swapped = try config(file: path, data: ["classNames": ["signal", "background"]])
        #expect(throws: JetModelsError.classNamesMismatch(
            file: path, fileNames: ["background", "signal"], classNames: ["signal", "background"])
        ) { try swapped.resolvingClassNames() }
        #expect(
            JetModelsError.classNamesMismatch(
                file: "a.h5", fileNames: ["qcd", "top"], classNames: ["top", "qcd"]
            ).description
                == "a.h5: its label_names \"qcd,top\" contradict the class names [top, qcd] (label 0 is qcd in the "
                + "file, top in the config; label 1 is top in the file, qcd in the config); write data.classNames in "
                + "the file's order, or give data.labelMap to remap on purpose (file label name or value: class "
                + "index, e.g. labelMap: {qcd: 1, top: 0})")
        let other = try config(file: path, data: ["classNames": ["background", "higgs"]])
        #expect(throws: JetModelsError.classNamesMismatch(
            file: path, fileNames: ["background", "signal"], classNames: ["background", "higgs"])
        ) { try other.resolvingClassNames() }
        let run = TrainingRun(config: other, directory: directory.url.appendingPathComponent("run"))
        #expect(throws: JetModelsError.self) { try run.run() }
        #expect(!FileManager.default.fileExists(atPath: directory.path("run")))
        // Every file of the stream is checked, not only the first.
        let third = directory.path("c.h5")
        try SyntheticJetFile.write(to: third, count: 30, seed: 5, classes: 3)
        let mixed = try config(file: path, data: ["files": [path, third]])
        #expect(throws: JetModelsError.classNamesMismatch(
            file: third, fileNames: ["background", "signal", "other"], classNames: ["background", "signal"])
        ) { try mixed.resolvingClassNames() }
    }

    @Test func aLabelMapRemapsByNameOrByValue() throws {
        let (directory, path) = try syntheticFile()
        defer { directory.remove() }
        for labelMap in [["background": 1, "signal": 0], ["0": 1, "1": 0]] {
            let remapped = try config(
                file: path, data: ["classNames": ["signal", "background"], "labelMap": labelMap]
            ).resolvingClassNames()
            #expect(remapped.data.labelMap == labelMap)
            let data = try TrainingData.load(config: remapped)
            for set in [data.training, data.validation] {
                #expect(set.count > 0)
                // Row r has file label r % 2 and event number 1000 + r; the map swaps the classes.
                #expect(set.labels == set.eventNumbers.map { Int32(1 - ($0 - 1000) % 2) }, "\(labelMap)")
            }
        }
    }

    @Test func aBadLabelMapIsAnError() throws {
        let (directory, path) = try syntheticFile()
        defer { directory.remove() }
        let names: [String: Any] = ["classNames": ["signal", "background"]]
        func resolving(_ labelMap: [String: Int]) throws -> RunConfig {
            var data = names
            data["labelMap"] = labelMap
            return try config(file: path, data: data).resolvingClassNames()
        }
        #expect(throws: JetModelsError.invalidData(
            "data.labelMap: 'signal' maps to class 2, expected a class index in 0..<2 (classes: signal, background)")
        ) { try resolving(["background": 1, "signal": 2]) }
        #expect(throws: JetModelsError.invalidData(
            "data.labelMap: 'top' is neither a label value (0, 1, ...) nor a class of \(path) (label_names: "
                + "background, signal)")
        ) { try resolving(["background": 1, "top": 0]) }
        #expect(throws: JetModelsError.invalidData(
            "data.labelMap: label 1 of \(path) is mapped twice (once as 'signal')")
        ) { try resolving(["1": 0, "signal": 1]) }
        // A label the map leaves out is an error naming the row when a jet carries it.
        let partial = try resolving(["background": 1])
        #expect(throws: JetModelsError.invalidData(
            "\(path): jet row 1: label field 'label' is 1.0, expected a label value of data.labelMap "
                + "(classes: signal, background)")
        ) { try TrainingData.load(config: partial) }
    }

    @Test func aWrittenClassCountMustAgreeWithTheFile() throws {
        let (directory, path) = try syntheticFile()
        defer { directory.remove() }
        #expect(throws: JetModelsError.invalidData(
            "\(path): the attribute label_names names 2 classes (background, signal), but model.deepsets.classes is 3; "
                + "leave it out, or give data.classNames and data.labelMap")
        ) { try config(file: path, deepsets: ["classes": 3]).resolvingClassNames() }
        #expect(try config(file: path, deepsets: ["classes": 2]).resolvingClassNames().model.classes == 2)
        #expect(throws: JetModelsError.invalidValue(
            path: "model.deepsets.classes", file: "test.yaml",
            expected: "is 3, but the features and classes of this config give 2; leave it out")
        ) { try config(file: path, data: ["classNames": ["background", "signal"]], deepsets: ["classes": 3]) }
        // Without written classes the file's three names set the count.
        let three = directory.path("three.h5")
        try SyntheticJetFile.write(to: three, count: 30, seed: 5, classes: 3)
        #expect(try config(file: three).resolvingClassNames().model.classes == 3)
    }
}
