import Foundation

/// ParT's pairwise interaction features (arXiv:2202.03772, eq. 3) for every unordered pair of a jet's
/// constituents, the diagonal included: ln kT, ln z, ln dR, ln m^2, in that order (weaver's `pairwise_lv_fts`).
///
/// With dR = hypot(deta_i - deta_j, dphi_i - dphi_j) (the phi difference wrapped into [-pi, pi)):
/// kT = min(pt_i, pt_j) dR, z = min(pt_i, pt_j) / (pt_i + pt_j), m^2 = 2 pt_i pt_j (cosh deta - cos dphi) =
/// 4 pt_i pt_j (sinh^2(deta / 2) + sin^2(dphi / 2)), the pair's mass for massless constituents (pseudorapidity
/// for rapidity). Each argument is clamped at ParT's epsilon 1e-8 before the log (so the diagonal gives
/// ln 1e-8 for kT, dR and m^2, and ln 1/2 for z), and a clamped value has zero gradient.
///
/// Input: packed constituents [N, F] whose columns `etaColumn`, `phiColumn`, `logPtColumn` hold deta, dphi and
/// ln pt unstandardised. Output [pairs, 4] in ``JetOffsets/pairOffsets`` order (jet by jet, i >= j row by row).
public struct PairwiseFeatures: Sendable {
    /// ParT's clamp before every log.
    public static let epsilon: Float = 1e-8
    public static let featureCount = 4
    public let etaColumn: Int
    public let phiColumn: Int
    public let logPtColumn: Int
    /// The last forward's features [pairs, 4].
    public private(set) var output = Matrix(rows: 0, columns: 0)
    /// The last backward's d(loss)/d(deta, dphi, ln pt) per constituent [N, 3] (overwritten).
    public private(set) var inputGradient = Matrix(rows: 0, columns: 0)
    private var forwardOffsets: JetOffsets?

    public init(etaColumn: Int, phiColumn: Int, logPtColumn: Int) {
        precondition(Set([etaColumn, phiColumn, logPtColumn]).count == 3 && min(etaColumn, phiColumn, logPtColumn) >= 0, "PairwiseFeatures: three distinct columns needed")
        self.etaColumn = etaColumn
        self.phiColumn = phiColumn
        self.logPtColumn = logPtColumn
    }

    /// ``output`` [pairs, 4] for packed constituents [N, F].
    public mutating func forward(_ input: Matrix, offsets: JetOffsets) {
        precondition(input.rows == offsets.constituentCount && input.columns > max(etaColumn, phiColumn, logPtColumn), "PairwiseFeatures: input \(input) does not fit")
        forwardOffsets = offsets
        output.resize(rows: offsets.pairCount, columns: Self.featureCount)
        let pairOffsets = offsets.pairOffsets
        let columns = (etaColumn, phiColumn, logPtColumn, input.columns)
        output.storage.withUnsafeMutableBufferPointer { out in
            input.storage.withUnsafeBufferPointer { x in
                let pointers = PairPointers(x: x.baseAddress, out: out.baseAddress)
                RowSplit(offsets.jetCount, minimumPerPart: 4).forEachPart { _, jets in
                    for jet in jets {
                        let rows = offsets.rows(of: jet)
                        var pair = pairOffsets[jet]
                        for i in rows {
                            for j in rows.lowerBound...i {
                                let features = PairKinematics(pointers.x!, i, j, columns).features
                                let row = pointers.out! + pair * 4
                                row[0] = features.0
                                row[1] = features.1
                                row[2] = features.2
                                row[3] = features.3
                                pair += 1
                            }
                        }
                    }
                }
            }
        }
    }

    /// ``inputGradient`` [N, 3] (columns deta, dphi, ln pt) from d(loss)/d(output) [pairs, 4].
    public mutating func backward(dOutput: Matrix, input: Matrix) {
        guard let offsets = forwardOffsets else { preconditionFailure("PairwiseFeatures: backward before forward") }
        precondition(dOutput.rows == offsets.pairCount && dOutput.columns == Self.featureCount && input.rows == offsets.constituentCount, "PairwiseFeatures: backward got dOutput \(dOutput), input \(input)")
        inputGradient.resize(rows: input.rows, columns: 3)
        inputGradient.zero()
        let pairOffsets = offsets.pairOffsets
        let columns = (etaColumn, phiColumn, logPtColumn, input.columns)
        inputGradient.storage.withUnsafeMutableBufferPointer { dx in
            dOutput.storage.withUnsafeBufferPointer { dy in
                input.storage.withUnsafeBufferPointer { x in
                    let pointers = PairGradientPointers(x: x.baseAddress, dy: dy.baseAddress, dx: dx.baseAddress)
                    RowSplit(offsets.jetCount, minimumPerPart: 4).forEachPart { _, jets in
                        for jet in jets {
                            let rows = offsets.rows(of: jet)
                            var pair = pairOffsets[jet]
                            for i in rows {
                                for j in rows.lowerBound...i {
                                    let g = pointers.dy! + pair * 4
                                    let (dEta, dPhi, dLogPtI, dLogPtJ) = PairKinematics(pointers.x!, i, j, columns)
                                        .gradient(g[0], g[1], g[2], g[3])
                                    let (rowI, rowJ) = (pointers.dx! + i * 3, pointers.dx! + j * 3)
                                    rowI[0] += dEta
                                    rowJ[0] -= dEta
                                    rowI[1] += dPhi
                                    rowJ[1] -= dPhi
                                    rowI[2] += dLogPtI
                                    rowJ[2] += dLogPtJ
                                    pair += 1
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

private struct PairPointers: @unchecked Sendable {
    let x: UnsafePointer<Float>?, out: UnsafeMutablePointer<Float>?
}

private struct PairGradientPointers: @unchecked Sendable {
    let x: UnsafePointer<Float>?, dy: UnsafePointer<Float>?, dx: UnsafeMutablePointer<Float>?
}

/// One pair's kinematics and its four features with their derivatives.
private struct PairKinematics {
    let deltaEta: Float, deltaPhi: Float, logPtI: Float, logPtJ: Float

    @inline(__always)
    init(_ x: UnsafePointer<Float>, _ i: Int, _ j: Int, _ columns: (eta: Int, phi: Int, logPt: Int, width: Int)) {
        let (rowI, rowJ) = (x + i * columns.width, x + j * columns.width)
        deltaEta = rowI[columns.eta] - rowJ[columns.eta]
        var phi = rowI[columns.phi] - rowJ[columns.phi]
        // Differences of two angles in (-pi, pi] need at most one turn to land in [-pi, pi).
        if phi >= .pi { phi -= 2 * .pi } else if phi < -.pi { phi += 2 * .pi }
        deltaPhi = phi
        logPtI = rowI[columns.logPt]
        logPtJ = rowJ[columns.logPt]
    }

    static let logEpsilon = log(PairwiseFeatures.epsilon)

    var squaredDistance: Float { deltaEta * deltaEta + deltaPhi * deltaPhi }
    var logPtMin: Float { min(logPtI, logPtJ) }
    var logPtSum: Float { logSum(logPtI, logPtJ) }
    /// sinh^2(deta / 2) + sin^2(dphi / 2): (cosh deta - cos dphi) / 2 without cancellation.
    var massTerm: Float {
        let (a, b) = (sinh(deltaEta / 2), sin(deltaPhi / 2))
        return a * a + b * b
    }

    /// ln dR, unclamped (-inf for coinciding constituents).
    var logDistance: Float { 0.5 * log(squaredDistance) }
    /// ln kT and ln m^2, unclamped: in log space, so huge pts neither overflow nor meet a zero distance as inf * 0.
    var logKT: Float { logPtMin + logDistance }
    var logMassSquared: Float { log(4) + logPtI + logPtJ + log(massTerm) }
    var logZ: Float { logPtMin - logPtSum }

    /// ln kT, ln z, ln dR, ln m^2 with ParT's clamps.
    var features: (Float, Float, Float, Float) {
        (max(logKT, Self.logEpsilon), max(logZ, Self.logEpsilon), max(logDistance, Self.logEpsilon),
         max(logMassSquared, Self.logEpsilon))
    }

    /// d(loss)/d(deta), d(dphi), d(ln pt_i), d(ln pt_j) from the four features' gradients (zero where clamped).
    func gradient(_ gKT: Float, _ gZ: Float, _ gDistance: Float, _ gMass: Float) -> (Float, Float, Float, Float) {
        var (dEta, dPhi, dI, dJ): (Float, Float, Float, Float) = (0, 0, 0, 0)
        let iIsMin: Float = logPtI < logPtJ ? 1 : 0
        // ln dR enters ln kT too: d ln dR / d deta = deta / dR^2.
        var gLogDistance: Float = logDistance > Self.logEpsilon ? gDistance : 0
        if logKT > Self.logEpsilon {
            gLogDistance += gKT
            dI += gKT * iIsMin
            dJ += gKT * (1 - iIsMin)
        }
        if gLogDistance != 0 {
            dEta += gLogDistance * deltaEta / squaredDistance
            dPhi += gLogDistance * deltaPhi / squaredDistance
        }
        if logZ > Self.logEpsilon {
            let shareI = exp(logPtI - logPtSum)
            dI += gZ * (iIsMin - shareI)
            dJ += gZ * ((1 - iIsMin) - (1 - shareI))
        }
        if logMassSquared > Self.logEpsilon {
            let term = massTerm
            dI += gMass
            dJ += gMass
            dEta += gMass * 0.5 * sinh(deltaEta) / term
            dPhi += gMass * 0.5 * sin(deltaPhi) / term
        }
        return (dEta, dPhi, dI, dJ)
    }
}

/// ln(e^a + e^b) without overflow.
@inline(__always)
private func logSum(_ a: Float, _ b: Float) -> Float {
    let high = max(a, b)
    return high + log1p(exp(min(a, b) - high))
}
