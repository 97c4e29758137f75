/// Fingerprints that identify a finding across edits: the rule, the matched text and a little of
/// the text around it on its line — not the line number, so a finding keeps its fingerprint when
/// lines are added above it or other paragraphs change.
public enum Fingerprint {
    /// Scalars of context kept on each side of the match.
    static let window = 32

    /// 16 hex digits (FNV-1a, 64 bits) of rule id, normalized match and normalized context.
    public static func of(_ f: Finding, lineText: String?) -> String {
        var context = ""
        if let line = lineText {
            let scalars = Array(line.unicodeScalars)
            let start = max(0, min(f.span.start.column - 1, scalars.count))
            let end = f.span.end.line == f.span.start.line ? max(start, min(f.span.end.column - 1, scalars.count)) : scalars.count
            let lo = max(0, start - window), hi = min(scalars.count, end + window)
            context = normalize(String(String.UnicodeScalarView(scalars[lo..<start]))) + "\u{1}" + normalize(String(String.UnicodeScalarView(scalars[end..<hi])))
        }
        var h: UInt64 = 0xcbf29ce484222325
        for b in (f.rule + "\u{0}" + normalize(f.match) + "\u{0}" + context).utf8 {
            h ^= UInt64(b)
            h = h &* 0x100000001b3
        }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Whitespace runs become one space; ends trimmed.
    static func normalize(_ s: String) -> String {
        s.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// The fingerprint of every finding in `result`, keyed by path, in finding order.
    public static func all(in result: LintResult) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for file in result.files where !file.findings.isEmpty {
            let lines = result.lineText[file.path]
            out[file.path] = file.findings.map { of($0, lineText: lines?[$0.span.start.line]) }
        }
        return out
    }
}
