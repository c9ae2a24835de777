import Foundation
import JetCore

/// One bootstrap replica of the reweighting's training set (`reweighting.bootstrap`): every event's weight is
/// multiplied by an independent Poisson(1) count, as ATLAS's BootstrapGenerator does, so that training the
/// classifier on each replica samples the statistical fluctuation of the learned weights.
///
/// The count of a jet depends only on the seed, the replica, the sample (source or target) and the jet's event
/// number, so it is the same for any thread count, batching, file order or selection, and the jets of one event
/// (which the event-number split keeps together) are resampled together. Event numbers must be unique within a
/// sample for the counts of different events to be independent.
public struct BootstrapReplica: Sendable, Equatable {
    public var seed: UInt64
    /// The replica, 0..<N.
    public var index: Int

    public init(seed: UInt64, index: Int) {
        self.seed = seed
        self.index = index
    }

    /// The Poisson(1) count of the event `eventNumber` of the sample labelled `sample` (0 source, 1 target):
    /// the inverse CDF of Poisson(1) at a uniform drawn from a generator seeded by a hash of the four.
    public func count(sample: Int32, eventNumber: Int64) -> Int {
        var hash = seed
        for value in [UInt64(index), UInt64(UInt32(bitPattern: sample)), UInt64(bitPattern: eventNumber)] {
            hash = SplitMix64.mixed(hash ^ SplitMix64.mixed(value &+ SplitMix64.increment))
        }
        var generator = SeededGenerator(seed: hash)
        let u = generator.nextUnitInterval()
        var (k, probability) = (0, exp(-1.0))
        var cumulative = probability
        // P(k >= 25) is below 1e-25: far under the resolution of u.
        while u >= cumulative && k < 25 {
            k += 1
            probability /= Double(k)
            cumulative += probability
        }
        return k
    }

    /// `jets` with each weight multiplied by its event's count (labels say the sample).
    public func resampled(_ jets: JetSet) -> JetSet {
        var replica = jets
        replica.weights = jets.weights.indices.map { jet in
            jets.weights[jet] * Float(count(sample: jets.labels[jet], eventNumber: jets.eventNumbers[jet]))
        }
        return replica
    }
}
