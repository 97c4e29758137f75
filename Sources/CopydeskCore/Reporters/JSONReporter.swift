import Foundation

/// The JSON report, version 1: keys sorted, one stable shape (see README "JSON report").
public struct JSONReporter: Reporter {
    public init() {}

    struct Tool: Encodable { var name: String; var version: String }
    struct FileEntry: Encodable { var path: String; var findings: [Finding] }
    struct Summary: Encodable {
        var files: Int
        var filesWithFindings: Int
        var findings: Int
        var errors: Int
        var skipped: Int
        var bySeverity: [String: Int]
        var byCategory: [String: Int]
        /// Findings hidden by `--baseline` (absent without one).
        var hiddenByBaseline: Int?
    }
    struct Report: Encodable {
        var version = 1
        var tool: Tool
        var files: [FileEntry]
        var errors: [FileError]
        var skipped: [SkippedFile]
        var summary: Summary
        /// Only with `--stats`.
        var stats: RuleStats?
    }

    public func render(_ result: LintResult, context: ReportContext) -> String {
        let withFindings = result.files.filter { !$0.findings.isEmpty }
        let errors = result.allErrors.sorted { ($0.path, $0.message) < ($1.path, $1.message) }
        let report = Report(
            tool: Tool(name: "copydesk", version: context.toolVersion),
            files: withFindings.map { FileEntry(path: $0.path, findings: $0.findings) },
            errors: errors,
            skipped: result.skipped,
            summary: Summary(
                files: result.files.count, filesWithFindings: withFindings.count, findings: result.findingCount,
                errors: errors.count, skipped: result.skipped.count,
                bySeverity: Dictionary(uniqueKeysWithValues: Severity.allCases.map { ($0.rawValue, result.count($0)) }),
                // `copydesk` (unused suppressions) only when present, so reports without them keep their shape.
                byCategory: Dictionary(uniqueKeysWithValues: (Category.allCases + (result.count(Category.copydesk) > 0 ? [Category.copydesk] : []))
                    .map { ($0.rawValue, result.count($0)) }),
                hiddenByBaseline: result.hiddenByBaseline),
            stats: result.stats)
        return JSONReporter.encode(report) + "\n"
    }

    /// Pretty-printed, sorted keys, slashes unescaped.
    public static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
