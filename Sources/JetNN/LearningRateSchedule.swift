import Foundation

/// A learning rate as a function of the 0-based step (optimizer step or epoch, as the trainer counts) and the
/// base rate. For the metric-driven schedule see ``ReduceOnPlateau``.
public enum LearningRateSchedule: Sendable, Equatable {
    /// base
    case constant
    /// base * gamma^floor(step / stepSize) (PyTorch StepLR).
    case step(stepSize: Int, gamma: Float)
    /// Linear warm-up base * (step + 1) / warmupSteps for step < warmupSteps, then cosine annealing
    /// minimum + (base - minimum) (1 + cos(pi p)) / 2 with p = (step - warmupSteps) / (totalSteps - warmupSteps),
    /// held at minimum after totalSteps. With no warm-up this is PyTorch's CosineAnnealingLR (T_max = totalSteps).
    case cosine(totalSteps: Int, minimum: Float = 0, warmupSteps: Int = 0)
    /// PyTorch's OneCycleLR (cosine annealing, two phases): from base / initialDivisor up to base over the first
    /// warmupFraction * totalSteps - 1 steps, then down to base / (initialDivisor * finalDivisor) at step totalSteps - 1.
    case oneCycle(totalSteps: Int, warmupFraction: Float = 0.3, initialDivisor: Float = 25, finalDivisor: Float = 1e4)

    /// The rate at `step` (from 0) for the base rate `base`.
    public func learningRate(base: Float, step: Int) -> Float {
        precondition(step >= 0, "LearningRateSchedule: step must be >= 0, got \(step)")
        switch self {
        case .constant:
            return base
        case let .step(stepSize, gamma):
            precondition(stepSize > 0, "LearningRateSchedule.step: stepSize must be > 0")
            return base * pow(gamma, Float(step / stepSize))
        case let .cosine(totalSteps, minimum, warmupSteps):
            precondition(totalSteps > warmupSteps && warmupSteps >= 0, "LearningRateSchedule.cosine: need 0 <= warmupSteps < totalSteps")
            if step < warmupSteps { return base * Float(step + 1) / Float(warmupSteps) }
            let progress = min(Float(step - warmupSteps) / Float(totalSteps - warmupSteps), 1)
            return cosineAnnealing(from: base, to: minimum, progress: progress)
        case let .oneCycle(totalSteps, warmupFraction, initialDivisor, finalDivisor):
            let peakStep = warmupFraction * Float(totalSteps) - 1
            precondition(peakStep > 0 && peakStep < Float(totalSteps - 1), "LearningRateSchedule.oneCycle: warm-up must end inside 1..<totalSteps - 1")
            let initial = base / initialDivisor
            if Float(step) <= peakStep { return cosineAnnealing(from: initial, to: base, progress: Float(step) / peakStep) }
            let progress = min((Float(step) - peakStep) / (Float(totalSteps - 1) - peakStep), 1)
            return cosineAnnealing(from: base, to: initial / finalDivisor, progress: progress)
        }
    }

    private func cosineAnnealing(from start: Float, to end: Float, progress: Float) -> Float {
        end + (start - end) * (1 + cos(Float.pi * progress)) / 2
    }
}
