/// A shell-style glob, as used in `.copydesk.yml` (`include`, `exclude`, rule keys) and in
/// suppression comments: `*` matches any run of characters except `/`, `**` any run including
/// `/` (a `**/` segment may also match nothing), `?` one character except `/`, `[abc]`, `[a-z]`
/// and `[!abc]` one character from (or not from) a set; `\` escapes the next character.
public struct Glob: Sendable, Hashable, CustomStringConvertible {
    public let pattern: String
    private let chars: [Unicode.Scalar]

    public init(_ pattern: String) {
        self.pattern = pattern
        self.chars = Array(pattern.unicodeScalars)
    }

    public var description: String { pattern }

    /// Whether the pattern holds any wildcard at all.
    public var hasWildcards: Bool { chars.contains { $0 == "*" || $0 == "?" || $0 == "[" } }

    /// A problem with the pattern (an unclosed `[`), or nil.
    public var syntaxError: String? {
        var i = 0
        while i < chars.count {
            if chars[i] == "\\" { i += 2; continue }
            if chars[i] == "[" {
                guard setEnd(i) != nil else { return "unclosed '[' in pattern '\(pattern)'" }
            }
            i += 1
        }
        return nil
    }

    /// Whether the whole of `string` matches.
    public func matches(_ string: String) -> Bool {
        let s = Array(string.unicodeScalars)
        var memo = [Int: Bool]()
        return match(0, s, 0, &memo)
    }

    private func setEnd(_ open: Int) -> Int? {
        var j = open + 1
        if j < chars.count && (chars[j] == "!" || chars[j] == "^") { j += 1 }
        if j < chars.count && chars[j] == "]" { j += 1 }
        while j < chars.count && chars[j] != "]" { j += 1 }
        return j < chars.count ? j : nil
    }

    private func inSet(_ c: Unicode.Scalar, _ open: Int, _ close: Int) -> Bool {
        var j = open + 1
        var negate = false
        if chars[j] == "!" || chars[j] == "^" { negate = true; j += 1 }
        var found = false
        while j < close {
            if j + 2 < close && chars[j + 1] == "-" {
                if chars[j].value <= c.value && c.value <= chars[j + 2].value { found = true }
                j += 3
            } else {
                if chars[j] == c { found = true }
                j += 1
            }
        }
        return found != negate
    }

    private func match(_ pi: Int, _ s: [Unicode.Scalar], _ si: Int, _ memo: inout [Int: Bool]) -> Bool {
        let key = pi * (s.count + 1) + si
        if let known = memo[key] { return known }
        let result: Bool
        if pi == chars.count {
            result = si == s.count
        } else {
            let c = chars[pi]
            switch c {
            case "*":
                if pi + 1 < chars.count && chars[pi + 1] == "*" {
                    // `**`: any run, slashes included. `**/` may also match nothing.
                    var next = pi + 2
                    if next < chars.count && chars[next] == "/" {
                        next += 1
                        if match(next, s, si, &memo) { result = true; break }
                    }
                    var k = si
                    var found = false
                    while k <= s.count {
                        if match(pi + 2, s, k, &memo) { found = true; break }
                        k += 1
                    }
                    result = found
                } else {
                    var k = si
                    var found = false
                    while true {
                        if match(pi + 1, s, k, &memo) { found = true; break }
                        if k == s.count || s[k] == "/" { break }
                        k += 1
                    }
                    result = found
                }
            case "?":
                result = si < s.count && s[si] != "/" && match(pi + 1, s, si + 1, &memo)
            case "[":
                if let close = setEnd(pi) {
                    result = si < s.count && s[si] != "/" && inSet(s[si], pi, close) && match(close + 1, s, si + 1, &memo)
                } else {
                    result = si < s.count && s[si] == "[" && match(pi + 1, s, si + 1, &memo)
                }
            case "\\" where pi + 1 < chars.count:
                result = si < s.count && s[si] == chars[pi + 1] && match(pi + 2, s, si + 1, &memo)
            default:
                result = si < s.count && s[si] == c && match(pi + 1, s, si + 1, &memo)
            }
        }
        memo[key] = result
        return result
    }
}

/// A glob anchored at a folder (the folder of the `.copydesk.yml` that wrote it), matched against
/// paths relative to that folder, the way `.gitignore` patterns are: a pattern without `/` matches
/// a file or folder name at any depth; one with `/` matches from the folder (a leading `/` is
/// allowed); a trailing `/` matches folders only. A folder that matches covers everything in it.
public struct PathGlob: Sendable, Hashable, CustomStringConvertible {
    public let pattern: String
    public let base: String
    package let glob: Glob
    package let anyDepth: Bool
    let directoryOnly: Bool

    public init(_ pattern: String, base: String) {
        self.pattern = pattern
        self.base = base
        var p = pattern
        if p.hasPrefix("./") { p.removeFirst(2) }
        directoryOnly = p.hasSuffix("/")
        while p.hasSuffix("/") { p.removeLast() }
        if p.hasPrefix("/") { p.removeFirst(); anyDepth = false } else { anyDepth = !p.contains("/") }
        glob = Glob(p)
    }

    public var description: String { pattern }

    /// `path` (absolute, standardized) relative to `base`, or nil when it lies outside.
    public func relative(_ path: String) -> String? { Paths.relative(path, to: base) }

    /// Whether the file at absolute `path` is matched (itself, or one of its folders below `base`).
    public func matchesFile(_ path: String) -> Bool {
        guard let rel = relative(path), !rel.isEmpty else { return false }
        let parts = rel.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        // Every prefix: folders first (they cover what is inside), then the file itself.
        for n in 1...parts.count {
            let isFile = n == parts.count
            if directoryOnly && isFile { continue }
            if anyDepth {
                if glob.matches(parts[n - 1]) { return true }
            } else if glob.matches(parts[0..<n].joined(separator: "/")) {
                return true
            }
        }
        return false
    }

    /// Whether the file itself is named by the pattern (for `include`: folders match everything in them too).
    public func includesFile(_ path: String) -> Bool { matchesFile(path) }
}
