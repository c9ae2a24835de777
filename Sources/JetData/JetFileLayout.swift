/// How a file stores its jets: one of the four layouts of docs/DESIGN.md section 2, with the dataset and
/// field names to use. Codable as a flat mapping with a `kind` key, for example
/// `{kind: compound, constituents: tracks}`; omitted keys take the defaults below.
public enum JetFileLayout: Sendable, Equatable, Codable, CustomStringConvertible {
    case compound(CompoundLayout)
    case columns(ColumnsLayout)
    case dense(DenseLayout)
    case pandas(PandasLayout)

    private enum Kind: String, Codable { case compound, columns, dense, pandas }
    private enum CodingKeys: String, CodingKey { case kind }

    public init(from decoder: Decoder) throws {
        switch try decoder.container(keyedBy: CodingKeys.self).decode(Kind.self, forKey: .kind) {
        case .compound: self = .compound(try CompoundLayout(from: decoder))
        case .columns: self = .columns(try ColumnsLayout(from: decoder))
        case .dense: self = .dense(try DenseLayout(from: decoder))
        case .pandas: self = .pandas(try PandasLayout(from: decoder))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .compound(let layout): try container.encode(Kind.compound, forKey: .kind); try layout.encode(to: encoder)
        case .columns(let layout): try container.encode(Kind.columns, forKey: .kind); try layout.encode(to: encoder)
        case .dense(let layout): try container.encode(Kind.dense, forKey: .kind); try layout.encode(to: encoder)
        case .pandas(let layout): try container.encode(Kind.pandas, forKey: .kind); try layout.encode(to: encoder)
        }
    }

    /// One line naming the kind and its datasets, as `jettag inspect` prints it.
    public var description: String {
        switch self {
        case .compound(let layout):
            return "compound (jets: '\(layout.jets)', constituents: '\(layout.constituents)', valid field: '\(layout.validField)')"
        case .columns(let layout):
            let mask = layout.mask.map { "mask: '\($0)'" } ?? layout.count.map { "count: '\($0)'" } ?? "no mask"
            return "columns (jet datasets '\(layout.jetPrefix)*', constituent datasets '\(layout.constituentPrefix)*', \(mask))"
        case .dense(let layout):
            return "dense (particles: '\(layout.particles)', jets: '\(layout.jets)')"
        case .pandas(let layout):
            return "pandas fixed frame (group '\(layout.group)', label column '\(layout.labelColumn)')"
        }
    }
}

/// ATLAS-style compound datasets: `jets` (N) and `constituents` (N, M) with a boolean `valid` field.
public struct CompoundLayout: Sendable, Equatable, Codable {
    /// 1-D compound dataset of jets.
    public var jets = "jets"
    /// 2-D compound dataset of constituents (ATLAS: `tracks` or `flow`).
    public var constituents = "constituents"
    /// Constituent field marking real entries.
    public var validField = "valid"
    /// Jet field with the event number; nil (`eventNumberField: null`) numbers events by row index.
    /// A file without this field is an error, never a silent fallback to row indices.
    public var eventNumberField: String? = "event_number"
    /// Jet field with the number of constituents; when the file has it, it must agree with `validField`.
    public var countField = "n_constituents"

    public init(jets: String = "jets", constituents: String = "constituents") {
        self.jets = jets
        self.constituents = constituents
    }

    public init(from decoder: Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        jets = try values.decode(.jets, default: jets)
        constituents = try values.decode(.constituents, default: constituents)
        validField = try values.decode(.validField, default: validField)
        eventNumberField = try values.contains(.eventNumberField)
            ? values.decodeIfPresent(String.self, forKey: .eventNumberField) : eventNumberField
        countField = try values.decode(.countField, default: countField)
    }
}

/// weaver / PyTables style: one dataset per variable, `jet_pt` (N), `part_pt` (N, M), ...
public struct ColumnsLayout: Sendable, Equatable, Codable {
    /// Prefix of jet datasets: jet field `pt` is dataset `jet_pt`.
    public var jetPrefix = "jet_"
    /// Prefix of constituent datasets: constituent field `pt` is dataset `part_pt`.
    public var constituentPrefix = "part_"
    /// (N, M) dataset, nonzero for real constituents; takes precedence over `count`.
    public var mask: String? = "part_mask"
    /// (N) dataset with the number of real constituents (the first ones of each row).
    public var count: String?
    /// (N) dataset with event numbers; nil (`eventNumber: null`) numbers events by row index.
    /// A file without this dataset is an error, never a silent fallback to row indices.
    public var eventNumber: String? = "event_number"

    public init(jetPrefix: String = "jet_", constituentPrefix: String = "part_", mask: String? = "part_mask", count: String? = nil) {
        self.jetPrefix = jetPrefix
        self.constituentPrefix = constituentPrefix
        self.mask = mask
        self.count = count
    }

    public init(from decoder: Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        jetPrefix = try values.decode(.jetPrefix, default: jetPrefix)
        constituentPrefix = try values.decode(.constituentPrefix, default: constituentPrefix)
        mask = try values.decodeIfPresent(String.self, forKey: .mask) ?? (values.contains(.count) ? nil : mask)
        count = try values.decodeIfPresent(String.self, forKey: .count)
        eventNumber = try values.contains(.eventNumber) ? values.decodeIfPresent(String.self, forKey: .eventNumber) : eventNumber
    }
}

/// JetNet style: `particle_features` (N, M, F) and `jet_features` (N, K) with named features.
public struct DenseLayout: Sendable, Equatable, Codable {
    public var particles = "particle_features"
    public var jets = "jet_features"
    /// Names of the F particle features; nil reads them from the attribute `namesAttribute` of the dataset.
    public var particleFeatureNames: [String]?
    /// Names of the K jet features; nil reads them from the attribute `namesAttribute` of the dataset.
    public var jetFeatureNames: [String]?
    /// Attribute (array of strings, or one comma-separated string) holding feature names.
    public var namesAttribute = "feature_names"
    /// Particle feature that is nonzero for real particles; when nil or absent, `ptFeature` != 0 marks them.
    public var maskFeature: String? = "mask"
    public var ptFeature = "ptrel"

    public init(particleFeatureNames: [String]? = nil, jetFeatureNames: [String]? = nil) {
        self.particleFeatureNames = particleFeatureNames
        self.jetFeatureNames = jetFeatureNames
    }

    public init(from decoder: Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        particles = try values.decode(.particles, default: particles)
        jets = try values.decode(.jets, default: jets)
        particleFeatureNames = try values.decodeIfPresent([String].self, forKey: .particleFeatureNames)
        jetFeatureNames = try values.decodeIfPresent([String].self, forKey: .jetFeatureNames)
        namesAttribute = try values.decode(.namesAttribute, default: namesAttribute)
        maskFeature = try values.contains(.maskFeature) ? values.decodeIfPresent(String.self, forKey: .maskFeature) : maskFeature
        ptFeature = try values.decode(.ptFeature, default: ptFeature)
    }
}

/// pandas `to_hdf(format="fixed")` frames as in the public Top Tagging dataset: group `table` with
/// `axis0` and `block<k>_items` / `block<k>_values`, columns `E_i, PX_i, PY_i, PZ_i`.
public struct PandasLayout: Sendable, Equatable, Codable {
    public var group = "table"
    /// Column read as the jet field `label`.
    public var labelColumn = "is_signal_new"

    public init(group: String = "table", labelColumn: String = "is_signal_new") {
        self.group = group
        self.labelColumn = labelColumn
    }

    public init(from decoder: Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        group = try values.decode(.group, default: group)
        labelColumn = try values.decode(.labelColumn, default: labelColumn)
    }
}
