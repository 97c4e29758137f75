import Foundation
import Testing
import CopydeskTestSupport

/// Every relative link in the Markdown documentation (README.md, CHANGELOG.md, docs/*.md) points
/// at a file that exists, and an anchor (`file.md#heading`, `#heading`) at a heading of that file,
/// slugged as GitHub does. Links in fenced code and in `code spans` are not links; URLs with a
/// scheme (https:, mailto:) are not checked (no network here).
@Suite("Documentation links")
struct DocLinkTests {
    static var markdownFiles: [String] {
        let docs = (try? FileManager.default.contentsOfDirectory(atPath: packageRoot.appendingPathComponent("docs").path)) ?? []
        return ["README.md", "CHANGELOG.md"] + docs.filter { $0.hasSuffix(".md") }.sorted().map { "docs/" + $0 }
    }

    /// The file's lines outside fenced code blocks.
    static func proseLines(_ text: String) -> [String] {
        var out: [String] = []
        var fence: String? = nil
        for line in text.components(separatedBy: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if let f = fence {
                if trimmed.hasPrefix(f) { fence = nil }
                continue
            }
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") { fence = String(trimmed.prefix(3)); continue }
            out.append(line)
        }
        return out
    }

    /// GitHub's anchors for the file's headings: lowercased, punctuation dropped, spaces to
    /// hyphens, `-1`, `-2`… for repeats.
    static func anchors(_ text: String) -> Set<String> {
        var seen: [String: Int] = [:]
        var result = Set<String>()
        for line in proseLines(text) {
            guard let m = line.firstMatch(of: /^#{1,6}\s+(.*?)\s*#*\s*$/) else { continue }
            var slug = ""
            for ch in String(m.1).lowercased() {
                if ch.isLetter || ch.isNumber || ch == "-" || ch == "_" { slug.append(ch) }
                else if ch == " " { slug.append("-") }
            }
            let n = seen[slug, default: 0]
            seen[slug] = n + 1
            result.insert(n == 0 ? slug : "\(slug)-\(n)")
        }
        return result
    }

    /// Link targets in the file's prose: inline `[text](target)` and reference `[id]: target`.
    static func links(_ text: String) -> [(line: String, target: String)] {
        var out: [(String, String)] = []
        for line in proseLines(text) {
            let prose = line.replacing(/`[^`]*`/, with: "")
            for m in prose.matches(of: /\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/) { out.append((line, String(m.1))) }
            if let m = prose.firstMatch(of: /^\s{0,3}\[[^\]]+\]:\s+<?(\S+?)>?(?:\s+".*")?\s*$/) { out.append((line, String(m.1))) }
        }
        return out
    }

    @Test func theDocumentationExists() {
        let files = Self.markdownFiles
        for required in ["docs/user-guide.md", "docs/rules.md", "docs/integrations.md", "docs/accuracy.md",
                         "docs/performance.md", "docs/guarantees.md", "docs/architecture.md"] {
            #expect(files.contains(required), "missing \(required)")
        }
    }

    @Test(arguments: markdownFiles)
    func relativeLinksResolve(_ file: String) throws {
        let url = packageRoot.appendingPathComponent(file)
        let text = try String(contentsOf: url, encoding: .utf8)
        let dir = url.deletingLastPathComponent()
        var checked = 0
        for (line, target) in Self.links(text) {
            if target.firstMatch(of: /^[A-Za-z][A-Za-z0-9+.-]*:/) != nil { continue }   // https:, mailto:
            let parts = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
            let path = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            let anchor = parts.count > 1 ? String(parts[1]) : nil
            let resolved = path.isEmpty ? url : dir.appendingPathComponent(path).standardizedFileURL
            checked += 1
            guard FileManager.default.fileExists(atPath: resolved.path) else {
                Issue.record("\(file): link to \(target) (no such file \(resolved.path)) in: \(line)")
                continue
            }
            if let anchor, resolved.pathExtension == "md" {
                let targetText = try String(contentsOf: resolved, encoding: .utf8)
                #expect(Self.anchors(targetText).contains(anchor.lowercased()),
                        "\(file): link to \(target): no heading with anchor #\(anchor) in \(resolved.lastPathComponent), in: \(line)")
            }
        }
        if file == "README.md" { #expect(checked > 5, "README.md: expected links into docs/") }
    }

    @Test func slugsFollowGitHub() {
        let text = "# Title\n## HTTP service (`copydesk serve`)\n## Configuration (`.copydesk.yml`)\n```\n# not a heading\n```\n## Figures\n## Figures\n"
        #expect(Self.anchors(text) == ["title", "http-service-copydesk-serve", "configuration-copydeskyml", "figures", "figures-1"])
        #expect(Self.links("see [a](b.md#c) and `[x](y)`\n```\n[z](w)\n```\n[ref]: docs/x.md\n").map(\.target) == ["b.md#c", "docs/x.md"])
    }
}
