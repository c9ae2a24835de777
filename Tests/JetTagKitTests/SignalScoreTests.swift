import Foundation
import JetTagKit
import Testing

/// The signal class, the discriminant's background fractions (`--fractions`) and the signal score.
@Suite struct SignalScoreTests {
    @Test func twoClassesScoreWithTheSignalProbability() throws {
        let signal = try SignalScore(classNames: ["qcd", "top"], fractions: "qcd=2")
        #expect(signal.signalClass == 1)
        #expect(signal.discriminant == nil)
        #expect(try signal.scores(probabilities: [0.8, 0.2, 0.4, 0.6]) == [0.2, 0.6])
        #expect(signal.label == "p(top)")
        let swapped = try SignalScore(classNames: ["qcd", "top"], signalClass: "qcd")
        #expect(try swapped.scores(probabilities: [0.8, 0.2]) == [0.8])
    }

    @Test func moreClassesUseEqualFractionsByDefault() throws {
        let signal = try SignalScore(classNames: ["light", "b", "c"], signalClass: "b")
        let discriminant = try #require(signal.discriminant)
        #expect(discriminant.signalClass == 1)
        #expect(discriminant.backgroundClasses == [0, 2])
        #expect(discriminant.backgroundFractions == [0.5, 0.5])
        #expect(signal.label == "D = log(p_1 / (0.5 p_0 + 0.5 p_2))")
        let scores = try signal.scores(probabilities: [0.25, 0.5, 0.25])
        #expect(abs(Double(scores[0]) - log(2.0)) < 1e-6)
    }

    @Test func fractionsAreParsedInTheOrderWritten() throws {
        let pairs = try SignalScore.backgroundFractions("c=0.2,light=0.8", classNames: ["light", "b", "c"])
        #expect(pairs.map(\.classIndex) == [2, 0])
        #expect(pairs.map(\.fraction) == [0.2, 0.8])
        let signal = try SignalScore(classNames: ["light", "b", "c"], signalClass: "b", fractions: "c=0.2,light=0.8")
        #expect(signal.discriminant?.backgroundClasses == [2, 0])
        #expect(signal.discriminant?.backgroundFractions == [0.2, 0.8])
    }

    @Test func badFractionsNameTheItemAndTheClasses() {
        let classes = ["light", "b", "c"]
        for (text, item) in [("c=0.2,charm=0.8", "charm=0.8"), ("c:0.2", "c:0.2"), ("c=x", "c=x"), ("c=0.2=1", "c=0.2=1")] {
            #expect(throws: JetTagKitError.invalidFraction(item: item, classNames: classes), "\(text)") {
                try SignalScore.backgroundFractions(text, classNames: classes)
            }
        }
        #expect(
            JetTagKitError.invalidFraction(item: "charm=0.8", classNames: classes).description
                == "--fractions: 'charm=0.8' is not class=fraction with a class of light, b, c")
        // Parsed, but not summing to 1: the discriminant's own check.
        #expect(throws: JetMetricsError.self) {
            try SignalScore(classNames: classes, signalClass: "b", fractions: "c=0.5,light=0.8")
        }
    }

    @Test func anUnknownSignalClassListsTheModelsClasses() {
        #expect(throws: JetTagKitError.unknownSignalClass(name: "top", classNames: ["light", "b"])) {
            try SignalScore(classNames: ["light", "b"], signalClass: "top")
        }
        #expect(
            JetTagKitError.unknownSignalClass(name: "top", classNames: ["light", "b"]).description
                == "--signal-class top: the model's classes are light, b")
    }
}
