import Foundation
import CopydeskCore

/// The JSON report, version 1: keys sorted, one stable shape (see README "JSON report").
public struct JSONReporter: StreamingReporter {
    public init() {}

    package struct Tool: Encodable { var name: String; var version: String; package init(name: String, version: String) { self.name = name; self.version = version } }
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
                bySeverity: JSONReporter.severityCounts(result),
                byCategory: JSONReporter.categoryCounts(result),
                hiddenByBaseline: result.hiddenByBaseline),
            stats: result.stats)
    }

    /// Findings per severity, every severity present (shared by the JSON and JSON Lines reports).
    package static func severityCounts(_ result: LintResult) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: Severity.allCases.map { ($0.rawValue, result.count($0)) })
    }

    /// Findings per category, every article category present; `copydesk` (unused suppressions)
    /// only when there are some, so reports without them keep their shape.
    package static func categoryCounts(_ result: LintResult) -> [String: Int] {
        let extra: [Category] = result.count(Category.copydesk) > 0 ? [.copydesk] : []
        return Dictionary(uniqueKeysWithValues: (Category.allCases + extra).map { ($0.rawValue, result.count($0)) })
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
        return JSONReporter.entry(path: file.path, findings: file.findings)
    }

    /// A file's entry written out by hand, two levels down (report → "files" list), in exactly
    /// the form `encode(FileEntry(…))` gives it there: sorted keys, `" : "`, two spaces per level,
    /// slashes unescaped (`JSONReporterTests` holds the two side by side). About ten times faster
    /// than the encoder, which matters on archives with many findings.
    static func entry(path: String, findings: [Finding]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(600 * findings.count + path.utf8.count + 64)
        func put(_ s: StaticString) { s.withUTF8Buffer { out.append(contentsOf: $0) } }
        func string(_ s: String) {
            out.append(UInt8(ascii: "\""))
            for b in s.utf8 {
                switch b {
                case UInt8(ascii: "\""): put("\\\"")
                case UInt8(ascii: "\\"): put("\\\\")
                case 0x08: put("\\b")
                case 0x09: put("\\t")
                case 0x0A: put("\\n")
                case 0x0C: put("\\f")
                case 0x0D: put("\\r")
                case 0..<0x20:
                    put("\\u00")
                    out.append(hexDigit(b >> 4))
                    out.append(hexDigit(b & 15))
                default: out.append(b)
                }
            }
            out.append(UInt8(ascii: "\""))
        }
        func number(_ n: Int) { out.append(contentsOf: String(n).utf8) }
        func position(_ p: SourcePosition) {
            put("{\n              \"column\" : "); number(p.column)
            put(",\n              \"line\" : "); number(p.line)
            put(",\n              \"offset\" : "); number(p.offset)
            put("\n            }")
        }
        put("    {\n      \"findings\" : [\n")
        for (k, f) in findings.enumerated() {
            if k > 0 { put(",\n") }
            put("        {\n          \"category\" : "); string(f.category.rawValue)
            put(",\n          \"match\" : "); string(f.match)
            put(",\n          \"message\" : "); string(f.message)
            put(",\n          \"rule\" : "); string(f.rule)
            put(",\n          \"severity\" : "); string(f.severity.rawValue)
            put(",\n          \"span\" : {\n            \"end\" : "); position(f.span.end)
            put(",\n            \"start\" : "); position(f.span.start)
            put("\n          }\n        }")
        }
        put("\n      ],\n      \"path\" : "); string(path)
        put("\n    }")
        return String(decoding: out, as: UTF8.self)
    }

    @inline(__always) package static func hexDigit(_ v: UInt8) -> UInt8 { v < 10 ? 0x30 + v : 0x61 + v - 10 }

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
