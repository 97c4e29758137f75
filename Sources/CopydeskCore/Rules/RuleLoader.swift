import Foundation
import Yams

/// A problem in a rule file: where it is and what is wrong.
public struct RuleFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var ruleID: String?
    public var message: String
    public init(file: String, line: Int?, ruleID: String?, message: String) {
        self.file = file
        self.line = line
        self.ruleID = ruleID
        self.message = message
    }
    public var description: String {
        var s = file
        if let line { s += ":\(line)" }
        s += ": "
        if let ruleID { s += "rule \(ruleID): " }
        return s + message
    }
}

/// Reads rule files (YAML). Rejects unknown keys, duplicate ids, bad enums and bad patterns, naming
/// the file, the line, the rule id and the reason. Valid rules load even when others in the set fail.
public enum RuleLoader {
    public struct Result: Sendable {
        public var ruleSet: RuleSet
        public var errors: [RuleFileError]
        /// The `categories:` settings of the files, one per category, in category order.
        public var categories: [CategorySettings] = []
        public init(ruleSet: RuleSet, errors: [RuleFileError], categories: [CategorySettings] = []) {
            self.ruleSet = ruleSet
            self.errors = errors
            self.categories = categories
        }
    }

    static let commonKeys: Set<String> = [
        "id", "category", "severity", "message", "description", "kind", "scope", "case-sensitive",
        "outside-quotes", "patterns", "exceptions", "examples", "score",
    ]
    static let kindKeys: [RuleKind: Set<String>] = [
        .existence: [],
        .attribution: ["attributions"],
        .titleLine: ["min-words", "max-words", "min-capitalized", "skip-subheads"],
    ]

    /// Every `*.yml` / `*.yaml` file in `directory` (not recursive), in name order.
    public static func load(directory: String) -> Result {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
            return Result(ruleSet: RuleSet([]), errors: [RuleFileError(file: directory, line: nil, ruleID: nil, message: "rules directory not found")])
        }
        let names: [String]
        do {
            names = try fm.contentsOfDirectory(atPath: directory)
                .filter { $0.hasSuffix(".yml") || $0.hasSuffix(".yaml") }.sorted()
        } catch {
            return Result(ruleSet: RuleSet([]), errors: [RuleFileError(file: directory, line: nil, ruleID: nil, message: "cannot read rules directory: \(error.localizedDescription)")])
        }
        var files: [(name: String, contents: String)] = []
        var errors: [RuleFileError] = []
        for name in names {
            let path = (directory as NSString).appendingPathComponent(name)
            guard let data = fm.contents(atPath: path) else {
                errors.append(RuleFileError(file: path, line: nil, ruleID: nil, message: "cannot read file"))
                continue
            }
            guard let text = String(data: data, encoding: .utf8) else {
                errors.append(RuleFileError(file: path, line: nil, ruleID: nil, message: "file is not valid UTF-8"))
                continue
            }
            files.append((path, text))
        }
        if files.isEmpty && errors.isEmpty {
            errors.append(RuleFileError(file: directory, line: nil, ruleID: nil, message: "no rule files (*.yml) in directory"))
        }
        var result = load(files: files)
        result.errors.insert(contentsOf: errors, at: 0)
        return result
    }

    /// Parses rule files given as (name, contents). Duplicate ids across files are errors.
    /// A category's `threshold` may be set in any one of the files (two different values are an
    /// error); every scored rule of the category gets it (`Rule.defaultThreshold` when none does).
    public static func load(files: [(name: String, contents: String)]) -> Result {
        var rules: [Rule] = []
        var errors: [RuleFileError] = []
        var seen: [String: (String, Int)] = [:]
        var parsedFiles: [(rules: [Rule], errors: [RuleFileError], categories: [CategorySettings])] = []
        var settings: [Category: CategorySettings] = [:]
        for file in files {
            let parsed = parseFile(name: file.name, contents: file.contents)
            parsedFiles.append(parsed)
            for c in parsed.categories {
                guard var known = settings[c.category] else { settings[c.category] = c; continue }
                if let t = c.threshold {
                    if let k = known.threshold, k != t {
                        errors.append(RuleFileError(file: c.file, line: c.line, ruleID: nil,
                                                    message: "category '\(c.category.rawValue)' has threshold \(k) in \(known.file):\(known.line) and \(t) here"))
                    } else { known.threshold = t }
                }
                known.examples.triggering += c.examples.triggering
                known.examples.nontriggering += c.examples.nontriggering
                settings[c.category] = known
            }
        }
        for parsed in parsedFiles {
            errors.append(contentsOf: parsed.errors)
            for var rule in parsed.rules {
                if let score = rule.score {
                    let t = settings[rule.category]?.threshold ?? Rule.defaultThreshold
                    if t != rule.threshold { rule = rule.with(score: score, threshold: t) }
                }
                if let first = seen[rule.id] {
                    errors.append(RuleFileError(file: rule.file, line: rule.line, ruleID: rule.id,
                                                message: "duplicate rule id (first defined at \(first.0):\(first.1))"))
                    continue
                }
                seen[rule.id] = (rule.file, rule.line)
                rules.append(rule)
            }
        }
        let categories = Category.allCases.compactMap { settings[$0] }
        return Result(ruleSet: RuleSet(rules), errors: errors, categories: categories)
    }

    /// Deepest nesting a rule file may have. Rule files need about 4 levels; the YAML composer
    /// recurses once per level, so a hostile file nested thousands deep would overflow the stack.
    static let maxNesting = 64

    /// The first line (1-based) where the nesting of flow collections (`[`, `{`) plus the block
    /// nesting of a line (its indentation and compact `- ` or `? ` entries) exceeds `maxNesting`.
    /// Quoted scalars and comments are skipped; block scalars are not, which can only make the
    /// estimate larger.
    static func tooDeep(_ text: String) -> Int? {
        var flow = 0, line = 1, lineStart = true, indent = 0, compact = 0
        var quote: UInt8 = 0
        var inComment = false
        var previous: UInt8 = 0x0A
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            defer { previous = c; i += 1 }
            if c == 0x0A {
                line += 1; lineStart = true; indent = 0; compact = 0; inComment = false
                if quote == UInt8(ascii: "'") || quote == UInt8(ascii: "\"") { continue }
                continue
            }
            if inComment { continue }
            if quote != 0 {
                if quote == UInt8(ascii: "\"") && c == UInt8(ascii: "\\") { i += 1; continue }
                if c == quote {
                    if quote == UInt8(ascii: "'") && i + 1 < bytes.count && bytes[i + 1] == quote { i += 1; continue }
                    quote = 0
                }
                continue
            }
            if lineStart {
                if c == 0x20 { indent += 1; continue }
                if (c == UInt8(ascii: "-") || c == UInt8(ascii: "?")) && (i + 1 == bytes.count || bytes[i + 1] == 0x20) {
                    compact += 1; indent += 1; continue
                }
                lineStart = false
            }
            switch c {
            case UInt8(ascii: "#") where previous == 0x20 || previous == 0x09 || previous == 0x0A: inComment = true
            case UInt8(ascii: "'"), UInt8(ascii: "\""): quote = c
            case UInt8(ascii: "["), UInt8(ascii: "{"): flow += 1
            case UInt8(ascii: "]"), UInt8(ascii: "}"): flow = max(0, flow - 1)
            default: break
            }
            if flow + compact > maxNesting || indent > 4 * maxNesting { return line }
        }
        return nil
    }

    /// A pattern short enough to quote in an error message.
    static func abbreviated(_ pattern: String) -> String {
        guard pattern.count > 120 else { return pattern }
        return String(pattern.prefix(100)) + "…(\(pattern.utf8.count) bytes)"
    }

    static func parseFile(name: String, contents: String) -> (rules: [Rule], errors: [RuleFileError], categories: [CategorySettings]) {
        if let line = tooDeep(contents) {
            return ([], [RuleFileError(file: name, line: line, ruleID: nil, message: "YAML nested deeper than \(maxNesting) levels; not loaded")], [])
        }
        let root: Node?
        do {
            // The basic resolver: every scalar is read as a string by this loader anyway, and the
            // default one compiles a dozen regular expressions at start-up.
            root = try Yams.compose(yaml: contents, .basic)
        } catch let error as YamlError {
            return ([], [yamlError(name, error)], [])
        } catch {
            return ([], [RuleFileError(file: name, line: nil, ruleID: nil, message: "invalid YAML: \(error)")], [])
        }
        guard let root, case .mapping(let top) = root else {
            return ([], [RuleFileError(file: name, line: root?.mark?.line ?? 1, ruleID: nil, message: "expected a mapping with a 'rules' list at the top level")], [])
        }
        var errors: [RuleFileError] = []
        var list: Node.Sequence? = nil
        var categories: [CategorySettings] = []
        for (k, v) in top {
            guard let key = k.string else { continue }
            if key == "rules" {
                if case .sequence(let s) = v { list = s } else {
                    errors.append(RuleFileError(file: name, line: v.mark?.line, ruleID: nil, message: "'rules' must be a list of rules"))
                }
            } else if key == "categories" {
                let (c, es) = parseCategories(v, file: name)
                categories = c
                errors += es
            } else {
                errors.append(RuleFileError(file: name, line: k.mark?.line, ruleID: nil, message: "unknown top-level key '\(key)' (expected 'rules' or 'categories')"))
            }
        }
        guard let list else {
            if errors.isEmpty { errors.append(RuleFileError(file: name, line: 1, ruleID: nil, message: "missing 'rules' list")) }
            return ([], errors, categories)
        }
        var rules: [Rule] = []
        for node in list {
            switch parseRule(node, file: name, thresholds: categories) {
            case .success(let r): rules.append(r)
            case .failure(let es): errors.append(contentsOf: es.errors)
            }
        }
        return (rules, errors, categories)
    }

    /// `categories:` — a mapping from category name to its settings:
    /// `threshold` (a number > 0: what the scores of a unit's cues must add up to), `scope` (where
    /// the category examples are placed; default `headline` for clickbait, `sentence` otherwise)
    /// and `examples` (`triggering` with «…» marks, `nontriggering`), run against all the
    /// category's rules together.
    static func parseCategories(_ node: Node, file: String) -> ([CategorySettings], [RuleFileError]) {
        var out: [CategorySettings] = []
        var errors: [RuleFileError] = []
        func fail(_ line: Int?, _ m: String) { errors.append(RuleFileError(file: file, line: line, ruleID: nil, message: m)) }
        guard case .mapping(let map) = node else { fail(node.mark?.line, "'categories' must be a mapping from category to settings"); return ([], errors) }
        for (k, v) in map {
            let line = k.mark?.line
            guard let name = k.string, let category = Category(rawValue: name), Category.allCases.contains(category) else {
                fail(line, "unknown category '\(k.string ?? "")' in 'categories' (expected one of: \(Category.allCases.map(\.rawValue).joined(separator: ", ")))"); continue
            }
            if out.contains(where: { $0.category == category }) { fail(line, "category '\(name)' appears twice in 'categories'"); continue }
            guard case .mapping(let m) = v else { fail(v.mark?.line, "'categories.\(name)' must be a mapping"); continue }
            var settings = CategorySettings(category: category, threshold: nil, scope: category == .clickbait ? .headline : .sentence, file: file, line: line ?? 0)
            for (sk, sv) in m {
                let key = sk.string ?? ""
                switch key {
                case "threshold":
                    if case .scalar(let s) = sv, let d = Double(s.string), d.isFinite, d > 0 { settings.threshold = d }
                    else { fail(sv.mark?.line, "'categories.\(name).threshold' must be a number above 0") }
                case "scope":
                    if case .scalar(let s) = sv, let sc = Scope(rawValue: s.string) { settings.scope = sc }
                    else { fail(sv.mark?.line, "bad 'categories.\(name).scope' (expected one of: \(Scope.allCases.map(\.rawValue).joined(separator: ", ")))") }
                case "examples":
                    guard case .mapping(let em) = sv else { fail(sv.mark?.line, "'categories.\(name).examples' must be a mapping with 'triggering' and 'nontriggering' lists"); continue }
                    for (ek, ev) in em {
                        let which = ek.string ?? ""
                        guard which == "triggering" || which == "nontriggering", case .sequence(let seq) = ev else {
                            fail(ek.mark?.line, "'categories.\(name).examples' takes 'triggering' and 'nontriggering' lists of strings"); continue
                        }
                        for item in seq {
                            guard case .scalar(let s) = item else { fail(item.mark?.line, "examples must be strings"); continue }
                            if which == "triggering" {
                                if ExampleRunner.markedSpan(s.string) == nil { fail(item.mark?.line, "triggering example must mark the expected span with exactly one «…»") }
                                settings.examples.triggering.append(s.string)
                            } else {
                                settings.examples.nontriggering.append(s.string)
                            }
                        }
                    }
                default:
                    fail(sk.mark?.line, "unknown key '\(key)' in 'categories.\(name)' (expected 'threshold', 'scope', 'examples')")
                }
            }
            out.append(settings)
        }
        return (out, errors)
    }

    struct Errors: Error { var errors: [RuleFileError] }

    package static func yamlError(_ file: String, _ error: YamlError) -> RuleFileError {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            let ctx = context.map { "\($0.text) " } ?? ""
            return RuleFileError(file: file, line: mark.line, ruleID: nil, message: "invalid YAML: \(ctx)\(problem)")
        case let .reader(problem, _, _, _):
            return RuleFileError(file: file, line: nil, ruleID: nil, message: "invalid YAML: \(problem)")
        default:
            return RuleFileError(file: file, line: nil, ruleID: nil, message: "invalid YAML: \(error)")
        }
    }

    /// `category.name`: `^[a-z][a-z0-9]*\.[a-z0-9][a-z0-9-]*$` (checked by hand: a regular
    /// expression here would cost more start-up time than loading all the rules).
    static func isValidID(_ id: String) -> Bool {
        let b = Array(id.utf8)
        func lower(_ c: UInt8) -> Bool { c >= 0x61 && c <= 0x7A }
        func digit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
        guard let dot = b.firstIndex(of: UInt8(ascii: ".")), dot > 0, dot + 1 < b.count, lower(b[0]) else { return false }
        guard b[1..<dot].allSatisfy({ lower($0) || digit($0) }) else { return false }
        guard lower(b[dot + 1]) || digit(b[dot + 1]) else { return false }
        return b[(dot + 2)...].allSatisfy { lower($0) || digit($0) || $0 == UInt8(ascii: "-") }
    }

    static func parseRule(_ node: Node, file: String, thresholds: [CategorySettings] = []) -> Swift.Result<Rule, Errors> {
        let ruleLine = node.mark?.line ?? 0
        guard case .mapping(let map) = node else {
            return .failure(Errors(errors: [RuleFileError(file: file, line: ruleLine, ruleID: nil, message: "each rule must be a mapping")]))
        }
        var values: [String: Node] = [:]
        var keyLines: [String: Int] = [:]
        var errors: [RuleFileError] = []
        var id: String? = nil
        for (k, v) in map where k.string == "id" { id = v.string }
        func fail(_ line: Int?, _ message: String) { errors.append(RuleFileError(file: file, line: line ?? ruleLine, ruleID: id, message: message)) }
        for (k, v) in map {
            guard let key = k.string else { fail(k.mark?.line, "rule keys must be strings"); continue }
            if values[key] != nil { fail(k.mark?.line, "duplicate key '\(key)'"); continue }
            values[key] = v
            keyLines[key] = k.mark?.line
        }
        func scalar(_ key: String, required: Bool = true) -> String? {
            guard let v = values[key] else {
                if required { fail(ruleLine, "missing required key '\(key)'") }
                return nil
            }
            guard case .scalar(let s) = v else { fail(v.mark?.line, "'\(key)' must be a string"); return nil }
            return s.string
        }
        func enumValue<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type) -> E? where E.RawValue == String {
            guard let s = scalar(key) else { return nil }
            guard let e = E(rawValue: s) else {
                fail(values[key]?.mark?.line, "bad \(key) '\(s)' (expected one of: \(E.allCases.map(\.rawValue).joined(separator: ", ")))")
                return nil
            }
            return e
        }
        func bool(_ key: String) -> Bool {
            guard let v = values[key] else { return false }
            guard case .scalar(let s) = v, let b = Bool(s.string) ?? (["yes", "on"].contains(s.string) ? true : ["no", "off"].contains(s.string) ? false : nil) else {
                fail(v.mark?.line, "'\(key)' must be true or false"); return false
            }
            return b
        }
        func stringList(_ key: String, required: Bool) -> [(String, Int)] {
            guard let v = values[key] else {
                if required { fail(ruleLine, "missing required key '\(key)'") }
                return []
            }
            guard case .sequence(let seq) = v else { fail(v.mark?.line, "'\(key)' must be a list of strings"); return [] }
            var out: [(String, Int)] = []
            for item in seq {
                guard case .scalar(let s) = item else { fail(item.mark?.line, "'\(key)' must be a list of strings"); continue }
                out.append((s.string, item.mark?.line ?? ruleLine))
            }
            if required && out.isEmpty && seq.isEmpty { fail(v.mark?.line, "'\(key)' must not be empty") }
            return out
        }
        func number(_ key: String) -> Double? {
            guard let v = values[key] else { return nil }
            guard case .scalar(let s) = v, let d = Double(s.string) else { fail(v.mark?.line, "'\(key)' must be a number"); return nil }
            return d
        }

        if id == nil { fail(ruleLine, "missing required key 'id'") }
        let category = enumValue("category", Category.self)
        let severity = enumValue("severity", Severity.self)
        let kind = enumValue("kind", RuleKind.self)
        let message = scalar("message")
        let description = scalar("description")
        if let id {
            let valid = isValidID(id)
            if !valid { fail(keyLines["id"], "bad id '\(id)' (expected 'category.name': lowercase letters, digits and hyphens)") }
            else if let category, !id.hasPrefix(category.rawValue + ".") {
                fail(keyLines["id"], "id '\(id)' must start with its category '\(category.rawValue).'")
            }
        }
        if let message, message.trimmingCharacters(in: .whitespaces).isEmpty { fail(keyLines["message"], "'message' must not be empty") }
        // Unknown keys (after kind is known, so kind-specific keys are accepted for their kind only).
        let allowed = commonKeys.union(kind.flatMap { kindKeys[$0] } ?? [])
        let allKindKeys = kindKeys.values.reduce(into: Set<String>()) { $0.formUnion($1) }
        for key in values.keys.sorted() where !allowed.contains(key) {
            if allKindKeys.contains(key), let kind {
                fail(keyLines[key], "key '\(key)' is not allowed for kind '\(kind.rawValue)'")
            } else if !allKindKeys.contains(key) {
                fail(keyLines[key], "unknown key '\(key)'")
            }
        }
        // Scope.
        var scope: Scope? = nil
        if values["scope"] != nil {
            scope = enumValue("scope", Scope.self)
        } else if let kind {
            switch kind {
            case .existence: fail(ruleLine, "missing required key 'scope'")
            case .attribution: scope = .sentence
            case .titleLine: scope = .standaloneLine
            }
        }
        if let kind, let s = scope {
            if kind == .attribution && s != .sentence { fail(keyLines["scope"], "kind 'attribution' needs scope 'sentence'") }
            if kind == .titleLine && s != .standaloneLine { fail(keyLines["scope"], "kind 'title-line' needs scope 'standalone-line'") }
        }
        let caseSensitive = bool("case-sensitive")
        let outsideQuotes = bool("outside-quotes")

        func compile(_ key: String, required: Bool) -> [Pattern] {
            var out: [Pattern] = []
            for (src, line) in stringList(key, required: required) {
                if src.isEmpty { fail(line, "empty pattern in '\(key)'"); continue }
                do {
                    let p = try Pattern.shared(src, caseSensitive: caseSensitive)
                    if p.canMatchEmpty && key != "exceptions" && key != "attributions" {
                        fail(line, "pattern '\(abbreviated(src))' in '\(key)' can match the empty string")
                        continue
                    }
                    out.append(p)
                } catch {
                    fail(line, "bad pattern in '\(key)': \(error.message) at offset \(error.offset): '\(abbreviated(src))'")
                }
            }
            return out
        }
        let patterns = compile("patterns", required: kind != .titleLine)
        let exceptions = compile("exceptions", required: false)
        let attributions = compile("attributions", required: kind == .attribution)

        var title = TitleLineOptions()
        if kind == .titleLine {
            if let v = number("min-words") { title.minWords = Int(v) }
            if let v = number("max-words") { title.maxWords = Int(v) }
            if let v = number("min-capitalized") {
                if v < 0 || v > 1 { fail(keyLines["min-capitalized"], "'min-capitalized' must be between 0 and 1") }
                title.minCapitalized = v
            }
            title.skipSubheads = bool("skip-subheads")
            if title.minWords < 1 || title.maxWords < title.minWords { fail(keyLines["min-words"], "'min-words' must be >= 1 and <= 'max-words'") }
        }

        let score = number("score")
        if let score, !score.isFinite || score == 0 { fail(keyLines["score"], "'score' must be a number other than 0") }

        var examples = RuleExamples(triggering: [], nontriggering: [])
        if let v = values["examples"] {
            if case .mapping(let m) = v {
                for (k, ev) in m {
                    let key = k.string ?? ""
                    guard key == "triggering" || key == "nontriggering" else {
                        fail(k.mark?.line, "unknown key '\(key)' in 'examples' (expected 'triggering' and 'nontriggering')"); continue
                    }
                    guard case .sequence(let seq) = ev else { fail(ev.mark?.line, "'examples.\(key)' must be a list of strings"); continue }
                    var list: [String] = []
                    for item in seq {
                        guard case .scalar(let s) = item else { fail(item.mark?.line, "'examples.\(key)' must be a list of strings"); continue }
                        if key == "triggering" && ExampleRunner.markedSpan(s.string) == nil {
                            fail(item.mark?.line, "triggering example must mark the expected span with exactly one «…»")
                        }
                        list.append(s.string)
                    }
                    if key == "triggering" { examples.triggering = list } else { examples.nontriggering = list }
                }
            } else {
                fail(v.mark?.line, "'examples' must be a mapping with 'triggering' and 'nontriggering' lists")
            }
        }

        guard errors.isEmpty, let id, let category, let severity, let kind, let scope, let message, let description else {
            if errors.isEmpty { fail(ruleLine, "incomplete rule") }
            return .failure(Errors(errors: errors))
        }
        return .success(Rule(id: id, category: category, severity: severity, message: message, description: description,
                             kind: kind, scope: scope, caseSensitive: caseSensitive, outsideQuotes: outsideQuotes,
                             patterns: patterns, exceptions: exceptions, attributions: attributions, titleLine: title,
                             score: score, threshold: thresholds.first { $0.category == category }?.threshold ?? Rule.defaultThreshold,
                             examples: examples, file: file, line: ruleLine))
    }
}
