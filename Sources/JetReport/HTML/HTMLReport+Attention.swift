import JetMetrics

extension HTMLReport.Section {
    /// The attention maps of a transformer (``JetMetrics/AttentionMaps``): how to read them, a heatmap per class
    /// and head of the last particle-attention block on one colour range, and the class token's weights per class.
    public init(attention maps: AttentionMaps, title: String = "Attention") {
        var blocks: [HTMLReport.Block] = [
            .paragraph(
                "Mean softmax attention weights of the transformer over the first \(maps.slots) constituents of each "
                    + "jet in pT order (0 = hardest), per head, for the jets of each class, averaged only over the jets "
                    + "that have both constituents. In a particle-attention map, row i shows where constituent i looks: "
                    + "its weight on each constituent j (pair bias included); a jet's row sums to 1 over all its "
                    + "constituents, so rows here sum to less when jets have more than \(maps.slots). A bright diagonal "
                    + "is a head that keeps each constituent to itself, a bright first column one that looks at the "
                    + "hardest constituents, blocks of brightness a head that groups constituents (e.g. the subjets of a "
                    + "top). Differences between the classes' maps show what the model attends to differently. The class "
                    + "token's weights say how much each constituent contributes to the jet's classification, per head."),
        ]
        let values = maps.classes.flatMap { $0.particleMeans.joined().joined() }.filter(\.isFinite)
        if let block = maps.particleBlock, let highest = values.max() {
            let range = 0...max(highest, .leastNormalMagnitude)
            for classMaps in maps.classes where classMaps.jetCount > 0 {
                for head in 0..<maps.heads {
                    blocks.append(.heatmap(
                        Heatmap.attention(classMaps, head: head, block: block, range: range),
                        caption: "Particle attention, \(block) head \(head), \(classMaps.className) jets: mean weight of "
                            + "query constituent i (row) on key constituent j (column); grey: no jet has both."))
                }
            }
        }
        for classMaps in maps.classes where classMaps.jetCount > 0 {
            blocks.append(.figure(
                Plot.classTokenAttention(classMaps, block: maps.classBlock),
                caption: "Class-token attention, \(maps.classBlock), \(classMaps.className) jets: mean weight on each "
                    + "constituent, a line per head (the legend gives the weight on the token itself)."))
        }
        self.init(title: title, blocks: blocks)
    }
}
