import JetMetrics
import JetTestSupport
import Testing

@Suite struct ConfusionMatrixTests {
    @Test func argmaxMatrixAndPerClassScoresMatchScikitLearn() throws {
        let reference = try MetricsReference.load().multiclass
        let matrix = try ConfusionMatrix(
            probabilities: reference.probabilities, classCount: 3, trueClasses: reference.labels,
            weights: reference.weights)
        for t in 0..<3 {
            expectClose(matrix.matrix[t], reference.confusionMatrix[t], tolerance: DoubleTolerance.reference, "row \(t)")
        }
        let scores = matrix.precisionRecallPerClass()
        expectClose(scores.map(\.precision), reference.precision, tolerance: DoubleTolerance.reference, "precision")
        expectClose(scores.map(\.recall), reference.recall, tolerance: DoubleTolerance.reference, "recall")
        expectClose(scores.map(\.f1), reference.f1, tolerance: DoubleTolerance.reference, "f1")
        expectClose(scores.map(\.support), reference.support, tolerance: DoubleTolerance.reference, "support")
        #expect(scores.allSatisfy { $0.warnings.isEmpty })
    }

    @Test func thresholdMatrixAndBinaryScoresMatchScikitLearn() throws {
        let reference = try MetricsReference.load().binary
        let matrix = try ConfusionMatrix(
            scores: reference.scores, isSignal: reference.isSignal, threshold: reference.threshold,
            weights: reference.weights)
        for t in 0..<2 {
            expectClose(matrix.matrix[t], reference.confusionMatrix[t], tolerance: DoubleTolerance.reference, "row \(t)")
        }
        let signal = try matrix.precisionRecall(classIndex: 1)
        expectClose(signal.precision, reference.precision, tolerance: DoubleTolerance.reference, "precision")
        expectClose(signal.recall, reference.recall, tolerance: DoubleTolerance.reference, "recall")
        expectClose(signal.f1, reference.f1, tolerance: DoubleTolerance.reference, "f1")
    }

    /// true/predicted/weight: (0,0,2) (0,1,-1) (1,1,3) (1,0,1) (1,1,-0.5) (2,2,1)
    /// matrix = [[2, -1, 0], [1, 2.5, 0], [0, 0, 1]].
    /// Class 1: TP = 2.5, predicted = -1 + 2.5 = 1.5, actual = 1 + 2.5 = 3.5,
    /// precision = 2.5/1.5 = 5/3 (above 1 because of the negative weight), recall = 2.5/3.5 = 5/7,
    /// F1 = 2 (5/3)(5/7) / (5/3 + 5/7) = (50/21) / (50/21) = 1.
    @Test func negativeWeightsByHand() throws {
        let matrix = try ConfusionMatrix(
            trueClasses: [0, 0, 1, 1, 1, 2], predictedClasses: [0, 1, 1, 0, 1, 2], classCount: 3,
            weights: [2, -1, 3, 1, -0.5, 1])
        #expect(matrix.matrix == [[2, -1, 0], [1, 2.5, 0], [0, 0, 1]])
        let classOne = try matrix.precisionRecall(classIndex: 1)
        expectClose(classOne.precision, 5.0 / 3, "precision")
        expectClose(classOne.recall, 5.0 / 7, "recall")
        expectClose(classOne.f1, 1, "f1")
        expectClose(classOne.support, 3.5, "support")
    }

    @Test func neverPredictedClassGivesZeroAndAWarning() throws {
        let matrix = try ConfusionMatrix(trueClasses: [0, 1, 2], predictedClasses: [0, 1, 1], classCount: 3)
        let scores = try matrix.precisionRecall(classIndex: 2)
        #expect(scores.precision == 0 && scores.recall == 0 && scores.f1 == 0)
        #expect(scores.warnings.map(\.code) == [MetricWarning.zeroDivision, MetricWarning.zeroDivision])
        #expect(scores.warnings[0].message == "The precision of class 2 has a zero denominator and is set to 0.")
    }

    @Test func rejectsClassesOutOfRange() {
        #expect(throws: JetMetricsError.classOutOfRange(array: "predictedClasses", index: 1, value: 3, classCount: 3)) {
            try ConfusionMatrix(trueClasses: [0, 1], predictedClasses: [0, 3], classCount: 3)
        }
        #expect(JetMetricsError.classOutOfRange(array: "trueClasses", index: 4, value: -1, classCount: 3).description
            == "'trueClasses'[4] is class -1 but only classes 0..<3 exist.")
        #expect(throws: JetMetricsError.lengthMismatch(array: "probabilities", expected: 6, got: 5)) {
            try ConfusionMatrix(probabilities: [0.1, 0.2, 0.7, 0.3, 0.3], classCount: 3, trueClasses: [0, 1])
        }
    }
}
