import JetData

extension JetOutputWriter {
    /// Abandons the output (its temporary file removed) and throws ``JetTagKitError/interrupted(output:)`` when
    /// `shouldStop` says so; the streaming runs ask it between batches.
    func stopIfAsked(_ shouldStop: () -> Bool) throws(JetTagKitError) {
        guard shouldStop() else { return }
        abandon()
        throw .interrupted(output: path)
    }
}
