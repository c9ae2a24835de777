import Foundation

/// What a `JetStream` reads and how.
public struct JetReadOptions: Sendable {
    /// The files' layout; nil detects it from the first file (`detectLayout(path:)`).
    public var layout: JetFileLayout?
    /// Jet fields to read (each a Float32 column of the batch).
    public var jetFields: [String]
    /// Constituent fields to read (each [B, P] in the batch).
    public var constituentFields: [String]
    /// P: constituent slots per jet, truncating (keeping the first real ones) or zero-padding the file's
    /// M; nil keeps M.
    public var maxConstituents: Int?
    /// Jets per batch (every batch but the last has exactly this many after selection and split).
    public var batchSize: Int
    /// Jets failing the selection are skipped.
    public var selection: JetSelection?
    /// Only jets in the split are kept.
    public var split: JetSplit?
    /// Only this data shard's rows of each file are read; nil reads every row.
    public var dataShard: DataShard?
    /// The position of the stream's first file in the file list the split is drawn over (the split hashes each
    /// jet's file position and row): a stream over a part of the list, such as a shard's files, keeps the split
    /// of the whole list. 0 for a stream over the whole list.
    public var splitFileOffset = 0
    /// Threads for inflating chunks and converting types.
    public var threads: Int
    /// Whether NaN or infinity in any field read is an error (`JetDataError.nonFinite`).
    public var checkFinite: Bool

    public init(
        layout: JetFileLayout? = nil, jetFields: [String] = [], constituentFields: [String] = [],
        maxConstituents: Int? = nil, batchSize: Int = 1000, selection: JetSelection? = nil, split: JetSplit? = nil,
        dataShard: DataShard? = nil, threads: Int = ProcessInfo.processInfo.activeProcessorCount, checkFinite: Bool = true
    ) {
        self.layout = layout
        self.jetFields = jetFields
        self.constituentFields = constituentFields
        self.maxConstituents = maxConstituents
        self.batchSize = batchSize
        self.selection = selection
        self.split = split
        self.dataShard = dataShard
        self.threads = threads
        self.checkFinite = checkFinite
    }
}
