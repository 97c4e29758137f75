import Foundation
import CopydeskCore

/// `sarif`: SARIF 2.1.0, for GitHub code scanning and other SARIF viewers. One run; the driver
/// lists every rule in effect (id, name, descriptions, default level, help with the rule's
/// examples); each result has its level, message, a region with start/end line and column
/// (`columnKind: unicodeCodePoints`), byte offset and length, the matched text as snippet, and
/// `partialFingerprints` holding the baseline fingerprint. File errors are tool execution
/// notifications of the invocation (which then is not successful). Relative paths are given
/// against `%SRCROOT%` (the folder copydesk ran in).
public struct SARIFReporter: Reporter {
    public init() {}

    public static let schemaURI = "https://json.schemastore.org/sarif-2.1.0.json"
    public static let fingerprintKey = "copydesk/v1"

    struct Message: Encodable { var text: String }
    struct MultiformatMessage: Encodable { var text: String; var markdown: String? }
    struct Configuration: Encodable { var level: String }
    struct Properties: Encodable { var category: String; var tags: [String] }
    struct RuleDescriptor: Encodable {
        var id: String
        var name: String
        var shortDescription: MultiformatMessage
        var fullDescription: MultiformatMessage
        var defaultConfiguration: Configuration
        var help: MultiformatMessage
        var properties: Properties
    }
    struct Driver: Encodable {
        var name = "copydesk"
        var version: String
        var semanticVersion: String
        var rules: [RuleDescriptor]
    }
    struct Tool: Encodable { var driver: Driver }
    struct ArtifactLocation: Encodable { var uri: String; var uriBaseId: String? }
    struct Snippet: Encodable { var text: String }
    struct Region: Encodable {
        var startLine: Int
        var startColumn: Int
        var endLine: Int
        var endColumn: Int
        var byteOffset: Int
        var byteLength: Int
        var snippet: Snippet
    }
    struct PhysicalLocation: Encodable { var artifactLocation: ArtifactLocation; var region: Region? }
    struct Location: Encodable { var physicalLocation: PhysicalLocation }
    struct ResultProperties: Encodable { var category: String }
    struct Result: Encodable {
        var ruleId: String
        var ruleIndex: Int?
        var level: String
        var message: Message
        var locations: [Location]
        var partialFingerprints: [String: String]
        var properties: ResultProperties
    }
    struct Notification: Encodable {
        var level: String
        var message: Message
        var locations: [Location]?
    }
    struct Invocation: Encodable {
        var executionSuccessful: Bool
        var toolExecutionNotifications: [Notification]
    }
    struct Run: Encodable {
        var tool: Tool
        var columnKind = "unicodeCodePoints"
        var results: [Result]
        var invocations: [Invocation]
    }
    struct Log: Encodable {
        var schema = SARIFReporter.schemaURI
        var version = "2.1.0"
        var runs: [Run]
        enum CodingKeys: String, CodingKey { case schema = "$schema", version, runs }
    }

    public func render(_ result: LintResult, context: ReportContext) -> String {
        // Rules: every rule in effect, plus any rule a finding names that the set lacks.
        var rules: [RuleDescriptor] = []
        var ruleIndex: [String: Int] = [:]
        for r in context.ruleSet?.rules ?? [] where ruleIndex[r.id] == nil {
            ruleIndex[r.id] = rules.count
            rules.append(Self.descriptor(r))
        }
        for file in result.files {
            for f in file.findings where ruleIndex[f.rule] == nil {
                ruleIndex[f.rule] = rules.count
                if f.rule == UnusedSuppression.ruleID { rules.append(Self.unusedSuppressionDescriptor); continue }
                let text = "Rule \(f.rule) (\(f.category.rawValue))."
                rules.append(RuleDescriptor(id: f.rule, name: Self.name(f.rule), shortDescription: .init(text: text), fullDescription: .init(text: text),
                                            defaultConfiguration: .init(level: Self.level(f.severity)), help: .init(text: text),
                                            properties: .init(category: f.category.rawValue, tags: [f.category.rawValue])))
            }
        }
        let prints = Fingerprint.all(in: result)
        var results: [Result] = []
        for file in result.files {
            let fps = prints[file.path] ?? []
            for (k, f) in file.findings.enumerated() {
                let region = Region(startLine: f.span.start.line, startColumn: f.span.start.column,
                                    endLine: f.span.end.line, endColumn: f.span.end.column,
                                    byteOffset: f.span.start.offset, byteLength: f.span.end.offset - f.span.start.offset,
                                    snippet: .init(text: f.match))
                results.append(Result(ruleId: f.rule, ruleIndex: ruleIndex[f.rule], level: Self.level(f.severity),
                                      message: .init(text: f.message),
                                      locations: [Location(physicalLocation: .init(artifactLocation: Self.artifact(file.path), region: region))],
                                      partialFingerprints: [Self.fingerprintKey: k < fps.count ? fps[k] : ""],
                                      properties: .init(category: f.category.rawValue)))
            }
        }
        var notes: [Notification] = []
        let errors = result.allErrors.sorted { ($0.path, $0.message) < ($1.path, $1.message) }
        for e in errors {
            notes.append(Notification(level: "error", message: .init(text: e.message),
                                      locations: e.path.isEmpty ? nil : [Location(physicalLocation: .init(artifactLocation: Self.artifact(e.path), region: nil))]))
        }
        for s in result.skipped {
            notes.append(Notification(level: "note", message: .init(text: "skipped: \(s.reason)"),
                                      locations: [Location(physicalLocation: .init(artifactLocation: Self.artifact(s.path), region: nil))]))
        }
        let run = Run(tool: Tool(driver: Driver(version: context.toolVersion, semanticVersion: context.toolVersion, rules: rules)),
                      results: results,
                      invocations: [Invocation(executionSuccessful: errors.isEmpty, toolExecutionNotifications: notes)])
        return JSONReporter.encode(Log(runs: [run])) + "\n"
    }

    static func level(_ s: Severity) -> String {
        switch s {
        case .error: "error"
        case .warning: "warning"
        case .info: "note"
        }
    }

    /// `ads.promo-code` → `AdsPromoCode`.
    static func name(_ id: String) -> String {
        id.split(whereSeparator: { $0 == "." || $0 == "-" || $0 == "_" }).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    static func descriptor(_ r: Rule) -> RuleDescriptor {
        let description = r.description.isEmpty ? r.message : r.description.replacingNewlines()
        var help = description
        var markdown = description
        let triggering = r.examples.triggering.prefix(3).map { $0.replacingOccurrences(of: "«", with: "").replacingOccurrences(of: "»", with: "") }
        let fine = r.examples.nontriggering.prefix(2)
        if !triggering.isEmpty {
            help += "\n\nFlagged:\n" + triggering.map { "- \($0)" }.joined(separator: "\n")
            markdown += "\n\n**Flagged:**\n\n" + r.examples.triggering.prefix(3).map { "- " + $0.replacingOccurrences(of: "«", with: "**").replacingOccurrences(of: "»", with: "**") }.joined(separator: "\n")
        }
        if !fine.isEmpty {
            help += "\n\nNot flagged:\n" + fine.map { "- \($0)" }.joined(separator: "\n")
            markdown += "\n\n**Not flagged:**\n\n" + fine.map { "- \($0)" }.joined(separator: "\n")
        }
        help += "\n\nSilence it on one line with <!-- copydesk-disable-line \(r.id) -->."
        markdown += "\n\nSilence it on one line with `<!-- copydesk-disable-line \(r.id) -->`."
        return RuleDescriptor(id: r.id, name: name(r.id), shortDescription: .init(text: description.firstSentence),
                              fullDescription: .init(text: description), defaultConfiguration: .init(level: level(r.severity)),
                              help: .init(text: help, markdown: markdown),
                              properties: .init(category: r.category.rawValue, tags: [r.category.rawValue]))
    }

    static let unusedSuppressionDescriptor: RuleDescriptor = {
        let text = "A copydesk-disable comment that suppresses no finding (or names no rule in effect)."
        return RuleDescriptor(id: UnusedSuppression.ruleID, name: name(UnusedSuppression.ruleID), shortDescription: .init(text: text),
                              fullDescription: .init(text: text), defaultConfiguration: .init(level: "note"),
                              help: .init(text: text + " Remove the comment, or fix the rule names in it."),
                              properties: .init(category: UnusedSuppression.category.rawValue, tags: [UnusedSuppression.category.rawValue]))
    }()

    /// A path as a SARIF artifact location: relative paths as relative URI references against
    /// `%SRCROOT%`, absolute paths as `file://` URIs.
    static func artifact(_ path: String) -> ArtifactLocation {
        if path.hasPrefix("/") { return ArtifactLocation(uri: "file://" + percentEncoded(path), uriBaseId: nil) }
        var p = path
        while p.hasPrefix("./") { p.removeFirst(2) }
        return ArtifactLocation(uri: percentEncoded(p), uriBaseId: "%SRCROOT%")
    }

    static func percentEncoded(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            let c = Character(Unicode.Scalar(b))
            // `:` is encoded too: in a relative reference's first segment it would read as a scheme.
            if isASCIIAlnum(b) || "-._~/!$&'()*+,;=@".contains(c) { out.append(c) }
            else { out += String(format: "%%%02X", b) }
        }
        return out
    }
}
