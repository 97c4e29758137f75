import Foundation
import CopydeskCore

/// `jsonl`: one compact JSON object per line (keys sorted): every finding (`"type": "finding"`),
/// then every file error (`"error"`) and skipped file (`"skipped"`), then one `"summary"`.
/// Suits streaming consumers and `jq -c`.
public struct JSONLinesReporter: Reporter {
    public init() {}

    struct FindingLine: Encodable {
        var type = "finding"
        var path: String
        var rule: String
        var category: Category
        var severity: Severity
        var message: String
        var match: String
        var span: SourceSpan
        var fingerprint: String
    }
    struct ErrorLine: Encodable {
        var type = "error"
        var path: String
        var message: String
    }
    struct SkippedLine: Encodable {
        var type = "skipped"
        var path: String
        var reason: String
    }
    struct SummaryLine: Encodable {
        var type = "summary"
        var version = 1
        var tool: JSONReporter.Tool
        var files: Int
        var filesWithFindings: Int
        var findings: Int
        var errors: Int
        var skipped: Int
        var bySeverity: [String: Int]
        var byCategory: [String: Int]
    }

    public func render(_ result: LintResult, context: ReportContext) -> String {
        String(decoding: renderBytes(result, context: context), as: UTF8.self)
    }

    /// The lines as UTF-8 bytes, written by hand: the same bytes JSONEncoder gives the line
    /// structs above with `[.sortedKeys, .withoutEscapingSlashes]` (`JSONWriterTests` holds
    /// the two side by side).
    public func renderBytes(_ result: LintResult, context: ReportContext) -> [UInt8] {
        var out = JSONBytes()
        out.bytes.reserveCapacity(512 + result.files.reduce(0) { $0 + 400 * $1.findings.count })
        func position(_ p: SourcePosition) {
            out.put("{\"column\":"); out.int(p.column)
            out.put(",\"line\":"); out.int(p.line)
            out.put(",\"offset\":"); out.int(p.offset)
            out.put("}")
        }
        let prints = Fingerprint.all(in: result)
        for file in result.files {
            let fps = prints[file.path] ?? []
            for (k, f) in file.findings.enumerated() {
                out.put("{\"category\":"); out.string(f.category.rawValue)
                out.put(",\"fingerprint\":"); out.string(k < fps.count ? fps[k] : "")
                out.put(",\"match\":"); out.string(f.match)
                out.put(",\"message\":"); out.string(f.message)
                out.put(",\"path\":"); out.string(file.path)
                out.put(",\"rule\":"); out.string(f.rule)
                out.put(",\"severity\":"); out.string(f.severity.rawValue)
                out.put(",\"span\":{\"end\":"); position(f.span.end)
                out.put(",\"start\":"); position(f.span.start)
                out.put("},\"type\":\"finding\"}\n")
            }
        }
        let errors = result.allErrors.sorted { ($0.path, $0.message) < ($1.path, $1.message) }
        for e in errors {
            out.put("{\"message\":"); out.string(e.message)
            out.put(",\"path\":"); out.string(e.path)
            out.put(",\"type\":\"error\"}\n")
        }
        for s in result.skipped {
            out.put("{\"path\":"); out.string(s.path)
            out.put(",\"reason\":"); out.string(s.reason)
            out.put(",\"type\":\"skipped\"}\n")
        }
        func counts(_ dictionary: [String: Int]) {
            out.put("{")
            for (k, (key, n)) in dictionary.sorted(by: { $0.key < $1.key }).enumerated() {
                if k > 0 { out.put(",") }
                out.string(key); out.put(":"); out.int(n)
            }
            out.put("}")
        }
        out.put("{\"byCategory\":"); counts(JSONReporter.categoryCounts(result))
        out.put(",\"bySeverity\":"); counts(JSONReporter.severityCounts(result))
        out.put(",\"errors\":"); out.int(errors.count)
        out.put(",\"files\":"); out.int(result.fileCount)
        out.put(",\"filesWithFindings\":"); out.int(result.filesWithFindingsCount)
        out.put(",\"findings\":"); out.int(result.findingCount)
        out.put(",\"skipped\":"); out.int(result.skipped.count)
        out.put(",\"tool\":{\"name\":\"copydesk\",\"version\":"); out.string(context.toolVersion)
        out.put("},\"type\":\"summary\",\"version\":1}\n")
        return out.bytes
    }

    /// What the lines were before they were written by hand (JSONEncoder over the structs
    /// above); the tests compare the two.
    func renderWithEncoder(_ result: LintResult, context: ReportContext) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        func line<T: Encodable>(_ v: T) -> String {
            guard let d = try? encoder.encode(v) else { return "{}\n" }
            return String(decoding: d, as: UTF8.self) + "\n"
        }
        var out = ""
        let prints = Fingerprint.all(in: result)
        for file in result.files {
            let fps = prints[file.path] ?? []
            for (k, f) in file.findings.enumerated() {
                out += line(FindingLine(path: file.path, rule: f.rule, category: f.category, severity: f.severity, message: f.message,
                                        match: f.match, span: f.span, fingerprint: k < fps.count ? fps[k] : ""))
            }
        }
        let errors = result.allErrors.sorted { ($0.path, $0.message) < ($1.path, $1.message) }
        for e in errors { out += line(ErrorLine(path: e.path, message: e.message)) }
        for s in result.skipped { out += line(SkippedLine(path: s.path, reason: s.reason)) }
        out += line(SummaryLine(
            tool: .init(name: "copydesk", version: context.toolVersion),
            files: result.fileCount, filesWithFindings: result.filesWithFindingsCount,
            findings: result.findingCount, errors: errors.count, skipped: result.skipped.count,
            bySeverity: JSONReporter.severityCounts(result),
            byCategory: JSONReporter.categoryCounts(result)))
        return out
    }
}
