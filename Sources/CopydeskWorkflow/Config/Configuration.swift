import Foundation
import Synchronization
import CopydeskCore

/// The configuration that applies to one file: the `.copydesk.yml` files from the file's folder
/// up to the root, merged. A nearer file overrides the keys of the ones above it; `rules` and
/// `formats` are merged entry by entry (a nearer file's entry replaces the same key above it).
public struct Configuration: Sendable {
    /// The files merged, farthest first.
    public var files: [ConfigFile]
    public var rules: [RuleEntry] = []
    public var rulePaths: [Located<String>] = []
    public var include: [Located<PathGlob>]? = nil
    public var exclude: [Located<PathGlob>] = []
    public var failOn: Located<FailLevel>? = nil
    public var headline: Located<HeadlineMode>? = nil
    public var formats: [Located<ConfigFile.FormatEntry>] = []

    public static let empty = Configuration(chain: [])

    /// Merges `chain` (farthest first).
    public init(chain: [ConfigFile]) {
        files = chain
        var ruleIndex: [String: Int] = [:]
        var formatIndex: [String: Int] = [:]
        for file in chain {
            if let r = file.rules {
                for e in r {
                    if let i = ruleIndex[e.key] { rules[i] = e } else { ruleIndex[e.key] = rules.count; rules.append(e) }
                }
            }
            if let p = file.rulePaths { rulePaths = p }
            if let i = file.include { include = i }
            if let e = file.exclude { exclude = e }
            if let f = file.failOn { failOn = f }
            if let h = file.headline { headline = h }
            if let f = file.formats {
                for e in f {
                    if let i = formatIndex[e.value.ext] { formats[i] = e } else { formatIndex[e.value.ext] = formats.count; formats.append(e) }
                }
            }
        }
    }

    /// The entry that decides `ruleID`'s severity: its exact id, else the longest matching glob,
    /// else its category, else `*`. Nil when no entry applies (the rule keeps its own severity).
    public func entry(forRule ruleID: String, category: String) -> RuleEntry? {
        var best: (Int, RuleEntry)? = nil
        for e in rules {
            guard let s = e.specificity(for: ruleID, category: category) else { continue }
            // Equal specificity: the later (nearer) entry wins.
            if best == nil || s >= best!.0 { best = (s, e) }
        }
        return best?.1
    }

    /// The reader `formats` picks for `path` (the longest matching extension), or nil.
    public func format(forPath path: String) -> DocumentFormat? {
        let name = path.lowercased()
        var best: ConfigFile.FormatEntry? = nil
        for f in formats where name.hasSuffix(f.value.ext) && name.count > f.value.ext.count {
            if best == nil || f.value.ext.count > best!.ext.count { best = f.value }
        }
        return best?.format
    }

    /// The `exclude` pattern that covers the file at absolute `path`, or nil.
    public func excluding(_ path: String) -> Located<PathGlob>? {
        exclude.first { $0.value.matchesFile(path) }
    }

    /// Whether `include` (when set) takes the file at absolute `path`.
    public func includes(_ path: String) -> Bool {
        guard let include else { return true }
        return include.contains { $0.value.matchesFile(path) }
    }

    /// Key of this merged configuration (the files it comes from), for caching.
    var cacheKey: String { files.map(\.path).joined(separator: "\n") }

    /// The merged configuration as YAML, each value followed by the file and line it comes from.
    public func render(relativeTo base: String = Paths.currentDirectory) -> String {
        func origin(_ file: String, _ line: Int) -> String { "  # \(Paths.relativeWithParents(file, to: base)):\(line)" }
        func quoted(_ s: String) -> String {
            let plain = s.range(of: #"^[A-Za-z0-9_./-][A-Za-z0-9_./ -]*$"#, options: .regularExpression) != nil && !s.hasSuffix(" ")
            if plain && !["off", "on", "yes", "no", "true", "false", "null", "~"].contains(s.lowercased()) { return s }
            return "'" + s.replacingOccurrences(of: "'", with: "''") + "'"
        }
        var out = ""
        if files.isEmpty {
            out += "# no configuration file applies: built-in defaults\n"
        } else {
            out += "# merged from (farthest first):\n"
            for f in files { out += "#   \(Paths.relativeWithParents(f.path, to: base))\n" }
        }
        if rules.isEmpty { out += "rules: {}\n" } else {
            out += "rules:\n"
            for e in rules.sorted(by: { $0.key < $1.key }) { out += "  \(quoted(e.key)): \(e.setting.rawValue)\(origin(e.file, e.line))\n" }
        }
        func list(_ name: String, _ items: [(String, String, Int)]) {
            if items.isEmpty { out += "\(name): []\n"; return }
            out += "\(name):\n"
            for (v, f, l) in items { out += "  - \(quoted(v))\(origin(f, l))\n" }
        }
        list("rule-paths", rulePaths.map { (Paths.relativeWithParents($0.value, to: base), $0.file, $0.line) })
        if let include {
            list("include", include.map { (Self.anchored($0.value, base), $0.file, $0.line) })
        } else {
            out += "include: ['**']  # default: every file\n"
        }
        list("exclude", exclude.map { (Self.anchored($0.value, base), $0.file, $0.line) })
        out += "fail-on: " + (failOn.map { "\($0.value.rawValue)\(origin($0.file, $0.line))" } ?? "error  # default") + "\n"
        out += "headline: " + (headline.map { "\($0.value.rawValue)\(origin($0.file, $0.line))" } ?? "auto  # default") + "\n"
        if formats.isEmpty { out += "formats: {}\n" } else {
            out += "formats:\n"
            for f in formats.sorted(by: { $0.value.ext < $1.value.ext }) {
                out += "  \(quoted(f.value.ext)): \(f.value.format.rawValue)\(origin(f.file, f.line))\n"
            }
        }
        return out
    }

    /// A glob shown relative to `base` (the pattern as written when it is anchored there).
    static func anchored(_ g: PathGlob, _ base: String) -> String {
        if g.base == base { return g.pattern }
        let rel = Paths.relativeWithParents(g.base, to: base)
        let p = g.pattern.hasPrefix("/") ? String(g.pattern.dropFirst()) : g.pattern
        if g.anyDepth { return rel == "." ? "**/" + p : rel + "/**/" + p }
        return rel == "." ? p : rel + "/" + p
    }
}

/// Finds and caches the configuration of each folder.
public final class ConfigResolver: Sendable {
    public enum Mode: Sendable, Equatable {
        /// `.copydesk.yml` in the file's folder and every folder above it.
        case discover
        /// Exactly this file, for every input (`--config FILE`).
        case file(String)
        /// No configuration (`--no-config`).
        case none
    }

    public let mode: Mode
    private struct State {
        var files: [String: ConfigFile?] = [:]       // config path -> parsed file (nil: none there)
        var folders: [String: Configuration] = [:]   // folder -> merged configuration
        var errorsReported = Set<String>()
        var errors: [ConfigError] = []
    }
    private let state = Mutex(State())
    private let fixed: ConfigFile?

    public init(mode: Mode) {
        self.mode = mode
        if case .file(let p) = mode {
            fixed = ConfigFile.load(p)
        } else {
            fixed = nil
        }
    }

    /// Every problem in the configuration files read so far, each once, in the order found.
    public var errors: [ConfigError] {
        var all = fixed?.errors ?? []
        all += state.withLock { $0.errors }
        return all
    }

    /// The merged configuration for a file at `path` (relative to the current folder or absolute).
    public func configuration(forFile path: String) -> Configuration {
        configuration(forFolder: Paths.directory(of: Paths.absolute(path)))
    }

    /// The merged configuration for files in `folder` (absolute).
    public func configuration(forFolder folder: String) -> Configuration {
        switch mode {
        case .none: return .empty
        case .file: return Configuration(chain: fixed.map { [$0] } ?? [])
        case .discover: break
        }
        if let c = state.withLock({ $0.folders[folder] }) { return c }
        // Walk up, nearest first.
        var chain: [ConfigFile] = []
        var dir = folder
        while true {
            if let f = file(in: dir) { chain.append(f) }
            if dir == "/" { break }
            dir = Paths.directory(of: dir)
        }
        let config = Configuration(chain: chain.reversed())
        state.withLock { $0.folders[folder] = config }
        return config
    }

    private func file(in dir: String) -> ConfigFile? {
        let path = (dir == "/" ? "" : dir) + "/" + ConfigFile.fileName
        if let known = state.withLock({ $0.files[path] }) { return known }
        var parsed: ConfigFile? = nil
        if Paths.isFile(path) {
            let f = ConfigFile.load(path, displayPath: Paths.display(path))
            parsed = f
        }
        state.withLock { st in
            st.files[path] = .some(parsed)
            if let parsed, !parsed.errors.isEmpty, st.errorsReported.insert(path).inserted {
                st.errors.append(contentsOf: parsed.errors)
            }
        }
        return parsed
    }
}
