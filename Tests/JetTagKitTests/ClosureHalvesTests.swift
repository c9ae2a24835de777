import JetTagKit
import Testing

/// The two-sample test's halves of the held-out jets.
@Suite struct ClosureHalvesTests {
    @Test func theFirstHalfOfTheFoldsTrainsTheFirstClassifier() {
        // Folds by event_number % 8: 4, 5, 6, 7, 4, 12 -> 4, -3 -> 5, 13 -> 5, 22 -> 6.
        let events: [Int64] = [4, 5, 6, 7, 12, -3, 13, 22, 15]
        let (first, second) = ClosureRun.twoSampleHalves(eventNumbers: events, heldOutFolds: [4, 5, 6, 7], modulus: 8)
        #expect(first == [0, 1, 4, 5, 6])
        #expect(second == [2, 3, 7, 8])
    }

    @Test func anOddNumberOfFoldsPutsTheMiddleOneInTheSecondHalf() {
        let events: [Int64] = Array(0..<10)
        let (first, second) = ClosureRun.twoSampleHalves(eventNumbers: events, heldOutFolds: [2, 3, 4], modulus: 5)
        #expect(first == [2, 7])
        #expect(second == [0, 1, 3, 4, 5, 6, 8, 9])
    }

    @Test(arguments: [[0, 1], [3, 1, 2], [6, 7, 4, 5]])
    func halvesAreDisjointAndCoverEveryJet(folds: [Int]) {
        let events = (0..<200).map { Int64($0 * 7919 % 1009) - 300 }
        let (first, second) = ClosureRun.twoSampleHalves(eventNumbers: events, heldOutFolds: folds, modulus: 8)
        #expect(Set(first).isDisjoint(with: second))
        #expect((first + second).sorted() == Array(events.indices))
        #expect(first == first.sorted() && second == second.sorted())
        // Jets of one event (the same event number) never fall into different halves.
        let firstEvents = Set(first.map { events[$0] })
        #expect(second.allSatisfy { !firstEvents.contains(events[$0]) })
    }
}
