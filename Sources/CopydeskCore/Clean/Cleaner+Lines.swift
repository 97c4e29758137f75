/// Removing chosen lines the way `clean` removes them, for front ends that offer one removal at a
/// time (the language server's "Remove this line"): the same blank-line collapsing and final
/// line-break handling, as byte ranges to delete.
extension Cleaner {
    /// The plan `clean` makes when exactly `lines` (0-based indices into `SourceLines(bytes)`)
    /// are removed: those lines, plus the blank lines `clean` collapses around them.
    public static func plan(removingLines lines: Set<Int>, in bytes: [UInt8]) -> Plan {
        makePlan(SourceLines(bytes), removed: lines)
    }
}

extension Cleaner.Plan {
    /// The byte ranges of the original to delete, sorted and merged: deleting them gives
    /// `Cleaner.render(self, original)`.
    public var deletions: [Range<Int>] {
        var ranges: [Range<Int>] = []
        for i in 0..<lines.count where !kept[i] {
            ranges.append(lines.start(i)..<lines.terminator(i).upperBound)
        }
        if stripFinalTerminator,
           let last = kept.indices.last(where: { kept[$0] && !lines.terminator($0).isEmpty }) {
            ranges.append(lines.terminator(last))
        }
        ranges.sort { $0.lowerBound < $1.lowerBound }
        var merged: [Range<Int>] = []
        for r in ranges where !r.isEmpty {
            if let l = merged.last, r.lowerBound <= l.upperBound {
                merged[merged.count - 1] = l.lowerBound..<max(l.upperBound, r.upperBound)
            } else {
                merged.append(r)
            }
        }
        return merged
    }
}
