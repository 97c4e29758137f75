#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The pseudo-rule that reports suppression comments that suppress nothing.
public enum UnusedSuppression {
    public static let ruleID = "copydesk.unused-suppression"
    public static let category = Category.copydesk
}

/// One `<!-- copydesk-… -->` comment.
public struct SuppressionDirective: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case disable
        case enable
        case disableNextLine = "disable-next-line"
        case disableLine = "disable-line"
    }
    /// nil for an unknown `copydesk-…` word.
    public var kind: Kind?
    /// The word after `copydesk-` as written.
    public var word: String
    /// Rule ids, categories or `*`-globs over ids; empty: every rule.
    public var names: [String]
    /// Source bytes of the whole comment.
    public var range: Range<Int>
    /// 0-based source lines of the comment's start and end.
    public var firstLine: Int
    public var lastLine: Int

    /// Whether `name` covers a rule.
    static func covers(_ name: String, id: String, category: String) -> Bool {
        if name == id || name == category { return true }
        if name.contains("*") || name.contains("?") { return Glob(name).matches(id) }
        return false
    }
}

/// Inline suppressions: HTML comments in Markdown, HTML and plain text alike.
///
/// - `<!-- copydesk-disable NAMES -->` … `<!-- copydesk-enable NAMES -->`: a region.
/// - `<!-- copydesk-disable-next-line NAMES -->`: the line after the comment.
/// - `<!-- copydesk-disable-line NAMES -->`: the line(s) of the comment.
///
/// NAMES are rule ids, categories or `*`-globs over ids, separated by spaces or commas; none means
/// every rule. Text after ` -- ` is a free-form reason. A match is suppressed when it starts in a
/// region or on a suppressed line. Suppressions are read from the source bytes (the readers drop
/// comments from the lintable text); in Markdown, comments inside fenced code are examples, not
/// directives.
public enum Suppressions {
    static let marker = Array("copydesk-".utf8)

    /// Every directive in the document, in source order.
    public static func directives(in doc: Document) -> [SuppressionDirective] {
        let s = doc.source
        guard contains(s, marker) else { return [] }
        let fenced = doc.format == .markdown ? fencedLines(s) : []
        let index = doc.lineIndex
        var out: [SuppressionDirective] = []
        var i = 0
        let n = s.count
        while i + 4 <= n {
            guard s[i] == UInt8(ascii: "<"), s[i + 1] == UInt8(ascii: "!"), s[i + 2] == UInt8(ascii: "-"), s[i + 3] == UInt8(ascii: "-") else { i += 1; continue }
            let bodyStart = i + 4
            var j = bodyStart
            var end: Int? = nil
            while j + 3 <= n {
                if s[j] == UInt8(ascii: "-") && s[j + 1] == UInt8(ascii: "-") && s[j + 2] == UInt8(ascii: ">") { end = j; break }
                j += 1
            }
            guard let bodyEnd = end else { break }   // an unclosed comment runs to the end of the file
            let range = i..<(bodyEnd + 3)
            i = bodyEnd + 3
            let first = index.lineIndex(of: range.lowerBound)
            if fenced.contains(first) { continue }
            guard let d = parse(Array(s[bodyStart..<bodyEnd]), range: range, firstLine: first, lastLine: index.lineIndex(of: range.upperBound - 1)) else { continue }
            out.append(d)
        }
        return out
    }

    /// Whether `needle` occurs in `s` (memchr for its first byte, then a compare).
    static func contains(_ s: [UInt8], _ needle: [UInt8]) -> Bool {
        s.withUnsafeBufferPointer { buf in
            guard let base = buf.baseAddress, buf.count >= needle.count, let first = needle.first else { return false }
            var i = 0
            let last = buf.count - needle.count
            while i <= last {
                guard let p = memchr(base + i, Int32(first), last - i + 1) else { return false }
                let at = base.distance(to: p.assumingMemoryBound(to: UInt8.self))
                var k = 1
                while k < needle.count && buf[at + k] == needle[k] { k += 1 }
                if k == needle.count { return true }
                i = at + 1
            }
            return false
        }
    }

    /// Parses a comment body; nil when it is not a `copydesk-` comment.
    static func parse(_ body: [UInt8], range: Range<Int>, firstLine: Int, lastLine: Int) -> SuppressionDirective? {
        let text = UTF8Scan.string(body)
        let trimmedText = text.trimmingWhitespace()
        guard trimmedText.hasPrefix("copydesk-") else { return nil }
        var rest = Substring(trimmedText.dropFirst("copydesk-".count))
        // Strip a ` -- reason`.
        if let r = rest.range(of: " -- ") { rest = rest[..<r.lowerBound] } else if rest.hasSuffix(" --") { rest = rest.dropLast(3) }
        let wordEnd = rest.firstIndex(where: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "," }) ?? rest.endIndex
        let word = String(rest[..<wordEnd])
        let names = rest[wordEnd...].split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "," }).map(String.init)
        return SuppressionDirective(kind: SuppressionDirective.Kind(rawValue: word), word: word, names: names,
                                    range: range, firstLine: firstLine, lastLine: lastLine)
    }

    /// 0-based source lines inside fenced code blocks (fences included).
    static func fencedLines(_ s: [UInt8]) -> Set<Int> {
        var out = Set<Int>()
        var fence: (UInt8, Int)? = nil
        for (k, line) in TextReader.splitLines(s, from: 0).enumerated() {
            if let f = fence {
                out.insert(k)
                if Markdown.closesFence(s, line.content, f) { fence = nil }
            } else if let f = Markdown.opensFence(s, line.content) {
                fence = f
                out.insert(k)
            }
        }
        return out
    }

    /// A stretch where some names (or all but some) are off.
    struct Region {
        var directive: Int
        /// nil: every rule except `except`.
        var names: [String]?
        var except: [String]
        var range: Range<Int>
    }

    public struct Applied: Sendable {
        public var kept: [RawMatch]
        /// `copydesk.unused-suppression` findings (empty when that rule is off).
        public var unused: [Finding]
    }

    /// Drops the matches the directives suppress and reports directives (or names in them) that
    /// suppressed nothing. `rules` are the rules in effect (to tell an unknown name).
    public static func apply(_ directives: [SuppressionDirective], to raw: [RawMatch], in doc: Document,
                             rules: [Rule], unusedSeverity: Severity?) -> Applied {
        // Regions from disable/enable pairs.
        var regions: [Region] = []
        var open: [Region] = []
        for (k, d) in directives.enumerated() {
            switch d.kind {
            case .disable?:
                open.append(Region(directive: k, names: d.names.isEmpty ? nil : d.names, except: [], range: d.range.upperBound..<d.range.upperBound))
            case .enable?:
                var still: [Region] = []
                for var r in open {
                    var closed = r
                    closed.range = r.range.lowerBound..<d.range.lowerBound
                    regions.append(closed)
                    if d.names.isEmpty { continue }
                    // Re-open what this enable does not name.
                    r.range = d.range.upperBound..<d.range.upperBound
                    if let names = r.names {
                        let left = names.filter { n in !d.names.contains(n) }
                        if left.isEmpty { continue }
                        r.names = left
                    } else {
                        r.except += d.names
                    }
                    still.append(r)
                }
                open = still
            default: break
            }
        }
        for var r in open { r.range = r.range.lowerBound..<doc.source.count; regions.append(r) }

        // used[directive][name index] (index names.count = the whole directive).
        var used = directives.map { Array(repeating: false, count: $0.names.count + 1) }
        let index = doc.lineIndex
        var kept: [RawMatch] = []
        kept.reserveCapacity(raw.count)
        for m in raw {
            let at = doc.sourceOffset(ofTextStart: m.range.lowerBound)
            let line = index.lineIndex(of: at)
            let id = m.rule.id, cat = m.rule.category.rawValue
            var suppressed = false
            /// Marks the names of directive `k` (limited to `subset`) that cover this match.
            func credit(_ k: Int, _ subset: [String]?) -> Bool {
                let names = directives[k].names
                if names.isEmpty { used[k][0] = true; return true }
                var hit = false
                for (ni, n) in names.enumerated() where (subset?.contains(n) ?? true) && SuppressionDirective.covers(n, id: id, category: cat) {
                    used[k][ni] = true
                    hit = true
                }
                return hit
            }
            for r in regions where r.range.contains(at) {
                if let names = r.names {
                    if credit(r.directive, names) { suppressed = true }
                } else if !r.except.contains(where: { SuppressionDirective.covers($0, id: id, category: cat) }) {
                    used[r.directive][0] = true
                    suppressed = true
                }
            }
            for (k, d) in directives.enumerated() {
                let hitsLine: Bool
                switch d.kind {
                case .disableLine?: hitsLine = line >= d.firstLine && line <= d.lastLine
                case .disableNextLine?: hitsLine = line == d.lastLine + 1
                default: hitsLine = false
                }
                if hitsLine && credit(k, nil) { suppressed = true }
            }
            if !suppressed { kept.append(m) }
        }

        guard let severity = unusedSeverity else { return Applied(kept: kept, unused: []) }
        var unused: [Finding] = []
        let categories = Set(Category.allCases.map(\.rawValue) + [Category.copydesk.rawValue])
        func known(_ name: String) -> Bool {
            if categories.contains(name) { return true }
            if name.contains("*") || name.contains("?") { return rules.contains { Glob(name).matches($0.id) } }
            return rules.contains { $0.id == name }
        }
        for (k, d) in directives.enumerated() {
            guard let kind = d.kind else {
                let expected = SuppressionDirective.Kind.allCases.map { "copydesk-\($0.rawValue)" }.joined(separator: ", ")
                unused.append(finding(d, doc, severity, "Unknown directive 'copydesk-\(d.word)' suppresses nothing (expected \(expected))"))
                continue
            }
            if kind == .enable { continue }
            let label = "copydesk-\(kind.rawValue)"
            if d.names.isEmpty {
                if !used[k][0] { unused.append(finding(d, doc, severity, "Unused suppression: '\(label)' suppresses no finding")) }
                continue
            }
            for (ni, name) in d.names.enumerated() where !used[k][ni] {
                if known(name) {
                    unused.append(finding(d, doc, severity, "Unused suppression: '\(label)' names '\(name)', but there is no such finding to suppress"))
                } else {
                    unused.append(finding(d, doc, severity, "Unused suppression: '\(label)' names '\(name)', which is no rule in effect or category"))
                }
            }
        }
        return Applied(kept: kept, unused: unused)
    }

    static func finding(_ d: SuppressionDirective, _ doc: Document, _ severity: Severity, _ message: String) -> Finding {
        Finding(rule: UnusedSuppression.ruleID, category: UnusedSuppression.category, severity: severity, message: message,
                match: UTF8Scan.string(doc.source[d.range]), span: doc.lineIndex.span(of: d.range, in: doc.source))
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\n" || f == "\r" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" || l == "\r" { s.removeLast() }
        return String(s)
    }
}
