import Foundation
import Testing
import JetMetrics

/// Decodes Fixtures/`name`.json (snake_case keys; "inf" strings for infinities), written by Tests/Scripts/`script`.
func loadFixture<T: Decodable>(_ type: T.Type, named name: String, madeBy script: String) throws -> T {
    let url = try #require(
        Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures"),
        "Fixtures/\(name).json is missing: run python3 Tests/Scripts/\(script)")
    let decoder = MetricsJSON.makeDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    return try decoder.decode(T.self, from: Data(contentsOf: url))
}
