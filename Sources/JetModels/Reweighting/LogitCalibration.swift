import Foundation

/// Platt scaling of a binary classifier: p' = sigmoid(slope * logit(p) + offset), fitted by weighted maximum
/// likelihood on jets the classifier did not train on. An ensemble's averaged probabilities and a regularised
/// network tend to be under-confident where the density ratio is far from 1; the fit restores the ratio's scale.
public struct LogitCalibration: Codable, Sendable, Equatable {
    public var slope: Double
    public var offset: Double

    public static let identity = LogitCalibration(slope: 1, offset: 0)

    public init(slope: Double, offset: Double) {
        self.slope = slope
        self.offset = offset
    }

    /// The calibrated probability.
    @inline(__always)
    public func callAsFunction(_ p: Float) -> Float {
        let clamped = Double(min(max(p, 1e-7), 1 - 1e-7))
        return Float(1 / (1 + exp(-(slope * log(clamped / (1 - clamped)) + offset))))
    }

    /// Fits slope and offset minimising sum_i w_i BCE(p'_i, y_i) by Newton's method (signed weights allowed;
    /// stops where the weighted Hessian is not positive definite).
    ///
    /// - Parameters:
    ///   - probabilities: p_i [N]; labels: y_i in {0, 1} [N]; weights: w_i [N].
    public static func fit(probabilities: [Float], labels: [Int32], weights: [Float], iterations: Int = 25) -> LogitCalibration {
        let logits = probabilities.map { p -> Double in
            let clamped = Double(min(max(p, 1e-7), 1 - 1e-7))
            return log(clamped / (1 - clamped))
        }
        var (a, b) = (1.0, 0.0)
        for _ in 0..<iterations {
            var (ga, gb, haa, hab, hbb) = (0.0, 0.0, 0.0, 0.0, 0.0)
            for i in logits.indices {
                let (z, w) = (logits[i], Double(weights[i]))
                let p = 1 / (1 + exp(-(a * z + b)))
                let residual = w * (p - Double(labels[i]))
                let curvature = w * p * (1 - p)
                ga += residual * z
                gb += residual
                haa += curvature * z * z
                hab += curvature * z
                hbb += curvature
            }
            let determinant = haa * hbb - hab * hab
            guard haa > 0, determinant > 0 else { break }
            let (da, db) = ((hbb * ga - hab * gb) / determinant, (haa * gb - hab * ga) / determinant)
            (a, b) = (a - da, b - db)
            if Swift.abs(da) + Swift.abs(db) < 1e-10 { break }
        }
        return LogitCalibration(slope: a, offset: b)
    }
}
