import Foundation
import Yams
import CopydeskCore

/// A problem in a `.copydesk.yml`: the file, the line and what is wrong.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var message: String
    public init(file: String, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }
    public var description: String { "\(file)\(line.map { ":\($0)" } ?? ""): \(message)" }
    /// As a file error for reports (path = the config file).
    public var fileError: FileError { FileError(path: file, message: (line.map { "line \($0): " } ?? "") + message) }
}

/// What a `rules:` entry sets a rule to.
public enum RuleSetting: String, Sendable, CaseIterable, Codable {
    case off, info, warning, error
    public var severity: Severity? {
        switch self {
        case .off: nil
        case .info: .info
        case .warning: .warning
        case .error: .error
        }
    }
}

/// A value read from a config file, with where it was written.
public struct Located<Value: Sendable & Equatable>: Sendable, Equatable {
    public var value: Value
    public var file: String
    public var line: Int
    public init(_ value: Value, file: String, line: Int) {
        self.value = value
        self.file = file
        self.line = line
    }
}

/// One `rules:` entry: a rule id, a category, or a `*`-glob over rule ids.
public struct RuleEntry: Sendable, Equatable {
    public enum Selector: Sendable, Equatable, Hashable {
        case id(String)
        case category(String)
        case glob(Glob)
    }
    public var key: String
    public var selector: Selector
    public var setting: RuleSetting
    public var file: String
    public var line: Int

    /// How specific the key is for `ruleID` (higher wins), or nil when it does not apply.
    public func specificity(for ruleID: String, category: String) -> Int? {
        switch selector {
        case .id(let id): return id == ruleID ? 3_000_000 : nil
        case .glob(let g):
            guard g.matches(ruleID) else { return nil }
            // Longer globs are more specific; `*` alone is the least specific of all.
            return g.pattern == "*" ? 0 : 2_000_000 + g.pattern.count
        case .category(let c): return c == category ? 1_000_000 : nil
        }
    }

    /// Parses a key: `ads.promo-code`, `ads`, `ads.*`, `*`.
    static func selector(_ key: String) -> Selector? {
        if key.contains("*") || key.contains("?") || key.contains("[") {
            let g = Glob(key)
            return g.syntaxError == nil ? .glob(g) : nil
        }
        if key.range(of: #"^[a-z][a-z0-9]*\.[a-z0-9][a-z0-9-]*$"#, options: .regularExpression) != nil { return .id(key) }
        if key.range(of: #"^[a-z][a-z0-9-]*$"#, options: .regularExpression) != nil { return .category(key) }
        return nil
    }
}

/// One parsed `.copydesk.yml`. A key that is absent is nil; paths and globs are already anchored
/// at the file's folder.
public struct ConfigFile: Sendable {
    public static let fileName = ".copydesk.yml"
    public static let keys = ["rules", "rule-paths", "include", "exclude", "fail-on", "headline", "formats"]

    /// Absolute path of the file.
    public var path: String
    public var directory: String { Paths.directory(of: path) }
    public var rules: [RuleEntry]?
    public var rulePaths: [Located<String>]?
    public var include: [Located<PathGlob>]?
    public var exclude: [Located<PathGlob>]?
    public var failOn: Located<FailLevel>?
    public var headline: Located<HeadlineMode>?
    /// Lowercased extension with its dot (".mdx") to reader.
    public var formats: [Located<FormatEntry>]?
    /// Problems found while reading; keys with problems are left out, the others still apply.
    public var errors: [ConfigError] = []

    public struct FormatEntry: Sendable, Equatable {
        public var ext: String
        public var format: DocumentFormat
    }

    public init(path: String) { self.path = path }

    /// Reads and parses the file at `path` (made absolute).
    public static func load(_ path: String, displayPath: String? = nil) -> ConfigFile {
        let abs = Paths.absolute(path)
        let path = displayPath ?? path
        guard let data = FileManager.default.contents(atPath: abs) else {
            var c = ConfigFile(path: abs)
            let why = FileManager.default.fileExists(atPath: abs) ? "cannot read configuration file" : "configuration file not found"
            c.errors.append(ConfigError(file: path, line: nil, message: why))
            return c
        }
        guard let text = String(data: data, encoding: .utf8) else {
            var c = ConfigFile(path: abs)
            c.errors.append(ConfigError(file: path, line: nil, message: "configuration file is not valid UTF-8"))
            return c
        }
        return parse(text, path: abs, displayPath: path)
    }

    /// Parses `contents`; `path` is the absolute path (it anchors relative paths and globs),
    /// `displayPath` the name used in errors.
    public static func parse(_ contents: String, path: String, displayPath: String? = nil) -> ConfigFile {
        let shown = displayPath ?? path
        var config = ConfigFile(path: Paths.absolute(path))
        let dir = config.directory
        func fail(_ line: Int?, _ message: String) { config.errors.append(ConfigError(file: shown, line: line, message: message)) }

        let root: Node?
        do {
            root = try Yams.compose(yaml: contents)
        } catch let error as YamlError {
            let e = RuleLoader.yamlError(shown, error)
            fail(e.line, e.message)
            return config
        } catch {
            fail(nil, "invalid YAML: \(error)")
            return config
        }
        guard let root else { return config }   // an empty file (or only comments) sets nothing
        guard case .mapping(let top) = root else {
            fail(root.mark?.line ?? 1, "expected a mapping of settings at the top level (keys: \(keys.joined(separator: ", ")))")
            return config
        }
        var seen: [String: Int] = [:]
        for (k, v) in top {
            guard case .scalar(let ks) = k else { fail(k.mark?.line, "keys must be strings"); continue }
            let key = ks.string
            let line = k.mark?.line ?? 1
            if let first = seen[key] { fail(line, "duplicate key '\(key)' (first at line \(first))"); continue }
            seen[key] = line

            func strings() -> [(String, Int)]? {
                switch v {
                case .scalar(let s) where !s.string.isEmpty: return [(s.string, v.mark?.line ?? line)]
                case .sequence(let seq):
                    var out: [(String, Int)] = []
                    for item in seq {
                        guard case .scalar(let s) = item, !s.string.isEmpty else {
                            fail(item.mark?.line ?? line, "'\(key)' must be a list of non-empty strings"); return nil
                        }
                        out.append((s.string, item.mark?.line ?? line))
                    }
                    return out
                default:
                    fail(v.mark?.line ?? line, "'\(key)' must be a list of strings"); return nil
                }
            }
            func choice<E: RawRepresentable & CaseIterable>(_ type: E.Type) -> Located<E>? where E.RawValue == String, E: Sendable & Equatable {
                guard case .scalar(let s) = v, let e = E(rawValue: s.string) else {
                    let got: String
                    if case .scalar(let s) = v { got = "'\(s.string)'" } else { got = "a \(v.kindName)" }
                    fail(v.mark?.line ?? line, "bad value \(got) for '\(key)' (expected one of: \(E.allCases.map(\.rawValue).joined(separator: ", ")))")
                    return nil
                }
                return Located(e, file: config.path, line: v.mark?.line ?? line)
            }

            switch key {
            case "rules":
                guard case .mapping(let m) = v else {
                    if case .scalar(let s) = v, s.string.isEmpty { config.rules = []; continue }
                    fail(v.mark?.line ?? line, "'rules' must be a mapping of rule id, category or glob to off, info, warning or error"); continue
                }
                var entries: [RuleEntry] = []
                var seenRules: [String: Int] = [:]
                for (rk, rv) in m {
                    let rl = rk.mark?.line ?? line
                    guard case .scalar(let rks) = rk else { fail(rl, "rule keys must be strings"); continue }
                    let name = rks.string
                    if let first = seenRules[name] { fail(rl, "duplicate rule key '\(name)' (first at line \(first))"); continue }
                    seenRules[name] = rl
                    guard let selector = RuleEntry.selector(name) else {
                        fail(rl, "bad rule key '\(name)' (expected a rule id like 'ads.promo-code', a category like 'ads', or a glob like 'ads.*')")
                        continue
                    }
                    guard case .scalar(let rvs) = rv, let setting = RuleSetting(rawValue: rvs.string.lowercased()) else {
                        let got: String
                        if case .scalar(let s) = rv { got = "'\(s.string)'" } else { got = "a \(rv.kindName)" }
                        fail(rv.mark?.line ?? rl, "bad value \(got) for rule '\(name)' (expected one of: off, info, warning, error)")
                        continue
                    }
                    entries.append(RuleEntry(key: name, selector: selector, setting: setting, file: config.path, line: rl))
                }
                config.rules = entries
            case "rule-paths":
                guard let list = strings() else { continue }
                config.rulePaths = list.map { Located(Paths.absolute($0.0, base: dir), file: config.path, line: $0.1) }
            case "include", "exclude":
                guard let list = strings() else { continue }
                var globs: [Located<PathGlob>] = []
                for (p, l) in list {
                    let g = PathGlob(p, base: dir)
                    if let e = g.glob.syntaxError { fail(l, "bad glob in '\(key)': \(e)"); continue }
                    globs.append(Located(g, file: config.path, line: l))
                }
                if key == "include" { config.include = globs } else { config.exclude = globs }
            case "fail-on":
                config.failOn = choice(FailLevel.self)
            case "headline":
                config.headline = choice(HeadlineMode.self)
            case "formats":
                guard case .mapping(let m) = v else {
                    fail(v.mark?.line ?? line, "'formats' must be a mapping of file extension to reader, e.g. '.mdx: markdown'"); continue
                }
                var entries: [Located<FormatEntry>] = []
                for (fk, fv) in m {
                    let fl = fk.mark?.line ?? line
                    guard case .scalar(let fks) = fk, !fks.string.isEmpty, !fks.string.contains("/") else {
                        fail(fl, "bad extension in 'formats' (expected something like '.mdx')"); continue
                    }
                    var ext = fks.string.lowercased()
                    if !ext.hasPrefix(".") { ext = "." + ext }
                    guard case .scalar(let fvs) = fv, let format = DocumentFormat(rawValue: fvs.string) else {
                        let got: String
                        if case .scalar(let s) = fv { got = "'\(s.string)'" } else { got = "a \(fv.kindName)" }
                        fail(fv.mark?.line ?? fl, "bad reader \(got) for '\(ext)' (expected one of: \(DocumentFormat.allCases.map(\.rawValue).joined(separator: ", ")))")
                        continue
                    }
                    entries.append(Located(FormatEntry(ext: ext, format: format), file: config.path, line: fl))
                }
                config.formats = entries
            default:
                fail(line, "unknown key '\(key)' (expected one of: \(keys.joined(separator: ", ")))")
            }
        }
        return config
    }
}

extension Node {
    var kindName: String {
        switch self {
        case .scalar: "string"
        case .mapping: "mapping"
        case .sequence: "list"
        }
    }
}
