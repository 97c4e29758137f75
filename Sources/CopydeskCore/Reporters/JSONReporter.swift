import Foundation

/// The JSON report, version 1: keys sorted, one stable shape (see README "JSON report").
public struct JSONReporter: StreamingReporter {
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
        renderByParts(result, context: context)
    }

    /// The whole report with no files in it (everything but the files comes from the run).
    func report(_ result: LintResult, context: ReportContext) -> Report {
        let errors = result.allErrors.sorted { ($0.path, $0.message) < ($1.path, $1.message) }
        return Report(
            tool: Tool(name: "copydesk", version: context.toolVersion),
            files: [],
            errors: errors,
            skipped: result.skipped,
            summary: Summary(
                files: result.fileCount, filesWithFindings: result.filesWithFindingsCount, findings: result.findingCount,
                errors: errors.count, skipped: result.skipped.count,
                bySeverity: Dictionary(uniqueKeysWithValues: Severity.allCases.map { ($0.rawValue, result.count($0)) }),
                byCategory: Dictionary(uniqueKeysWithValues: Category.allCases.map { ($0.rawValue, result.count($0)) })),
            stats: result.stats)
    }

    /// Pretty-printed, sorted keys, slashes unescaped.
    public static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}

extension JSONReporter {
    /// A file's entry of the "files" list, as the encoder writes it inside the report (files
    /// without findings are not listed).
    public func part(for file: FileReport, lineText: [Int: String], context: ReportContext) -> String {
        guard !file.findings.isEmpty else { return "" }
        let entry = JSONReporter.encode(FileEntry(path: file.path, findings: file.findings))
        // Two levels down (report → "files" list); strings never hold a raw newline.
        return entry.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n")
    }

    public var partSeparator: String { ",\n" }

    /// Errors come before files (keys are sorted), so the opening needs the whole run.
    public var openingDependsOnRun: Bool { true }

    /// The report encoded with an empty "files" list, cut where the entries go.
    public func frame(_ result: LintResult, context: ReportContext) -> (opening: String, closing: String) {
        let whole = JSONReporter.encode(report(result, context: context)) + "\n"
        let empty = "\n  \"files\" : [\n\n  ]"
        guard let r = whole.range(of: empty) else { return (whole, "") }
        return (String(whole[..<r.lowerBound]) + "\n  \"files\" : [\n", "\n  ]" + String(whole[r.upperBound...]))
    }
}
