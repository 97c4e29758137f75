import CopydeskWorkflow

/// The quick fixes offered on a finding: remove the line (as `clean` would), or turn the rule off
/// with a suppression comment for the line or the whole file (README "Inline suppressions").
public enum CodeActions {
    /// One text edit: replace `range` (bytes of the current text) with `newText`.
    public struct Edit: Sendable, Equatable {
        public var range: Range<Int>
        public var newText: String
    }

    public struct Action: Sendable, Equatable {
        public var title: String
        public var edits: [Edit]
        public var finding: Finding
        public var preferred: Bool
    }

    /// The comment that turns `rule` off on the line it ends (`copydesk-disable-line`).
    public static func disableLineComment(_ rule: String) -> String { "<!-- copydesk-disable-line \(rule) -->" }
    /// The comment that turns `rule` off from here to the end of the file (`copydesk-disable`).
    public static func disableComment(_ rule: String) -> String { "<!-- copydesk-disable \(rule) -->" }

    /// The actions for `findings` (those under the cursor or selection) in `bytes`.
    /// - Parameter cleanRemoves: 1-based lines `clean` removes from this text (a finding's line is
    ///   offered for removal only when `clean` would remove it: junk inside a sentence of the story
    ///   is kept by `clean`, and so it is not offered here either).
    public static func actions(for findings: [Finding], in bytes: [UInt8], table: LineTable, format: DocumentFormat,
                               cleanRemoves: Set<Int>) -> [Action] {
        var out: [Action] = []
        var seen = Set<String>()
        for f in findings {
            let first = table.line(ofByte: f.byteRange.lowerBound)
            let last = table.line(ofByte: max(f.byteRange.lowerBound, f.byteRange.upperBound - 1))
            if Cleaner.removableCategories.contains(f.category) {
                let lines = Set((first...last).filter { cleanRemoves.contains($0 + 1) })
                if !lines.isEmpty && seen.insert("remove \(lines.sorted())").inserted {
                    let plan = Cleaner.plan(removingLines: lines, in: bytes)
                    let edits = plan.deletions.map { Edit(range: $0, newText: "") }
                    out.append(Action(title: lines.count == 1 ? "Remove this line" : "Remove these lines", edits: edits, finding: f, preferred: true))
                }
            }
            // The pseudo-rule about suppression comments cannot itself be suppressed by one.
            guard f.rule != UnusedSuppression.ruleID else { continue }
            if seen.insert("line \(f.rule) \(first)").inserted {
                let end = table.lineEnds[first]
                out.append(Action(title: "Disable \(f.rule) for this line",
                                  edits: [Edit(range: end..<end, newText: " " + disableLineComment(f.rule))], finding: f, preferred: false))
            }
            if seen.insert("file \(f.rule)").inserted {
                let at = fileDirectiveOffset(bytes, table: table, format: format)
                out.append(Action(title: "Disable \(f.rule) in this file",
                                  edits: [Edit(range: at..<at, newText: disableComment(f.rule) + lineBreak(bytes, table))], finding: f, preferred: false))
            }
        }
        return out
    }

    /// Where a file-wide `copydesk-disable` goes: the top of the file (after a BOM), or in
    /// Markdown just after YAML/TOML front matter (which must stay the first thing in the file).
    static func fileDirectiveOffset(_ bytes: [UInt8], table: LineTable, format: DocumentFormat) -> Int {
        let bom = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        guard format == .markdown, table.lineCount > 1 else { return bom }
        func line(_ i: Int) -> String {
            let s = i == 0 ? bom : table.lineStarts[i]
            return String(decoding: bytes[s..<table.lineEnds[i]], as: UTF8.self).trimmingTrailingSpaces()
        }
        let open = line(0)
        guard open == "---" || open == "+++" else { return bom }
        for i in 1..<table.lineCount where line(i) == open || (open == "---" && line(i) == "...") {
            return i + 1 < table.lineCount ? table.lineStarts[i + 1] : table.lineEnds[i]
        }
        return bom
    }

    /// The text's own line break (CRLF when its first line ends in one).
    static func lineBreak(_ bytes: [UInt8], _ table: LineTable) -> String {
        guard table.lineCount > 1 else { return "\n" }
        let e = table.lineEnds[0]
        if e < bytes.count && bytes[e] == 0x0D { return e + 1 < bytes.count && bytes[e + 1] == 0x0A ? "\r\n" : "\r" }
        return "\n"
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = Substring(self)
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
