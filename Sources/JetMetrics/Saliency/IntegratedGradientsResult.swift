/// Integrated-gradients attributions with the settings that made them and their completeness check.
///
/// JSON keys: `options`, `maps`, `completeness`.
public struct IntegratedGradientsResult: Codable, Equatable, Sendable {
    public var options: IntegratedGradientsOptions
    /// Attribution maps: averages per selection and the requested jets.
    public var maps: SaliencyMaps
    public var completeness: CompletenessCheck

    public init(options: IntegratedGradientsOptions, maps: SaliencyMaps, completeness: CompletenessCheck) {
        self.options = options
        self.maps = maps
        self.completeness = completeness
    }
}
