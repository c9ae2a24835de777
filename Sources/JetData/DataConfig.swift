/// The `data` section of a run config: which files, how they are laid out, which fields hold labels and
/// weights, which jets to use and how they are split into training and validation; a training run reads its
/// files with ``JetReadOptions`` made from it.
public struct DataConfig: Codable, Sendable, Equatable {
    /// HDF5 files or glob patterns, read as one stream (required).
    public var files: [String]
    /// The files' layout; nil (YAML `auto` or absent) detects it from the first file.
    public var layout: JetFileLayout?
    /// Jet field holding the class index 0..<classes.
    public var labelField: String
    /// Class names in label order; nil takes the first file's attribute `label_names` (comma-separated) when the
    /// run opens its data.
    public var classNames: [String]?
    /// Remaps the files' labels on purpose: file label name (from its `label_names`) or label value (`"0"`, `"1"`,
    /// ...) to class index in `classNames`, e.g. `{qcd: 1, top: 0}`; nil takes the label values as class indices
    /// and requires a file's `label_names` to equal `classNames`.
    public var labelMap: [String: Int]?
    /// Jet field holding the signed event weight.
    public var weightField: String
    /// Selection expression on jet fields (`JetSelection`), e.g. "pt > 500 && abs(eta) < 2".
    public var selection: String?
    /// How jets are split into training and validation.
    public var split: SplitConfig
    /// At most this many jets per split (the first ones in file order); nil for all.
    public var maxJets: Int?
    /// Jets read per HDF5 batch while loading.
    public var readBatchSize: Int
    /// Whether training holds its splits in memory (true) or streams them from the files (false); nil (YAML
    /// `auto`, the default) holds them in memory when their packed size is at most ``inMemoryLimit``.
    public var inMemory: Bool?
    /// Jets mixed together when streaming: the files' chunks of one shuffle round (docs/STREAMING.md).
    public var shuffleBuffer: Int

    /// The packed size (bytes of constituent and jet features, an upper bound from the rows and slots) up to
    /// which `inMemory: auto` holds the training data in memory: 1 GiB.
    public static let inMemoryLimit = 1 << 30

    public init(
        files: [String], layout: JetFileLayout? = nil, labelField: String = "label", classNames: [String]? = nil,
        labelMap: [String: Int]? = nil, weightField: String = "weight", selection: String? = nil, split: SplitConfig = SplitConfig(),
        maxJets: Int? = nil, readBatchSize: Int = 10_000, inMemory: Bool? = nil, shuffleBuffer: Int = 100_000
    ) {
        self.files = files
        self.layout = layout
        self.labelField = labelField
        self.classNames = classNames
        self.labelMap = labelMap
        self.weightField = weightField
        self.selection = selection
        self.split = split
        self.maxJets = maxJets
        self.readBatchSize = readBatchSize
        self.inMemory = inMemory
        self.shuffleBuffer = shuffleBuffer
    }

    private enum CodingKeys: String, CodingKey {
        case files, layout, labelField, classNames, labelMap, weightField, selection, split, maxJets, readBatchSize, inMemory, shuffleBuffer
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(files: try c.decode([String].self, forKey: .files))
        if (try? c.decode(String.self, forKey: .layout)) == "auto" {
            layout = nil
        } else {
            layout = try c.decodeIfPresent(JetFileLayout.self, forKey: .layout)
        }
        labelField = try c.decode(.labelField, default: labelField)
        classNames = try c.decodeIfPresent([String].self, forKey: .classNames)
        labelMap = try c.decodeIfPresent([String: Int].self, forKey: .labelMap)
        weightField = try c.decode(.weightField, default: weightField)
        selection = try c.decodeIfPresent(String.self, forKey: .selection)
        split = try c.decode(.split, default: split)
        maxJets = try c.decodeIfPresent(Int.self, forKey: .maxJets)
        readBatchSize = try c.decode(.readBatchSize, default: readBatchSize)
        if c.contains(.inMemory), (try? c.decode(String.self, forKey: .inMemory)) != "auto" {
            guard let value = try? c.decode(Bool.self, forKey: .inMemory) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .inMemory, in: c, debugDescription: "must be auto, true or false")
            }
            inMemory = value
        }
        shuffleBuffer = try c.decode(.shuffleBuffer, default: shuffleBuffer)
    }

    /// Writes every option, `layout: auto` when it is detected.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(files, forKey: .files)
        if let layout { try c.encode(layout, forKey: .layout) } else { try c.encode("auto", forKey: .layout) }
        try c.encode(labelField, forKey: .labelField)
        try c.encodeIfPresent(classNames, forKey: .classNames)
        try c.encodeIfPresent(labelMap, forKey: .labelMap)
        try c.encode(weightField, forKey: .weightField)
        try c.encodeIfPresent(selection, forKey: .selection)
        try c.encode(split, forKey: .split)
        try c.encodeIfPresent(maxJets, forKey: .maxJets)
        try c.encode(readBatchSize, forKey: .readBatchSize)
        if let inMemory { try c.encode(inMemory, forKey: .inMemory) } else { try c.encode("auto", forKey: .inMemory) }
        try c.encode(shuffleBuffer, forKey: .shuffleBuffer)
    }
}
