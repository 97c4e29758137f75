import Foundation
import Testing

/// `copydesk lint …` is parsed by hand for the common options (`parseLintByHand` in
/// Sources/copydesk/main.swift), without ArgumentParser's reflection. Whatever it takes must give
/// exactly the command ArgumentParser gives, for lint alone and through the root command; what
/// it does not take goes to ArgumentParser. `COPYDESK_CHECK_LINT_PARSE=1` makes the binary print
/// the three parses instead of running.
@Suite("Lint parse by hand")
struct LintParseTests {
    /// (hand, lint, root): each parse described (`String(describing:)` of the command), or "nil".
    func parses(_ args: [String]) throws -> (hand: String, lint: String, root: String) {
        let r = try copydesk(args, env: ["COPYDESK_CHECK_LINT_PARSE": "1"])
        #expect(r.status == 0, "\(args)")
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        func value(_ prefix: String) -> String { lines.first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) } ?? "missing" }
        return (value("hand: "), value("lint: "), value("root: "))
    }

    /// Command lines the hand parser takes: the same command as ArgumentParser's, every option set.
    static let taken: [[String]] = [
        ["a.txt"], ["lint", "a.txt"], ["lint"], ["lint", "lint"], ["lint", "-"], ["a.txt", "b.md", "dir/"],
        ["lint", "--format", "json", "corpus/a0000008.txt"], ["--format=json", "a.txt"], ["x", "--format", "sarif"],
        ["lint", "--no-config", "--format", "jsonl", "dir/"], ["lint", "--output=o.txt", "x"], ["lint", "-o", "o.txt", "x"],
        ["lint", "--fail-on", "never", "x"], ["lint", "--fail-on=info", "--color=always", "x"],
        ["lint", "--rules", "Rules", "--fail-on", "warning", "--headline", "first-line", "--reader", "markdown",
         "--stdin-filename", "x.md", "--config", "c.yml", "-o", "out.txt", "--baseline", "b.json", "--write-baseline", "w.json",
         "--color", "never", "--stats", "--no-prefilter", "--no-ignore", "p", "q"],
        ["--stats", "--no-prefilter", "--headline", "none", "--reader", "html", "a b.html"],
        ["lint", "--headline", "auto", "--reader", "text", "--color", "auto", "--format", "text", "x"],
        ["lint", "--format", "github", "x"], ["lint", "--format", "junit", "x"], ["lint", "--format", "checkstyle", "x"],
        ["lint", "--stdin-filename", "<stdin>", "-"], ["lint", "--config", "c.yml", "x"], ["lint", "--no-config", "x"],
    ]

    /// Command lines it leaves to ArgumentParser (bad values, repeats, other options, help, other
    /// commands): compared too, in case one is taken after all.
    static let left: [[String]] = [
        ["lint", "--format", "yaml", "x"], ["lint", "--fail-on", "sometimes", "x"], ["--config", "c", "--no-config", "x"],
        ["lint", "--format", "json", "--format", "text", "x"], ["lint", "--stats", "--stats", "x"], ["lint", "--", "-x"],
        ["lint", "--report", "sarif=x.sarif", "a"], ["lint", "--records", "jsonl", "a"], ["lint", "-o"], ["lint", "--format"],
        ["lint", "--stats=1", "x"], ["lint", "--unknown", "x"], ["lint", "--config", "-", "x"], ["lint", ""], ["rules"],
        ["--help"], ["lint", "-h"], ["lint", "--version"], ["lint", "-x"], ["lint", "--text-field", "body", "x"],
        ["lint", "--format=", "x"], ["help"], ["config", "--print", "x"], ["lint", "---x"], ["-", "--color", "sometimes"],
    ]

    @Test func handParseIsArgumentParsers() throws {
        for args in Self.taken {
            let p = try parses(args)
            #expect(p.hand != "nil", "\(args): not taken by the hand parser")
            #expect(!p.hand.contains("*definition*"), "\(args): an option left unset: \(p.hand)")
            #expect(p.hand == p.lint, "\(args)")
            #expect(p.hand == p.root, "\(args)")
        }
        for args in Self.left {
            let p = try parses(args)
            #expect(p.hand == "nil" || (p.hand == p.lint && p.hand == p.root), "\(args)")
        }
    }

    /// `--version` alone is answered without the root command: the same text ArgumentParser gives.
    @Test func versionAlone() throws {
        let fast = try copydesk(["--version"])
        let full = try copydesk(["--version", "--version"])
        #expect(fast.status == 0 && full.status == 0)
        #expect(fast.stdout == full.stdout)
        #expect(fast.stdout.range(of: #"^\d+\.\d+\.\d+\n$"#, options: .regularExpression) != nil)
    }
}
