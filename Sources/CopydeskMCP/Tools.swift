import Foundation
import MCP
import CopydeskWorkflow

/// The MCP tools over one long-lived `Engine`: `lint`, `clean`, `list_rules`, `explain_rule`.
///
/// Handlers are plain functions from arguments to a `CallTool.Result`, so they are tested
/// without a transport. Bad input is answered with `isError: true` and a message saying what to
/// fix; nothing here throws or traps on input.
public struct CopydeskTools: Sendable {
    public let engine: Engine
    /// Largest `text` accepted (bytes).
    public static let maxTextBytes = 8 << 20

    public init(engine: Engine) { self.engine = engine }

    /// Text content (the SDK's non-deprecated spelling).
    static func say(_ s: String) -> Tool.Content { .text(text: s, annotations: nil, _meta: nil) }

    static let readOnly = Tool.Annotations(readOnlyHint: true, idempotentHint: true, openWorldHint: false)

    static let textProperties: [String: Value] = [
        "text": ["type": "string", "description": "The article: plain text, Markdown or HTML."],
        "format": ["type": "string", "enum": ["text", "markdown", "html"],
                   "description": "How to read `text`: plain text (default), Markdown (front matter, headings, code skipped) or HTML (tags, scripts and comments skipped)."],
        "headline": ["type": "string",
                     "description": "The headline, when it is kept apart from the body (a CMS title field). It is checked as the article's line 1; positions in the body then start at line 3."],
    ]

    /// The tools, with JSON Schemas for their input.
    public static let tools: [Tool] = [
        Tool(name: "lint", title: "Lint an article",
             description: "Find junk in an article: embedded ads, reader polls, clickbait headlines, unattributed claims and boilerplate. Returns each finding with its rule, severity, message, matched text and position (1-based line and column in Unicode scalars, and byte offsets) as structured content (Copydesk's JSON report, version 1), and a short text summary.",
             inputSchema: .object([
                "type": "object",
                "properties": .object(textProperties.merging([
                    "categories": ["type": "array", "items": ["type": "string", "enum": ["ads", "polls", "clickbait", "attribution", "boilerplate"]],
                                   "description": "Only findings of these categories (default: all)."],
                ], uniquingKeysWith: { a, _ in a })),
                "required": ["text"],
                "additionalProperties": false,
             ]),
             annotations: readOnly),
        Tool(name: "clean", title: "Clean an article",
             description: "Remove the lines that carry ads, reader polls and boilerplate (as `copydesk clean` does), collapsing the blank lines left behind. Attribution and clickbait findings are never removed. Returns the cleaned text and a unified diff; nothing is written anywhere.",
             inputSchema: .object([
                "type": "object",
                "properties": .object(textProperties),
                "required": ["text"],
                "additionalProperties": false,
             ]),
             annotations: readOnly),
        Tool(name: "list_rules", title: "List the rules",
             description: "List the rules in effect: id, category, severity and a one-line description each.",
             inputSchema: .object([
                "type": "object",
                "properties": [
                    "category": ["type": "string", "enum": ["ads", "polls", "clickbait", "attribution", "boilerplate"],
                                 "description": "Only rules of this category (default: all)."],
                ],
                "additionalProperties": false,
             ]),
             annotations: readOnly),
        Tool(name: "explain_rule", title: "Explain a rule",
             description: "Explain one rule: what it flags and why, its message, and examples of text it flags (the finding marked «…») and text it leaves alone.",
             inputSchema: .object([
                "type": "object",
                "properties": [
                    "id": ["type": "string", "description": "The rule id, as in a finding's `rule` (e.g. ads.promo-code)."],
                ],
                "required": ["id"],
                "additionalProperties": false,
             ]),
             annotations: readOnly),
    ]

    /// Runs a tool. Unknown tools and bad arguments come back as tool errors (`isError: true`).
    public func call(_ name: String, _ arguments: [String: Value]?) -> CallTool.Result {
        let args = arguments ?? [:]
        do {
            switch name {
            case "lint": return try lint(args)
            case "clean": return try clean(args)
            case "list_rules": return try listRules(args)
            case "explain_rule": return try explainRule(args)
            default:
                throw ToolError("Unknown tool '\(name)'. Tools: \(CopydeskTools.tools.map(\.name).joined(separator: ", ")).")
            }
        } catch let e as ToolError {
            return .init(content: [CopydeskTools.say(e.message)], isError: true)
        } catch {
            return .init(content: [CopydeskTools.say("copydesk: \(error)")], isError: true)
        }
    }

    struct ToolError: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }

    // MARK: arguments

    static func check(_ args: [String: Value], allowed: Set<String>) throws {
        let unknown = args.keys.filter { !allowed.contains($0) }.sorted()
        if !unknown.isEmpty {
            throw ToolError("Unknown argument\(unknown.count == 1 ? "" : "s"): \(unknown.joined(separator: ", ")). Accepted: \(allowed.sorted().joined(separator: ", ")).")
        }
    }

    static func string(_ args: [String: Value], _ key: String, required: Bool) throws -> String? {
        guard let v = args[key], !v.isNull else {
            if required { throw ToolError("Missing argument '\(key)' (a string).") }
            return nil
        }
        guard let s = v.stringValue else { throw ToolError("Argument '\(key)' must be a string.") }
        return s
    }

    func article(_ args: [String: Value]) throws -> Article {
        let text = try CopydeskTools.string(args, "text", required: true)!
        guard text.utf8.count <= CopydeskTools.maxTextBytes else {
            throw ToolError("'text' is \(text.utf8.count) bytes; the limit is \(CopydeskTools.maxTextBytes).")
        }
        var format: DocumentFormat = .text
        if let f = try CopydeskTools.string(args, "format", required: false) {
            guard let parsed = DocumentFormat(rawValue: f) else {
                throw ToolError("Bad 'format' '\(f)': expected text, markdown or html.")
            }
            format = parsed
        }
        let headline = try CopydeskTools.string(args, "headline", required: false)
        return Article(text: text, format: format, headline: headline?.isEmpty == true ? nil : headline)
    }

    static func encode(_ s: String) -> Value {
        (try? JSONDecoder().decode(Value.self, from: Data(s.utf8))) ?? .string(s)
    }

    // MARK: tools

    func lint(_ args: [String: Value]) throws -> CallTool.Result {
        try CopydeskTools.check(args, allowed: ["text", "format", "headline", "categories"])
        var article = try article(args)
        if let c = args["categories"], !c.isNull {
            guard let list = c.arrayValue else { throw ToolError("'categories' must be a list of category names.") }
            var set = Set<CopydeskCore.Category>()
            for v in list {
                guard let s = v.stringValue, let cat = CopydeskCore.Category(rawValue: s), CopydeskCore.Category.allCases.contains(cat) else {
                    throw ToolError("Bad category \(v): expected one of \(CopydeskCore.Category.allCases.map(\.rawValue).joined(separator: ", ")).")
                }
                set.insert(cat)
            }
            article.categories = set
        }
        let linted = engine.lint(article)
        let json = JSONReporter().render(linted.result, context: ReportContext())
        let findings = linted.report.findings
        var summary: String
        if findings.isEmpty {
            summary = "No findings."
        } else {
            let counts = Severity.allCases.reversed().compactMap { s -> String? in
                let n = findings.filter { $0.severity == s }.count
                return n == 0 ? nil : "\(n) \(s.rawValue)\(n == 1 ? "" : s == .info ? "" : "s")"
            }
            summary = "\(findings.count) finding\(findings.count == 1 ? "" : "s") (\(counts.joined(separator: ", "))):"
            for f in findings {
                summary += "\n- line \(f.span.start.line), column \(f.span.start.column): \(f.severity.rawValue) \(f.rule): \(f.message)"
            }
        }
        for e in linted.report.errors { summary += "\nerror: \(e.message)" }
        return .init(content: [CopydeskTools.say(summary)], structuredContent: CopydeskTools.encode(json) as Value?, isError: false)
    }

    func clean(_ args: [String: Value]) throws -> CallTool.Result {
        try CopydeskTools.check(args, allowed: ["text", "format", "headline"])
        let cleaned = engine.clean(try article(args))
        let text = String(decoding: cleaned.cleaned, as: UTF8.self)
        let diff = String(decoding: cleaned.diff, as: UTF8.self)
        let structured: Value = [
            "cleaned": .string(text),
            "diff": .string(diff),
            "changed": .bool(cleaned.changed),
            "removedLines": .array(cleaned.removedLines.map { .int($0) }),
            "keptLines": .array(cleaned.keptLines.map { ["line": .int($0.line), "rule": .string($0.rule), "category": .string($0.category.rawValue)] }),
            "errors": .array(cleaned.errors.map { .string($0.message) }),
        ]
        var summary = cleaned.changed
            ? "Removed \(cleaned.removedLines.count) line\(cleaned.removedLines.count == 1 ? "" : "s") (\(cleaned.removedLines.map(String.init).joined(separator: ", ")))."
            : "Nothing to remove."
        if !cleaned.keptLines.isEmpty {
            summary += " Kept \(cleaned.keptLines.count) line\(cleaned.keptLines.count == 1 ? "" : "s") with junk inside article text (for an editor): " +
                cleaned.keptLines.map { "line \($0.line) (\($0.rule))" }.joined(separator: ", ") + "."
        }
        var content: [Tool.Content] = [CopydeskTools.say(summary), CopydeskTools.say(text)]
        if cleaned.changed { content.append(CopydeskTools.say(diff)) }
        return .init(content: content, structuredContent: structured as Value?, isError: false)
    }

    func listRules(_ args: [String: Value]) throws -> CallTool.Result {
        try CopydeskTools.check(args, allowed: ["category"])
        var rules = engine.rules
        if let c = try CopydeskTools.string(args, "category", required: false) {
            guard let cat = CopydeskCore.Category(rawValue: c) else {
                throw ToolError("Bad category '\(c)': expected one of \(CopydeskCore.Category.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            rules = rules.filter { $0.category == cat }
        }
        let structured: Value = ["rules": .array(rules.map { r in
            ["id": .string(r.id), "category": .string(r.category.rawValue), "severity": .string(r.severity.rawValue),
             "kind": .string(r.kind.rawValue), "description": .string(CopydeskTools.firstSentence(r.description))]
        })]
        let text = rules.map { "\($0.id) (\($0.category.rawValue), \($0.severity.rawValue)): \(CopydeskTools.firstSentence($0.description))" }.joined(separator: "\n")
        return .init(content: [CopydeskTools.say(rules.isEmpty ? "No rules." : text)], structuredContent: structured as Value?, isError: false)
    }

    func explainRule(_ args: [String: Value]) throws -> CallTool.Result {
        try CopydeskTools.check(args, allowed: ["id"])
        let id = try CopydeskTools.string(args, "id", required: true)!
        guard let r = engine.rule(id: id) else {
            let close = engine.rules.map(\.id).filter { $0.contains(id) || id.contains($0) || $0.hasPrefix(id.split(separator: ".").first.map(String.init) ?? id) }
            throw ToolError("No rule '\(id)'." + (close.isEmpty ? " Call list_rules for the ids." : " Did you mean: \(close.prefix(8).joined(separator: ", "))?"))
        }
        let structured: Value = [
            "id": .string(r.id), "category": .string(r.category.rawValue), "severity": .string(r.severity.rawValue),
            "kind": .string(r.kind.rawValue), "scope": .string(r.scope.rawValue), "message": .string(r.message),
            "description": .string(r.description),
            "examples": ["triggering": .array(r.examples.triggering.map { .string($0) }),
                         "nontriggering": .array(r.examples.nontriggering.map { .string($0) })],
        ]
        var text = "\(r.id) (\(r.category.rawValue), \(r.severity.rawValue))\n\n\(r.description)\n"
        if !r.examples.triggering.isEmpty {
            text += "\nFlags (the finding is marked «…»):\n" + r.examples.triggering.map { "- \($0)" }.joined(separator: "\n") + "\n"
        }
        if !r.examples.nontriggering.isEmpty {
            text += "\nLeaves alone:\n" + r.examples.nontriggering.map { "- \($0)" }.joined(separator: "\n") + "\n"
        }
        return .init(content: [CopydeskTools.say(text)], structuredContent: structured as Value?, isError: false)
    }

    static func firstSentence(_ s: String) -> String {
        let flat = s.split(whereSeparator: \.isNewline).joined(separator: " ")
        if let r = flat.range(of: ". ") { return String(flat[..<r.lowerBound]) + "." }
        return flat
    }
}
