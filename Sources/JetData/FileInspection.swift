import Foundation

/// What `jettag inspect` reports about one file: its datasets, the detected layout, and jet statistics.
///
/// JetTag's own per-jet outputs (a `jets` table with `jet_index` and no constituents, written by `predict` and
/// `reweight apply`) are described by their datasets, with `layout` and the jet statistics nil.
public struct FileInspection: Codable, Sendable {
    public struct Field: Codable, Sendable {
        public var name: String
        public var type: String
    }

    public struct Dataset: Codable, Sendable {
        public var path: String
        public var shape: [Int]
        public var type: String
        /// Compound members with their types (empty for plain types).
        public var fields: [Field]
        /// Chunk shape, nil when not chunked.
        public var chunks: [Int]?
        /// Filters in pipeline order, such as "shuffle", "deflate(4)".
        public var filters: [String]
    }

    public struct Summary: Codable, Sendable {
        public var sum: Double
        public var min: Float
        public var max: Float
        public var negativeFraction: Double
    }

    public struct Multiplicity: Codable, Sendable {
        public var mean: Double
        public var max: Int
    }

    public var file: String
    public var datasets: [Dataset]
    public var layout: JetFileLayout?
    public var jets: Int?
    /// Constituent slots per jet in the file (M).
    public var constituentSlots: Int?
    /// Jets per label value, when the layout has a `label` jet field.
    public var labelCounts: [String: Int]?
    /// The file attribute `label_names`, when present.
    public var labelNames: [String]?
    /// Event weights, when the layout has a `weight` jet field.
    public var weights: Summary?
    public var multiplicity: Multiplicity?

    /// Inspects the file at `path`, detecting its layout unless `layout` is given; reads every jet once.
    ///
    /// - Throws: `JetDataError` for a file that cannot be opened or read in its layout.
    public static func inspect(path: String, layout givenLayout: JetFileLayout? = nil, threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws -> FileInspection {
        let file = try HDF5File(readingAt: path)
        let datasets = try file.datasetNames().map { name in
            let dataset = try file.dataset(name)
            return Dataset(
                path: name, shape: dataset.shape, type: dataset.typeDescription,
                fields: dataset.isCompound ? dataset.members.map { Field(name: $0.name, type: $0.typeDescription) } : [],
                chunks: dataset.chunkShape,
                filters: dataset.filters.map { filter in
                    filter.id == 1 ? "deflate(\(filter.parameters.first ?? 0))" : filter.id == 2 ? "shuffle" : filter.name
                })
        }
        let layout = try givenLayout ?? detectLayout(path: path)
        if givenLayout == nil, case .compound(let compound) = layout, !file.contains(compound.constituents),
            try file.dataset(compound.jets).fieldNames.contains("jet_index")
        {
            return FileInspection(file: path, datasets: datasets)
        }
        let reader = try makeLayoutReader(path: path, layout: layout)
        let jetFields = ["label", "weight"].filter { reader.jetFieldNames.contains($0) }
        let stream = try JetStream(
            file: path, options: JetReadOptions(layout: layout, jetFields: jetFields, batchSize: 10_000, threads: threads))
        var labelCounts: [String: Int] = [:]
        var weights = Summary(sum: 0, min: .infinity, max: -.infinity, negativeFraction: 0)
        var negative = 0, constituents = 0, maxMultiplicity = 0
        while let batch = try stream.next() {
            for label in batch.jetFields["label"] ?? [] { labelCounts[String(Int(label)), default: 0] += 1 }
            for weight in batch.jetFields["weight"] ?? [] {
                weights.sum += Double(weight)
                weights.min = Swift.min(weights.min, weight)
                weights.max = Swift.max(weights.max, weight)
                if weight < 0 { negative += 1 }
            }
            for multiplicity in batch.multiplicities {
                constituents += Int(multiplicity)
                maxMultiplicity = Swift.max(maxMultiplicity, Int(multiplicity))
            }
        }
        weights.negativeFraction = Double(negative) / Double(reader.jetCount)
        return FileInspection(
            file: path, datasets: datasets, layout: layout, jets: reader.jetCount, constituentSlots: reader.width,
            labelCounts: jetFields.contains("label") ? labelCounts : nil,
            labelNames: try file.stringAttribute("label_names").map { $0.count == 1 ? $0[0].components(separatedBy: ",") : $0 },
            weights: jetFields.contains("weight") ? weights : nil,
            multiplicity: Multiplicity(mean: Double(constituents) / Double(reader.jetCount), max: maxMultiplicity))
    }

    private init(file: String, datasets: [Dataset]) {
        self.file = file
        self.datasets = datasets
    }

    private init(
        file: String, datasets: [Dataset], layout: JetFileLayout, jets: Int, constituentSlots: Int,
        labelCounts: [String: Int]?, labelNames: [String]?, weights: Summary?, multiplicity: Multiplicity
    ) {
        self.init(file: file, datasets: datasets)
        self.layout = layout
        self.jets = jets
        self.constituentSlots = constituentSlots
        self.labelCounts = labelCounts
        self.labelNames = labelNames
        self.weights = weights
        self.multiplicity = multiplicity
    }

    /// The human-readable report.
    public var report: String {
        var lines = ["File: \(file)", "Datasets:"]
        for dataset in datasets {
            let shape = "(" + dataset.shape.map(String.init).joined(separator: ", ") + ")"
            var line = "  \(dataset.path)  shape \(shape)  \(dataset.type)"
            if let chunks = dataset.chunks { line += "  chunks (" + chunks.map(String.init).joined(separator: ", ") + ")" }
            line += dataset.filters.isEmpty ? "  uncompressed" : "  " + dataset.filters.joined(separator: " + ")
            lines.append(line)
            if !dataset.fields.isEmpty {
                lines.append("      " + dataset.fields.map { "\($0.name): \($0.type)" }.joined(separator: ", "))
            }
        }
        guard let layout, let jets, let constituentSlots, let multiplicity else {
            lines.append("Layout: a per-jet output of JetTag (no constituents to summarise)")
            return lines.joined(separator: "\n")
        }
        lines.append("Layout: \(layout)")
        lines.append("Jets: \(jets) (constituent slots per jet: \(constituentSlots))")
        if let labelCounts {
            let counts = labelCounts.sorted { Int($0.key)! < Int($1.key)! }.map { label, count in
                let name = labelNames.flatMap { names in Int(label).flatMap { $0 < names.count ? " (\(names[$0]))" : nil } } ?? ""
                return "\(label)\(name): \(count)"
            }
            lines.append("Labels: " + counts.joined(separator: ", "))
        }
        if let weights {
            lines.append(String(
                format: "Weights: sum %.6g, min %.6g, max %.6g, negative %.2f%%", weights.sum, Double(weights.min),
                Double(weights.max), 100 * weights.negativeFraction))
        }
        lines.append(String(format: "Constituents per jet: mean %.2f, max %d", multiplicity.mean, multiplicity.max))
        return lines.joined(separator: "\n")
    }
}
