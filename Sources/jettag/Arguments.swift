import ArgumentParser
import JetTagKit

/// `--shard i/N` (i from 0).
extension Shard: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

/// `--split all|training|validation`.
extension DataPart: ExpressibleByArgument {}

/// `--wp-mode inclusive|flat`.
extension WorkingPointMode: ExpressibleByArgument {}
