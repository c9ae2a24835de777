import Foundation
import JetTagKit
import Testing

/// Settings of the saliency and closure runs that are checked before any file is read.
@Suite struct RunSettingsTests {
    @Test func theBaselineIsOneNumberPerFeature() throws {
        #expect(try SaliencyRun.baseline("0.5, -1,2", featureCount: 3) == [0.5, -1, 2])
        for text in ["1,2", "1,2,3,4", "1,x,3", "1,,3"] {
            #expect(throws: JetTagKitError.invalidBaseline(text: text, featureCount: 3), "\(text)") {
                try SaliencyRun.baseline(text, featureCount: 3)
            }
        }
        #expect(
            JetTagKitError.invalidBaseline(text: "1,2", featureCount: 3).description
                == "--ig-baseline '1,2': expected 3 comma-separated numbers, one per input feature")
    }

    @Test func weightsFromAFieldNeedAConfig() {
        let run = ClosureRun(newWeights: .field("new_weight"), directory: URL(fileURLWithPath: "/nonexistent"))
        #expect(throws: JetTagKitError.closureNeedsConfig(weightField: "new_weight")) { try run.run() }
    }

    @Test func aMissingModelFileIsNamed() {
        let run = SaliencyRun(model: "/nonexistent/model.h5", files: [], directory: URL(fileURLWithPath: "/nonexistent"))
        #expect(throws: JetTagKitError.missingModelFile(path: "/nonexistent/model.h5")) { try run.run() }
    }
}
