/// A jet-level input variable: a raw jet field (`pt`, `mass`, ...) or its logarithm, `log_<field>`
/// (e.g. `log_pt`).
public enum JetVariable: Hashable, Sendable {
    case field(String)
    case logField(String)

    /// Parses a spec name: `log_<field>` is a logarithm, anything else a raw field.
    public init(name: String) {
        if name.hasPrefix("log_"), name.count > 4 {
            self = .logField(String(name.dropFirst(4)))
        } else {
            self = .field(name)
        }
    }

    /// The batch field the variable reads.
    public var field: String {
        switch self {
        case let .field(name), let .logField(name): return name
        }
    }
}
