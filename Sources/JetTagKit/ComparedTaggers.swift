import Foundation
import JetData
import JetFeatures
import JetModels

/// The taggers `jettag compare` compares: each one's class probabilities from a `jettag predict` output (a score
/// file of the ``ScoreSchema``), checked to hold the same jets, row by row, as the others and as the labelled
/// files, whose labels, weights and jet variables come with them.
public struct ComparedTaggers {
    /// One tagger's scores.
    public struct Tagger {
        /// The name shown in plots and tables.
        public var name: String
        /// The score file.
        public var path: String
        /// Row-major [N, C] class probabilities in the order of ``ComparedTaggers/classNames``.
        public var probabilities: [Float]
    }

    public let taggers: [Tagger]
    public let classNames: [String]
    /// The class of each compared jet, its event weight and, by variable name, the binned jet variables.
    public let labels: [Int]
    public let weights: [Float]
    public let variables: [String: [Float]]
    /// The labelled files the jets were read from.
    public let labelFiles: [String]

    /// Jets compared.
    public var count: Int { labels.count }

    /// Reads the score files and the labelled jets.
    ///
    /// - Parameters:
    ///   - scoreFiles: `jettag predict` outputs, in the order shown.
    ///   - defaultNames: per score file, the name to use instead of its `tagger` attribute (a run directory's
    ///     name), or nil.
    ///   - names: renames, default name (the file's `tagger` attribute, or its file stem when several files share
    ///     one) to shown name.
    ///   - labelFiles: the labelled jet files the scores were computed on; empty for the first score file's
    ///     `inputs` attribute.
    ///   - labelField: the jet field with the class; `labelMap` remaps it (`data.labelMap`'s meaning).
    ///   - weightField: the jet field with event weights; nil for unit weights.
    ///   - variables: jet variables to read: a ``JetObservable`` (`pt`, `mass`, `multiplicity`, `width`, `ptd`)
    ///     or any jet field (`eta`).
    /// - Throws: ``JetTagKitError/mismatchedScores(file:other:reason:)`` naming the first differing row when the
    ///   files do not hold the same jets in the same order; ``JetTagKitError/invalidScoreFile(file:reason:)``.
    public init(
        scoreFiles: [String], defaultNames givenNames: [String?] = [], names: [String: String] = [:], labelFiles: [String] = [], labelField: String = "label",
        labelMap: [String: Int]? = nil, weightField: String? = "weight", variables: [String] = [], threads: Int = 1
    ) throws {
        guard !scoreFiles.isEmpty else {
            throw JetTagKitError.invalidCompareOption(option: "--scores", value: "", reason: "give at least one score file")
        }
        let files = try scoreFiles.map { try JetOutputFile(path: $0) }
        var classNames: [String]?
        var defaultNames: [String] = []
        for file in files {
            guard let names = file.attributes["class_names"]?.split(separator: ",").map(String.init), names.count >= 2 else {
                throw JetTagKitError.invalidScoreFile(file: file.path, reason: "it has no class_names attribute with two or more classes")
            }
            if let classNames, names != classNames {
                throw JetTagKitError.mismatchedScores(
                    file: file.path, other: files[0].path,
                    reason: "classes \(names.joined(separator: ", ")) against \(classNames.joined(separator: ", "))")
            }
            classNames = names
            defaultNames.append(file.attributes["tagger"] ?? Self.stem(file.path))
        }
        let classes = classNames!
        for (t, file) in files.enumerated() where defaultNames.filter({ $0 == defaultNames[t] }).count > 1 {
            defaultNames[t] = Self.stem(file.path)
        }
        for (t, name) in givenNames.prefix(files.count).enumerated() { if let name { defaultNames[t] = name } }
        let unknown = Set(names.keys).subtracting(defaultNames)
        if let name = unknown.sorted().first {
            throw JetTagKitError.invalidCompareOption(
                option: "--name", value: name, reason: "no tagger has that name (\(defaultNames.joined(separator: ", ")))")
        }
        let shownNames = defaultNames.map { names[$0] ?? $0 }
        if let duplicate = shownNames.first(where: { name in shownNames.filter { $0 == name }.count > 1 }) {
            throw JetTagKitError.invalidCompareOption(
                option: "--name", value: duplicate, reason: "two taggers would both be called this; rename one with --name")
        }

        for file in files.dropFirst() { try Self.checkSameRows(file, as: files[0]) }
        let labelFiles = labelFiles.isEmpty
            ? (files[0].attributes["inputs"]?.split(separator: ",").map(String.init) ?? []) : labelFiles
        guard !labelFiles.isEmpty else {
            throw JetTagKitError.invalidScoreFile(file: files[0].path, reason: "it has no inputs attribute; give --labels")
        }
        var taggers: [Tagger] = []
        for (t, file) in files.enumerated() {
            let schema = ScoreSchema(tagger: file.attributes["tagger"] ?? "", classNames: classes, hasSpread: false)
            let columns = try classes.map { name in
                do { return try file.column(schema.probabilityField(name)) } catch {
                    throw JetTagKitError.invalidScoreFile(file: file.path, reason: "\(error)")
                }
            }
            var probabilities = [Float](repeating: 0, count: file.count * classes.count)
            for (c, column) in columns.enumerated() {
                for row in column.indices { probabilities[row * classes.count + c] = column[row] }
            }
            taggers.append(Tagger(name: shownNames[t], path: file.path, probabilities: probabilities))
        }

        // The labelled jets, then the rows the score files name by jet_index.
        let observables = variables.compactMap(JetObservable.init(rawValue:))
        let kinematics = KinematicFieldNames()
        var jetFields = [labelField] + (weightField.map { [$0] } ?? [])
        jetFields += JetObservable.requiredJetFields(observables, kinematics: kinematics)
        jetFields += variables.filter { JetObservable(rawValue: $0) == nil }
        let stream = try JetStream(
            files: labelFiles,
            options: JetReadOptions(
                jetFields: Array(Set(jetFields)).sorted(),
                constituentFields: JetObservable.requiredConstituentFields(observables, kinematics: kinematics),
                batchSize: 10_000, threads: threads))
        let labelMapping = try ClassLabelMap(classNames: classes, labelMap: labelMap, files: stream.files)
        var allLabels: [Int] = []
        var allWeights: [Float] = []
        var allEvents: [Int64] = []
        var allVariables = [String: [Float]]()
        while let batch = try stream.next() {
            allLabels += try batch.classLabels(field: labelField, labels: labelMapping, files: stream.files).map(Int.init)
            allWeights += weightField.map { batch.jetFields[$0]! } ?? [Float](repeating: 1, count: batch.count)
            allEvents += batch.eventNumbers
            for name in variables {
                allVariables[name, default: []] += try JetObservable(rawValue: name)?.values(in: batch) ?? batch.jetFields[name]!
            }
        }
        let first = files[0]
        var labels: [Int] = []
        var weights: [Float] = []
        labels.reserveCapacity(first.count)
        for row in 0..<first.count {
            let index = Int(first.jetIndices[row])
            guard index >= 0, index < allLabels.count else {
                throw JetTagKitError.mismatchedScores(
                    file: first.path, other: labelFiles.joined(separator: ", "),
                    reason: "row \(row) has jet_index \(index), but the labelled files hold \(allLabels.count) jets")
            }
            guard allEvents[index] == first.eventNumbers[row] else {
                throw JetTagKitError.mismatchedScores(
                    file: first.path, other: labelFiles.joined(separator: ", "),
                    reason: "row \(row) (jet_index \(index)) has event_number \(first.eventNumbers[row]), "
                        + "the labelled jet \(index) has \(allEvents[index])")
            }
            labels.append(allLabels[index])
            weights.append(allWeights[index])
        }
        self.taggers = taggers
        self.classNames = classes
        self.labels = labels
        self.weights = weights
        self.variables = allVariables.mapValues { values in first.jetIndices.map { values[Int($0)] } }
        self.labelFiles = labelFiles
    }

    /// The index of the tagger called `name` (its shown name); nil gives the first.
    public func index(of name: String?) throws(JetTagKitError) -> Int {
        guard let name else { return 0 }
        guard let index = taggers.firstIndex(where: { $0.name == name }) else {
            throw .unknownReference(name: name, taggers: taggers.map(\.name))
        }
        return index
    }

    /// The `jettag predict` output of the run in `run`: the HDF5 file in the directory or one level below with the
    /// attributes predict writes (`model`, `tagger`, `class_names`, `inputs`), the one scoring `labelFiles` when
    /// there are several (any, with no `labelFiles`).
    ///
    /// - Throws: ``JetTagKitError/noScoresInRun(run:reason:)`` when none or several fit.
    public static func scoreFile(inRun run: String, labelFiles: [String]) throws -> String {
        let directory = URL(fileURLWithPath: run)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: run, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw JetTagKitError.missingRunDirectory(path: run)
        }
        let children = ((try? FileManager.default.contentsOfDirectory(atPath: run)) ?? []).sorted()
        let candidates = ([directory] + children.map { directory.appendingPathComponent($0) }).flatMap { folder in
            ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
                .filter { $0.hasSuffix(".h5") }.map { folder.appendingPathComponent($0).path }
        }
        let outputs: [(path: String, inputs: [String])] = candidates.compactMap { path in
            guard let file = try? HDF5File(readingAt: path),
                ["model", "tagger", "class_names", "inputs"].allSatisfy(file.attributeNames().contains),
                let inputs = try? file.nameListAttribute("inputs")
            else { return nil }
            return (path, inputs)
        }
        let wanted = Set(labelFiles.map { URL(fileURLWithPath: $0).standardizedFileURL.path })
        let matching = labelFiles.isEmpty
            ? outputs : outputs.filter { Set($0.inputs.map { URL(fileURLWithPath: $0).standardizedFileURL.path }) == wanted }
        guard matching.count == 1 else {
            let found = outputs.isEmpty
                ? "it holds no jettag predict output; write one with jettag predict --model \(run)/model.h5 FILES --out \(run)/scores.h5"
                : "\(matching.count) of its jettag predict outputs (\(outputs.map(\.path).joined(separator: ", "))) score "
                    + (labelFiles.isEmpty ? "jets" : labelFiles.joined(separator: ", ")) + "; give the one to compare with --scores"
            throw JetTagKitError.noScoresInRun(run: run, reason: found)
        }
        return matching[0].path
    }

    /// Throws unless `file` has the rows of `other`: as many, with the same jet_index and event_number each.
    private static func checkSameRows(_ file: JetOutputFile, as other: JetOutputFile) throws(JetTagKitError) {
        guard file.count == other.count else {
            throw .mismatchedScores(file: file.path, other: other.path, reason: "\(file.count) rows against \(other.count)")
        }
        for row in 0..<file.count
        where file.jetIndices[row] != other.jetIndices[row] || file.eventNumbers[row] != other.eventNumbers[row] {
            throw .mismatchedScores(
                file: file.path, other: other.path,
                reason: "first differing row \(row): jet_index \(file.jetIndices[row]), event_number "
                    + "\(file.eventNumbers[row]) against jet_index \(other.jetIndices[row]), event_number \(other.eventNumbers[row])")
        }
    }

    /// The file name without directory and extension.
    static func stem(_ path: String) -> String {
        URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    }
}
