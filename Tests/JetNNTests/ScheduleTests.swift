import Foundation
import JetNN
import JetTestSupport
import Testing

/// Reference values from PyTorch 2.13 schedulers (SGD lr 0.1, one `scheduler.step()` per step), printed by a
/// short script and copied here; they agree with the closed forms written next to them.
@Suite struct ScheduleTests {
    @Test func stepSchedule() {
        let schedule = LearningRateSchedule.step(stepSize: 30, gamma: 0.5)
        let rates = [0, 29, 30, 60, 69].map { schedule.learningRate(base: 0.1, step: $0) }
        expectClose(rates, [0.1, 0.1, 0.05, 0.025, 0.025], tolerance: .closedForm, "StepLR")
    }

    @Test func cosineScheduleMatchesCosineAnnealingLR() {
        let schedule = LearningRateSchedule.cosine(totalSteps: 50, minimum: 0.001)
        let steps = [0, 10, 25, 49, 50, 80]
        let closedForm = steps.map { Float(0.001 + 0.099 * (1 + cos(Double.pi * Double(min($0, 50)) / 50)) / 2) }
        let rates = steps.map { schedule.learningRate(base: 0.1, step: $0) }
        expectClose(rates, closedForm, tolerance: .closedForm, "cosine closed form")
        expectClose(Array(rates.prefix(5)), [0.1, 0.09054634122155988, 0.0505, 0.0010976769428005578, 0.001], tolerance: .closedForm, "CosineAnnealingLR")
    }

    @Test func cosineWithLinearWarmup() {
        let schedule = LearningRateSchedule.cosine(totalSteps: 110, minimum: 0, warmupSteps: 10)
        expectClose(schedule.learningRate(base: 0.1, step: 0), 0.01, tolerance: .closedForm, "first warm-up step")
        expectClose(schedule.learningRate(base: 0.1, step: 4), 0.05, tolerance: .closedForm, "mid warm-up")
        expectClose(schedule.learningRate(base: 0.1, step: 10), 0.1, tolerance: .closedForm, "end of warm-up")
        expectClose(schedule.learningRate(base: 0.1, step: 60), 0.05, tolerance: .closedForm, "half-way through the cosine")
        expectClose(schedule.learningRate(base: 0.1, step: 110), 0, tolerance: .closedForm, "end")
    }

    @Test func oneCycleMatchesPyTorch() {
        let schedule = LearningRateSchedule.oneCycle(totalSteps: 100)
        let steps = [0, 10, 28, 29, 30, 50, 99]
        let rates = steps.map { schedule.learningRate(base: 0.1, step: $0) }
        let torch: [Float] = [
            0.0040000000000000036, 0.029516394846410082, 0.09971862194340926, 0.1, 0.09994965352845243,
            0.0793893450575732, 4e-07,
        ]
        expectClose(rates, torch, tolerance: .closedForm, "OneCycleLR")
        // Closed form of the warm-up phase at step 10: 0.004 + 0.096 (1 - cos(pi 10 / 29)) / 2.
        expectClose(rates[1], Float(0.004 + 0.096 * (1 - cos(Double.pi * 10 / 29)) / 2), tolerance: .closedForm, "warm-up closed form")
    }

    @Test func reduceOnPlateauMatchesPyTorch() {
        var schedule = ReduceOnPlateau(learningRate: 0.1, factor: 0.5, patience: 2, threshold: 0.01, cooldown: 1, minimum: 0.02)
        let metrics: [Float] = [1.0, 0.9, 0.895, 0.899, 0.897, 0.896, 0.8, 0.81, 0.82, 0.83, 0.84, 0.85, 0.86, 0.87, 0.88, 0.89, 0.9]
        let rates = metrics.map { schedule.update(metric: $0) }
        let torch: [Float] = [0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.025, 0.02, 0.02, 0.02, 0.02]
        expectClose(rates, torch, tolerance: .closedForm, "ReduceLROnPlateau")

        var maximizing = ReduceOnPlateau(learningRate: 1, goal: .maximize, factor: 0.5, patience: 0)
        #expect([0.5, 0.6, 0.55].map { maximizing.update(metric: $0) } == [1, 1, 0.5])
    }
}
