import Foundation
import Testing
@testable import CopydeskCore
@testable import CopydeskReports

/// The JSON and JSON Lines reports are written by hand (`JSONBytes`); JSONEncoder wrote them
/// before. These hold the two side by side on findings, errors and skipped files with every
/// kind of character a string can bring: ASCII controls, quotes, backslashes, slashes,
/// non-ASCII, emoji, U+2028 and the like.
@Suite("Reports: JSON written by hand is JSONEncoder's")
struct JSONWriterTests {
    static let tricky: String = {
        var s = ""
        for v in 0..<128 { s.unicodeScalars.append(Unicode.Scalar(UInt8(v))) }
        return s + "\u{2028}\u{2029}\u{FEFF}é🎉\u{85}\u{A0}/\\\"“”\u{7F}\u{1F}\r\n\t"
    }()

    static func finding(_ text: String, _ n: Int, category: CopydeskCore.Category? = nil) -> Finding {
        Finding(rule: "rule.\(n)", category: category ?? Category.allCases[n % Category.allCases.count],
                severity: Severity.allCases[n % 3], message: "Message “\(text)” \\n",
                match: text,
                span: SourceSpan(start: SourcePosition(line: n + 1, column: 3 * n + 1, offset: 97 * n),
                                 end: SourcePosition(line: n + 3, column: 10 + n, offset: 97 * n + 12_345)))
    }

    /// Results of many shapes: empty, one clean file, findings in several files (one with
    /// `copydesk` findings), file errors inside and outside files, skipped files, a baseline count.
    static func results() -> [LintResult] {
        var out: [LintResult] = [LintResult()]
        out.append(LintResult(files: [FileReport(path: "clean.md", findings: [])]))
        let pieces = [tricky, "plain", "", "é", "a\"b", "back\\slash", "new\nline", "tab\tand\u{0}nul", "slash/es", "🎉🎉", "\u{1}\u{8}\u{C}\u{B}"]
        var files: [FileReport] = []
        for (k, p) in pieces.enumerated() {
            let findings = (0..<(k % 4)).map { finding(p + String(repeating: "x", count: $0), k + $0) }
            files.append(FileReport(path: k % 3 == 0 ? "dir/\(p).md" : "f\(k).txt", findings: findings,
                                    errors: k % 5 == 1 ? [FileError(path: "f\(k).txt", message: "limit \(p)")] : []))
        }
        files.append(FileReport(path: "unused.md", findings: [finding("disable", 7, category: .copydesk)]))
        var many = LintResult(files: files,
                              errors: [FileError(path: "gone.md", message: "No such file or directory"), FileError(path: tricky, message: tricky)],
                              skipped: [SkippedFile(path: "img.png", reason: "binary file (contains NUL bytes)"), SkippedFile(path: tricky, reason: "\u{2}")])
        out.append(many)
        many.hiddenByBaseline = 12
        out.append(many)
        var one = LintResult(files: [FileReport(path: "a.txt", findings: [finding(tricky, 0)])])
        one.hiddenByBaseline = 0
        out.append(one)
        return out
    }

    /// What JSONEncoder writes for the whole report (the structs the report always had).
    static func encoded(_ r: LintResult, _ context: ReportContext) -> String {
        var report = JSONReporter().report(r, context: context)
        report.files = r.files.filter { !$0.findings.isEmpty }.map { JSONReporter.FileEntry(path: $0.path, findings: $0.findings) }
        return JSONReporter.encode(report) + "\n"
    }

    @Test func jsonReportIsTheEncoders() {
        for (k, r) in Self.results().enumerated() {
            for context in [ReportContext(), { var c = ReportContext(); c.toolVersion = "9.9.9-\"é\""; return c }()] {
                let expected = Self.encoded(r, context)
                #expect(JSONReporter().render(r, context: context) == expected, "result \(k)")
                #expect(JSONReporter().renderBytes(r, context: context) == Array(expected.utf8), "result \(k)")
                // The streaming frame (the CLI's path) gives the same bytes.
                #expect(JSONReporter().renderByParts(r, context: context) == expected, "result \(k)")
            }
        }
    }

    @Test func streamedFrameWithATallyIsTheEncoders() {
        // A streaming run keeps counts in `tally` and no files: the frame alone.
        let full = Self.results()[3]
        var streamed = LintResult(errors: full.allErrors, skipped: full.skipped)
        var tally = LintTally()
        for f in full.files { tally.add(f) }
        streamed.tally = tally
        streamed.hiddenByBaseline = full.hiddenByBaseline
        let (opening, closing) = JSONReporter().frame(streamed, context: ReportContext())
        let parts = full.files.filter { !$0.findings.isEmpty }.map { JSONReporter.entry(path: $0.path, findings: $0.findings) }
        #expect(opening + parts.joined(separator: ",\n") + closing == Self.encoded(full, ReportContext()))
    }

    @Test func statsStayWithTheEncoder() {
        var r = Self.results()[2]
        r.stats = RuleStats(documents: 3, rules: [RuleStats.Entry(id: "a.b", category: .ads, matches: 2, documents: 1, findings: 1, timeMs: 0.123456789)],
                            wallTimeMs: 12.5, threads: 2)
        var report = JSONReporter().report(r, context: ReportContext())
        report.files = r.files.filter { !$0.findings.isEmpty }.map { JSONReporter.FileEntry(path: $0.path, findings: $0.findings) }
        #expect(JSONReporter().render(r, context: ReportContext()) == JSONReporter.encode(report) + "\n")
    }

    @Test func jsonLinesAreTheEncoders() {
        for (k, r) in Self.results().enumerated() {
            let expected = JSONLinesReporter().renderWithEncoder(r, context: ReportContext())
            #expect(JSONLinesReporter().render(r, context: ReportContext()) == expected, "result \(k)")
        }
    }

    @Test func escapesOneByOne() {
        // Every scalar below 0x100 and a few above, alone in a string.
        var scalars = (0..<0x100).compactMap { Unicode.Scalar($0) }
        scalars += ["\u{2028}", "\u{FFFD}", "\u{10FFFF}", "😀"]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        for s in scalars {
            let text = String(s)
            var out = JSONBytes()
            out.string(text)
            let expected = String(decoding: try! encoder.encode([text]), as: UTF8.self).dropFirst().dropLast()
            #expect(String(decoding: out.bytes, as: UTF8.self) == String(expected), "U+\(String(s.value, radix: 16))")
        }
        for n in [0, 7, 9, 10, 99, 100, -1, -10, Int.max, Int.min] {
            var out = JSONBytes()
            out.int(n)
            #expect(String(decoding: out.bytes, as: UTF8.self) == String(n))
        }
    }
}
