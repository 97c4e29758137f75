import Foundation
@testable import CopydeskCore

/// A fresh temporary folder (absolute, no symlinks in the path), removed by `remove()`.
package struct TempDir {
    package let path: String
    package init() {
        let base = URL(fileURLWithPath: NSTemporaryDirectory()).resolvingSymlinksInPath().path
        path = Paths.absolute(base + "/copydesk-wf-" + UUID().uuidString)
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    package func file(_ rel: String, _ contents: String) {
        let full = path + "/" + rel
        try! FileManager.default.createDirectory(atPath: Paths.directory(of: full), withIntermediateDirectories: true)
        try! Data(contents.utf8).write(to: URL(fileURLWithPath: full))
    }
    package func read(_ rel: String) -> String? {
        FileManager.default.contents(atPath: path + "/" + rel).map { String(decoding: $0, as: UTF8.self) }
    }
    package func at(_ rel: String) -> String { path + "/" + rel }
    package func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Small rule files for the workflow tests (the default rules are written elsewhere).
package enum WorkflowRules {
    package static let yaml = """
        rules:
          - id: ads.promo-code
            category: ads
            severity: error
            message: "Promo code: “{match}”"
            description: Flags promo codes. They sell things.
            kind: existence
            scope: line
            patterns: ['\\bpromo code\\b']
            examples:
              triggering: ["Use «promo code» now", "A «promo code» here"]
              nontriggering: ["nothing", "none here"]
          - id: ads.shop-now
            category: ads
            severity: warning
            message: "Shopping call: {match}"
            description: Flags shop-now prompts.
            kind: existence
            scope: line
            patterns: ['\\bshop now\\b']
            examples:
              triggering: ["«Shop now» please", "Please «shop now»"]
              nontriggering: ["nothing", "none here"]
          - id: polls.vote
            category: polls
            severity: warning
            message: "Poll: {match}"
            description: Flags polls.
            kind: existence
            scope: line
            patterns: ['\\bvote now\\b']
            examples:
              triggering: ["«Vote now» please", "Please «vote now»"]
              nontriggering: ["nothing", "none here"]
          - id: clickbait.shocking
            category: clickbait
            severity: warning
            message: "Clickbait headline"
            description: Flags shocking headlines.
            kind: existence
            scope: headline
            patterns: ['\\bshocking\\b']
            examples:
              triggering: ["The «shocking» truth", "A «shocking» tale"]
              nontriggering: ["nothing", "none here"]
        """

    package static var ruleSet: RuleSet {
        let r = RuleLoader.load(files: [("test.yml", yaml)])
        precondition(r.errors.isEmpty, "\(r.errors)")
        return r.ruleSet
    }
    package static var linter: Linter { Linter(ruleSet: ruleSet) }

    package static func lint(_ text: String, path: String = "a.md", format: DocumentFormat? = nil, rules: [Rule]? = nil, unused: Severity? = .info) -> [Finding] {
        let doc = Document(path: path, string: text, format: format, headline: HeadlineMode.none)
        return linter.lint(doc, scratch: MatchScratch(), rules: rules, unusedSuppression: unused).findings
    }
}

/// A JSON value decoded without losing the difference between booleans and numbers.
package indirect enum JSONValue: Decodable, Equatable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    package init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    package static func parse(_ s: String) throws -> JSONValue { try JSONDecoder().decode(JSONValue.self, from: Data(s.utf8)) }

    package subscript(_ key: String) -> JSONValue? { if case .object(let o) = self { return o[key] }; return nil }
    package subscript(_ i: Int) -> JSONValue? { if case .array(let a) = self, i < a.count { return a[i] }; return nil }
    package var string: String? { if case .string(let s) = self { return s }; return nil }
    package var int: Int? { if case .number(let d) = self { return Int(d) }; return nil }
    package var array: [JSONValue]? { if case .array(let a) = self { return a }; return nil }
}

/// A JSON Schema (draft-04) validator covering the keywords the SARIF 2.1.0 schema uses:
/// $ref, type, properties, additionalProperties, required, items, minItems, uniqueItems, enum,
/// minimum, maximum, pattern, format (uri), anyOf, oneOf. Returns every violation with its path.
package struct SchemaValidator {
    package let root: JSONValue

    package init(root: JSONValue) { self.root = root }

    package func validate(_ v: JSONValue) -> [String] {
        var errors: [String] = []
        check(v, root, "$", &errors)
        return errors
    }

    package func resolve(_ ref: String) -> JSONValue? {
        guard ref.hasPrefix("#/") else { return ref == "#" ? root : nil }
        var node: JSONValue? = root
        for part in ref.dropFirst(2).split(separator: "/") { node = node?[String(part)] }
        return node
    }

    package func typeOK(_ v: JSONValue, _ t: String) -> Bool {
        switch (t, v) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("null", .null), ("number", .number): return true
        case ("integer", .number(let d)): return d == d.rounded()
        default: return false
        }
    }

    package func check(_ v: JSONValue, _ s: JSONValue, _ path: String, _ errors: inout [String]) {
        if let ref = s["$ref"]?.string {
            guard let target = resolve(ref) else { errors.append("\(path): unresolvable $ref \(ref)"); return }
            check(v, target, path, &errors)
            return
        }
        if let t = s["type"] {
            let types = t.array?.compactMap(\.string) ?? [t.string ?? ""]
            if !types.contains(where: { typeOK(v, $0) }) { errors.append("\(path): expected type \(types), got \(v)"); return }
        }
        if let e = s["enum"]?.array, !e.contains(v) { errors.append("\(path): \(v) not in enum") }
        if case .number(let d) = v {
            if case .number(let m)? = s["minimum"], d < m { errors.append("\(path): \(d) < minimum \(m)") }
            if case .number(let m)? = s["maximum"], d > m { errors.append("\(path): \(d) > maximum \(m)") }
        }
        if case .string(let str) = v {
            if let p = s["pattern"]?.string, let re = try? NSRegularExpression(pattern: p),
               re.firstMatch(in: str, range: NSRange(str.startIndex..., in: str)) == nil {
                errors.append("\(path): '\(str)' does not match pattern \(p)")
            }
            if s["format"]?.string == "uri", str.range(of: "^[A-Za-z][A-Za-z0-9+.-]*:", options: .regularExpression) == nil {
                errors.append("\(path): '\(str)' is not an absolute URI")
            }
        }
        if case .array(let items) = v {
            if let m = s["minItems"]?.int, items.count < m { errors.append("\(path): fewer than \(m) items") }
            if case .bool(true)? = s["uniqueItems"] {
                for i in items.indices { for j in items.indices where j > i && items[i] == items[j] { errors.append("\(path): items \(i) and \(j) are equal") } }
            }
            if let itemSchema = s["items"] {
                for (i, item) in items.enumerated() { check(item, itemSchema, "\(path)[\(i)]", &errors) }
            }
        }
        if case .object(let o) = v {
            for r in s["required"]?.array?.compactMap(\.string) ?? [] where o[r] == nil { errors.append("\(path): missing required '\(r)'") }
            let props: [String: JSONValue]
            if case .object(let p)? = s["properties"] { props = p } else { props = [:] }
            for (k, val) in o {
                if let ps = props[k] { check(val, ps, "\(path).\(k)", &errors); continue }
                switch s["additionalProperties"] {
                case .bool(false)?: errors.append("\(path): property '\(k)' is not allowed")
                case .object?: check(val, s["additionalProperties"]!, "\(path).\(k)", &errors)
                default: break
                }
            }
        }
        if let any = s["anyOf"]?.array {
            let ok = any.contains { sub in var e: [String] = []; check(v, sub, path, &e); return e.isEmpty }
            if !ok { errors.append("\(path): matches none of anyOf") }
        }
        if let one = s["oneOf"]?.array {
            let n = one.filter { sub in var e: [String] = []; check(v, sub, path, &e); return e.isEmpty }.count
            if n != 1 { errors.append("\(path): matches \(n) of oneOf (expected 1)") }
        }
    }
}

/// The repository's `Tests/WorkflowResources` folder.
package let workflowResources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("WorkflowResources").path
