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
