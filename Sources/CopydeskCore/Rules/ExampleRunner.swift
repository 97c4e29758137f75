/// Runs a rule's examples: each triggering example must give exactly one finding whose span is the
/// «…»-marked text; each non-triggering example must give none. Every example runs twice: as
/// written, and after a paragraph (or front-matter key) of multibyte text, to catch offset bugs.
public enum ExampleRunner {
    public struct Failure: Sendable, Equatable, CustomStringConvertible {
        public var ruleID: String
        public var file: String
        public var line: Int
        public var example: String
        public var problem: String
        public var description: String { "\(file):\(line): rule \(ruleID): \(problem)\n    example: \(example)" }
    }

    static let open = "«", close = "»"
    static let prefixText = "“Ad” 🎉 Ünïcödé"

    /// The example without its markers and the marked byte range, or nil unless exactly one pair.
    public static func markedSpan(_ s: String) -> (text: String, span: Range<Int>)? {
        // Split on the marker scalars (not Foundation's components(separatedBy:), which is slow
        // to start up and runs for every example when rules load).
        let o = open.unicodeScalars.first!, c = close.unicodeScalars.first!
        let parts = s.unicodeScalars.split(separator: o, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let rest = parts[1].split(separator: c, omittingEmptySubsequences: false)
        guard rest.count == 2, !rest[0].isEmpty, !parts[0].contains(c) else { return nil }
        let before = String(String.UnicodeScalarView(parts[0])), marked = String(String.UnicodeScalarView(rest[0]))
        let after = String(String.UnicodeScalarView(rest[1]))
        let start = before.utf8.count
        return (before + marked + after, start..<(start + marked.utf8.count))
    }

    /// A document holding `example` where the rule looks: the headline for `headline` scope, the
    /// body otherwise. Returns the document and the byte offset where the example starts.
    public static func document(for example: String, scope: Scope, withPrefix: Bool) -> (Document, Int)? {
        if scope == .headline {
            if !withPrefix {
                return (Document(path: "<example>", string: example + "\n\nBody text.\n", format: .text, headline: .firstLine), 0)
            }
            // A plain YAML scalar must not start with a quote or indicator, nor hold " #".
            guard let f = example.unicodeScalars.first, !"\"'|>&*!%@`#{[-?:".unicodeScalars.contains(f),
                  !example.contains(" #"), !example.contains(": "), !example.contains("\n") else { return nil }
            let head = "---\nkicker: \(prefixText)\ntitle: "
            return (Document(path: "<example>", string: head + example + "\n---\n\nBody text.\n", format: .markdown), head.utf8.count)
        }
        let head = withPrefix ? prefixText + "\n\n" : ""
        return (Document(path: "<example>", string: head + example, format: .text, headline: HeadlineMode.none), head.utf8.count)
    }

    /// Every failure of the rule's examples (empty when all pass).
    ///
    /// A scored cue's examples test the cue on its own, whatever its score and the threshold: a
    /// triggering example is one where the cue fires, on the marked span; a non-triggering one is
    /// a near miss where it does not. Whether cues add up to a finding is tested by the category
    /// examples (`checkCategory`).
    public static func check(_ rule: Rule, scratch: MatchScratch = MatchScratch()) -> [Failure] {
        var failures: [Failure] = []
        for (list, name) in [(rule.examples.triggering, "triggering"), (rule.examples.nontriggering, "non-triggering")] where list.count < 2 {
            failures.append(Failure(ruleID: rule.id, file: rule.file, line: rule.line, example: "", problem: "needs at least 2 \(name) examples (has \(list.count))"))
        }
        let alone = rule.score == nil ? rule : rule.with(score: nil, threshold: rule.threshold)
        return failures + run(rule.examples, scope: rule.scope, rules: [alone], id: rule.id, file: rule.file, line: rule.line, scratch: scratch)
    }

    /// Every failure of a category's examples (`categories: {C: {examples: …}}`), run against
    /// all the category's rules in `rules` together, scored cues and their threshold included:
    /// a triggering example must give exactly one finding of the category, on the marked span
    /// (the cues that add up past the threshold); a non-triggering one none.
    public static func checkCategory(_ settings: CategorySettings, rules: [Rule], scratch: MatchScratch = MatchScratch()) -> [Failure] {
        run(settings.examples, scope: settings.scope, rules: rules.filter { $0.category == settings.category },
            id: "category " + settings.category.rawValue, file: settings.file, line: settings.line, scratch: scratch)
    }

    static func run(_ examples: RuleExamples, scope: Scope, rules: [Rule], id: String, file: String, line: Int, scratch: MatchScratch) -> [Failure] {
        var failures: [Failure] = []
        let linter = Linter(ruleSet: RuleSet(rules))
        func fail(_ example: String, _ problem: String) {
            failures.append(Failure(ruleID: id, file: file, line: line, example: example, problem: problem))
        }
        let rule = (scope: scope, examples: examples)
        for example in rule.examples.triggering {
            guard let marked = markedSpan(example) else { fail(example, "triggering example must mark the expected span with exactly one «…»"); continue }
            for withPrefix in [false, true] {
                guard let (doc, shift) = document(for: marked.text, scope: rule.scope, withPrefix: withPrefix) else { continue }
                let report = linter.lint(doc, scratch: scratch)
                let label = withPrefix ? " (after a multibyte prefix)" : ""
                if let e = report.errors.first { fail(example, "error\(label): \(e.message)"); break }
                let want = (marked.span.lowerBound + shift)..<(marked.span.upperBound + shift)
                let wantText = UTF8Scan.string(Array(marked.text.utf8)[marked.span])
                if report.findings.isEmpty { fail(example, "expected a finding on «\(wantText)»\(label), got none"); break }
                if report.findings.count > 1 || report.findings[0].byteRange != want {
                    let got = report.findings.map { "«\($0.match)» at bytes \($0.byteRange.lowerBound - shift)..<\($0.byteRange.upperBound - shift)" }.joined(separator: ", ")
                    fail(example, "expected exactly one finding «\(wantText)» at bytes \(marked.span.lowerBound)..<\(marked.span.upperBound)\(label), got \(got)")
                    break
                }
            }
        }
        for example in rule.examples.nontriggering {
            if example.contains(open) || example.contains(close) { fail(example, "non-triggering example must not contain «…» markers"); continue }
            for withPrefix in [false, true] {
                guard let (doc, shift) = document(for: example, scope: rule.scope, withPrefix: withPrefix) else { continue }
                let report = linter.lint(doc, scratch: scratch)
                if let e = report.errors.first { fail(example, "error: \(e.message)"); break }
                if let f = report.findings.first {
                    fail(example, "expected no finding\(withPrefix ? " (after a multibyte prefix)" : ""), got «\(f.match)» at bytes \(f.byteRange.lowerBound - shift)..<\(f.byteRange.upperBound - shift)")
                    break
                }
            }
        }
        return failures
    }
}
