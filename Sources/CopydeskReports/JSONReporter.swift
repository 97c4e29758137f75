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
        guard result.stats == nil else { return renderByParts(result, context: context) }
        return String(decoding: renderBytes(result, context: context), as: UTF8.self)
    }

    /// The report as UTF-8 bytes: the same bytes as `render`. Written by hand in one buffer
    /// (`JSONBytes`) when there are no `--stats` (their numbers stay with JSONEncoder, whose
    /// number formatting is its own); `JSONWriterTests` holds it side by side with the encoder.
    public func renderBytes(_ result: LintResult, context: ReportContext) -> [UInt8] {
        guard result.stats == nil else { return Array(renderByParts(result, context: context).utf8) }
        var out = JSONBytes()
        out.bytes.reserveCapacity(1024 + result.files.reduce(0) { $0 + 700 * $1.findings.count })
        JSONReporter.opening(result, context: context, into: &out)
        var first = true
        for file in result.files where !file.findings.isEmpty {
            if !first { out.put(",\n") }
            first = false
            JSONReporter.entry(path: file.path, findings: file.findings, into: &out)
        }
        JSONReporter.closing(result, context: context, into: &out)
        return out.bytes
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
        var out = JSONBytes()
        out.bytes.reserveCapacity(600 * findings.count + path.utf8.count + 64)
        entry(path: path, findings: findings, into: &out)
        return String(decoding: out.bytes, as: UTF8.self)
    }

    static func entry(path: String, findings: [Finding], into out: inout JSONBytes) {
        func position(_ p: SourcePosition) {
            out.put("{\n              \"column\" : "); out.int(p.column)
            out.put(",\n              \"line\" : "); out.int(p.line)
            out.put(",\n              \"offset\" : "); out.int(p.offset)
            out.put("\n            }")
        }
        out.put("    {\n      \"findings\" : [\n")
        for (k, f) in findings.enumerated() {
            if k > 0 { out.put(",\n") }
            out.put("        {\n          \"category\" : "); out.string(f.category.rawValue)
            out.put(",\n          \"match\" : "); out.string(f.match)
            out.put(",\n          \"message\" : "); out.string(f.message)
            out.put(",\n          \"rule\" : "); out.string(f.rule)
            out.put(",\n          \"severity\" : "); out.string(f.severity.rawValue)
            out.put(",\n          \"span\" : {\n            \"end\" : "); position(f.span.end)
            out.put(",\n            \"start\" : "); position(f.span.start)
            out.put("\n          }\n        }")
        }
        out.put("\n      ],\n      \"path\" : "); out.string(path)
        out.put("\n    }")
    }

    /// Everything before the file entries (no `--stats`): the sorted "errors", then `"files" : [`.
    static func opening(_ result: LintResult, context: ReportContext, into out: inout JSONBytes) {
        let errors = result.allErrors.sorted { ($0.path, $0.message) < ($1.path, $1.message) }
        out.put("{\n  \"errors\" : [\n")
        for (k, e) in errors.enumerated() {
            if k > 0 { out.put(",\n") }
            out.put("    {\n      \"message\" : "); out.string(e.message)
            out.put(",\n      \"path\" : "); out.string(e.path)
            out.put("\n    }")
        }
        out.put("\n  ],\n  \"files\" : [\n")
    }

    /// Everything after the file entries (no `--stats`): "skipped", "summary", "tool", "version".
    static func closing(_ result: LintResult, context: ReportContext, into out: inout JSONBytes) {
        out.put("\n  ],\n  \"skipped\" : [\n")
        for (k, s) in result.skipped.enumerated() {
            if k > 0 { out.put(",\n") }
            out.put("    {\n      \"path\" : "); out.string(s.path)
            out.put(",\n      \"reason\" : "); out.string(s.reason)
            out.put("\n    }")
        }
        let totals = result.totals
        func counts(_ pairs: [(String, Int)]) {
            out.put("{\n")
            for (k, (key, n)) in pairs.sorted(by: { $0.0 < $1.0 }).enumerated() {
                if k > 0 { out.put(",\n") }
                out.put("      "); out.string(key); out.put(" : "); out.int(n)
            }
            out.put("\n    }")
        }
        let extra: [Category] = totals.byCategory[.copydesk, default: 0] > 0 ? [.copydesk] : []
        let errorCount = result.errors.count + result.files.reduce(0) { $0 + $1.errors.count }
        out.put("\n  ],\n  \"summary\" : {\n    \"byCategory\" : ")
        counts((Category.allCases + extra).map { ($0.rawValue, totals.byCategory[$0, default: 0]) })
        out.put(",\n    \"bySeverity\" : ")
        counts(Severity.allCases.map { ($0.rawValue, totals.bySeverity[$0, default: 0]) })
        out.put(",\n    \"errors\" : "); out.int(errorCount)
        out.put(",\n    \"files\" : "); out.int(totals.files)
        out.put(",\n    \"filesWithFindings\" : "); out.int(totals.filesWithFindings)
        out.put(",\n    \"findings\" : "); out.int(totals.findings)
        if let hidden = result.hiddenByBaseline {
            out.put(",\n    \"hiddenByBaseline\" : "); out.int(hidden)
        }
        out.put(",\n    \"skipped\" : "); out.int(result.skipped.count)
        out.put("\n  },\n  \"tool\" : {\n    \"name\" : \"copydesk\",\n    \"version\" : "); out.string(context.toolVersion)
        out.put("\n  },\n  \"version\" : 1\n}\n")
    }

    @inline(__always) package static func hexDigit(_ v: UInt8) -> UInt8 { v < 10 ? 0x30 + v : 0x61 + v - 10 }

    public var partSeparator: String { ",\n" }

    /// Errors come before files (keys are sorted), so the opening needs the whole run.
    public var openingDependsOnRun: Bool { true }

    /// The report with an empty "files" list, cut where the entries go: written by hand without
    /// `--stats`, else encoded by JSONEncoder and cut.
    public func frame(_ result: LintResult, context: ReportContext) -> (opening: String, closing: String) {
        if result.stats == nil {
            var opening = JSONBytes(), closing = JSONBytes()
            JSONReporter.opening(result, context: context, into: &opening)
            JSONReporter.closing(result, context: context, into: &closing)
            return (String(decoding: opening.bytes, as: UTF8.self), String(decoding: closing.bytes, as: UTF8.self))
        }
        let whole = JSONReporter.encode(report(result, context: context)) + "\n"
        let empty = "\n  \"files\" : [\n\n  ]"
        guard let r = whole.range(of: empty) else { return (whole, "") }
        return (String(whole[..<r.lowerBound]) + "\n  \"files\" : [\n", "\n  ]" + String(whole[r.upperBound...]))
    }
}

/// JSON written byte by byte, escaped exactly as JSONEncoder escapes with
/// `.withoutEscapingSlashes`: `"` and `\\`, the control characters (`\\b \\t \\n \\f \\r`, the
/// others as `\\u00XX`), everything else as its UTF-8 bytes.
package struct JSONBytes {
    package var bytes: [UInt8] = []
    package init() {}

    @inline(__always) package mutating func put(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    package mutating func int(_ n: Int) {
        if n >= 0 && n < 10 { bytes.append(0x30 + UInt8(n)); return }
        bytes.append(contentsOf: String(n).utf8)
    }

    /// `s` quoted and escaped.
    package mutating func string(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { utf8 in
            // Runs of bytes that need no escape go in whole.
            var start = 0
            for (i, b) in utf8.enumerated() where b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") {
                if start < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<i])) }
                start = i + 1
                switch b {
                case UInt8(ascii: "\""): put("\\\"")
                case UInt8(ascii: "\\"): put("\\\\")
                case 0x08: put("\\b")
                case 0x09: put("\\t")
                case 0x0A: put("\\n")
                case 0x0C: put("\\f")
                case 0x0D: put("\\r")
                default:
                    put("\\u00")
                    bytes.append(JSONReporter.hexDigit(b >> 4))
                    bytes.append(JSONReporter.hexDigit(b & 15))
                }
            }
            if start < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...])) }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
