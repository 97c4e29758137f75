import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// End-to-end tests of the publishing-workflow features through the `copydesk` executable.
@Suite("Workflow CLI", .serialized)
struct WorkflowCLITests {
    let article = "Headline\n\nUse promo code SAVE today.\n\nVote now in our poll.\n\nAll rights reserved.\n"

    func cd(_ args: [String], _ s: Sandbox, stdin: String? = nil) throws -> WorkflowCLI.Output {
        try WorkflowCLI.copydesk(args, cwd: s.path, stdin: stdin)
    }

    @Test func configIsDiscoveredAndNearerFilesOverride() throws {
        let s = Sandbox(); defer { s.remove() }
        s.rules()
        s.file(".copydesk.yml", "rules:\n  ads: warning\n  polls: off\nfail-on: warning\n")
        s.file("news/.copydesk.yml", "rules:\n  polls: error\n")
        s.file("a.md", article); s.file("news/b.md", article)
        let r = try cd(["--rules", "rules", "--format", "jsonl", "a.md", "news/b.md"], s)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.contains("\"path\":\"a.md\"") }.map { $0.contains("\"severity\":\"warning\"") } == [true, false])
        #expect(lines.contains { $0.contains("\"path\":\"news/b.md\"") && $0.contains("\"rule\":\"polls.vote\"") && $0.contains("\"severity\":\"error\"") })
        #expect(!lines.contains { $0.contains("\"path\":\"a.md\"") && $0.contains("polls.vote") })
        #expect(r.status == 1)   // fail-on: warning from the top file
        // --fail-on on the command line wins; --config uses only that file; --no-config none.
        #expect(try cd(["--rules", "rules", "--fail-on", "never", "a.md", "news/b.md"], s).status == 0)
        let only = try cd(["--rules", "rules", "--config", "news/.copydesk.yml", "--format", "jsonl", "a.md"], s)
        #expect(only.stdout.contains("\"rule\":\"polls.vote\",\"severity\":\"error\""))
        #expect(only.stdout.contains("\"rule\":\"ads.promo-code\",\"severity\":\"error\""))
        let none = try cd(["--rules", "rules", "--no-config", "--format", "jsonl", "a.md"], s)
        #expect(none.stdout.contains("\"rule\":\"polls.vote\",\"severity\":\"warning\""))
        let both = try cd(["--config", "x.yml", "--no-config", "a.md"], s)
        #expect(both.status == 2 && both.stderr.contains("--config and --no-config cannot be used together"))
    }

    @Test func configErrorsNameFileAndLineAndExit2() throws {
        let s = Sandbox(); defer { s.remove() }
        s.rules()
        s.file(".copydesk.yml", "rules:\n  ads: loud\nfail_on: error\n")
        s.file("a.md", article)
        let r = try cd(["--rules", "rules", "a.md"], s)
        #expect(r.status == 2)
        #expect(r.stdout.contains(".copydesk.yml: error: line 2: bad value 'loud' for rule 'ads'"))
        #expect(r.stdout.contains(".copydesk.yml: error: line 3: unknown key 'fail_on'"))
        #expect(r.stdout.contains("a.md:3:5: error: Promo code"))   // the run goes on
    }

    @Test func includeExcludeAndFormats() throws {
        let s = Sandbox(); defer { s.remove() }
        s.rules()
        s.file(".copydesk.yml", "exclude: [drafts/]\nformats:\n  .page: html\n")
        s.file("a.md", article); s.file("drafts/b.md", article)
        s.file("c.page", "<html><nav>promo code</nav><p>Vote now!</p></html>")
        let walked = try cd(["--rules", "rules", "--format", "jsonl", "."], s)
        #expect(!walked.stdout.contains("drafts/b.md"))
        #expect(walked.stdout.contains("\"path\":\"./c.page\",\"rule\":\"polls.vote\""))
        #expect(!walked.stdout.contains("\"path\":\"./c.page\",\"rule\":\"ads"))
        let named = try cd(["--rules", "rules", "drafts/b.md"], s)
        #expect(named.stdout.contains("drafts/b.md: skipped: excluded by 'drafts/' (.copydesk.yml:1)"))
        #expect(named.status == 0)
    }

    @Test func gitIgnoredFilesAreSkippedUnlessNamed() throws {
        let s = Sandbox(); defer { s.remove() }
        s.rules()
        let git = try WorkflowCLI.run("/usr/bin/env", ["git", "init", "-q", "."], cwd: s.path)
        try #require(git.status == 0)
        s.file(".gitignore", "generated/\nrules/\n")
        s.file("a.md", article); s.file("generated/b.md", article)
        let walked = try cd(["--rules", "rules", "--format", "jsonl", "."], s)
        #expect(walked.stdout.contains("./a.md") && !walked.stdout.contains("generated/b.md"))
        let named = try cd(["--rules", "rules", "--format", "jsonl", "generated/b.md"], s)
        #expect(named.stdout.contains("\"path\":\"generated/b.md\""))
        let all = try cd(["--rules", "rules", "--format", "jsonl", "--no-ignore", "."], s)
        #expect(all.stdout.contains("generated/b.md"))
    }

    @Test func suppressionsEndToEnd() throws {
        let s = Sandbox(); defer { s.remove() }
        s.rules()
        s.file("a.md", "Headline\n\n<!-- copydesk-disable-next-line ads -->\nUse promo code SAVE today.\n\nVote now. <!-- copydesk-disable-line ads.promo-code -->\n")
        let r = try cd(["--rules", "rules", "a.md"], s)
        #expect(r.stdout.contains("a.md:6:1: warning: Poll: Vote now [polls.vote]"))
        #expect(r.stdout.contains("a.md:6:11: info: Unused suppression: 'copydesk-disable-line' names 'ads.promo-code', but there is no such finding to suppress [copydesk.unused-suppression]"))
        #expect(!r.stdout.contains("promo code SAVE"))
        #expect(r.status == 0)
        #expect(try cd(["--rules", "rules", "--fail-on", "info", "a.md"], s).status == 1)
        s.file(".copydesk.yml", "rules:\n  copydesk.unused-suppression: off\n")
        #expect(!(try cd(["--rules", "rules", "a.md"], s)).stdout.contains("Unused suppression"))
    }

    @Test func baselineRoundTrip() throws {
        let s = Sandbox(); defer { s.remove() }
        s.rules()
        s.file("a.md", article)
        let write = try cd(["--rules", "rules", "--write-baseline", "ci/baseline.json", "a.md"], s)
        #expect(write.status == 2)   // the folder does not exist: an error, exit 2
        #expect(write.stdout.contains("ci/baseline.json: error: cannot write baseline"))
        let written = try cd(["--rules", "rules", "--write-baseline", "baseline.json", "a.md"], s)
        #expect(written.status == 0)
        let json = try #require(s.read("baseline.json"))
        #expect(json.contains("\"rule\" : \"ads.promo-code\"") && json.contains("\"path\" : \"a.md\""))
        let clean = try cd(["--rules", "rules", "--baseline", "baseline.json", "a.md"], s)
        #expect(clean.status == 0)
        #expect(clean.stdout.contains("0 findings") && clean.stdout.contains("3 hidden by baseline"))
        // Lines added above, and a second copy of an old finding plus a new one below.
        s.file("a.md", "New intro.\n\n" + article + "\nUse promo code SAVE today.\n\nVote now or never.\n")
        let after = try cd(["--rules", "rules", "--baseline", "baseline.json", "--format", "jsonl", "a.md"], s)
        #expect(after.status == 1)
        let found = after.stdout.split(separator: "\n").filter { $0.contains("\"type\":\"finding\"") }
        #expect(found.count == 2)
        #expect(found.allSatisfy { $0.contains("\"line\":11") || $0.contains("\"line\":13") })
        #expect(after.stdout.contains("\"hiddenByBaseline\"") == false)   // jsonl summary keeps its shape
        let missing = try cd(["--rules", "rules", "--baseline", "nope.json", "a.md"], s)
        #expect(missing.status == 2 && missing.stdout.contains("nope.json: error: baseline file not found"))
    }

    @Test func outputFileAndExtraReports() throws {
        let s = Sandbox(); defer { s.remove() }
        s.rules()
        s.file("a.md", article)
        let r = try cd(["--rules", "rules", "a.md", "--report", "sarif=out/../copydesk.sarif", "--report", "junit=junit.xml", "--report", "checkstyle=cs.xml"], s)
        #expect(r.status == 1)
        #expect(r.stdout.contains("a.md:3:5: error: Promo code"))    // text on the terminal…
        let sarif = try #require(s.read("copydesk.sarif"))            // …and the reports in files
        #expect(sarif.contains("\"version\" : \"2.1.0\""))
        #expect(XMLParser(data: Data(try #require(s.read("junit.xml")).utf8)).parse())
        #expect(XMLParser(data: Data(try #require(s.read("cs.xml")).utf8)).parse())
        let o = try cd(["--rules", "rules", "--format", "json", "-o", "report.json", "a.md"], s)
        #expect(o.stdout.isEmpty && o.status == 1)
        #expect(try #require(s.read("report.json")).contains("\"version\" : 1"))
        let bad = try cd(["--report", "pdf=x.pdf", "a.md"], s)
        #expect(bad.status == 2 && bad.stderr.contains("--report"))
        let unwritable = try cd(["--rules", "rules", "-o", "no/such/dir/r.txt", "a.md"], s)
        #expect(unwritable.status == 2 && unwritable.stderr.contains("cannot write text report to no/such/dir/r.txt"))
    }

    @Test func githubFormat() throws {
        let s = Sandbox(); defer { s.remove() }
        s.rules()
        s.file("a b,c.md", article)
        let r = try cd(["--rules", "rules", "--format", "github", "a b,c.md"], s)
        #expect(r.stdout.hasPrefix("::error file=a b%2Cc.md,line=3,col=5,endLine=3,endColumn=15,title=ads.promo-code::Promo code: “promo code”\n"))
        #expect(r.stdout.contains("::notice file=a b%2Cc.md,line=7,"))
    }

    @Test func stdinFilenamePicksReaderConfigAndName() throws {
        let s = Sandbox(); defer { s.remove() }
        s.rules()
        s.file("news/.copydesk.yml", "rules:\n  polls: error\n")
        let html = "<html><head><script>promo code</script></head><body><p>Vote now!</p></body></html>"
        let r = try cd(["--rules", "rules", "--stdin-filename", "news/page.html", "--format", "jsonl", "-"], s, stdin: html)
        #expect(r.stdout.contains("\"path\":\"news/page.html\",\"rule\":\"polls.vote\",\"severity\":\"error\""))
        #expect(!r.stdout.contains("ads.promo-code"))
        #expect(r.stdout.contains("\"start\":{\"column\":56,\"line\":1,\"offset\":55}"))
        let old = try cd(["--stdin-name", "x.md", "-"], s, stdin: "x")
        #expect(old.status == 2)
    }

    @Test func initWritesAStarterThatParses() throws {
        let s = Sandbox(); defer { s.remove() }
        s.rules()
        let r = try cd(["init"], s)
        #expect(r.status == 0 && r.stdout.contains("Wrote .copydesk.yml"))
        let text = try #require(s.read(".copydesk.yml"))
        #expect(text.contains("# fail-on: error") && text.contains("rules: {}"))
        let again = try cd(["init"], s)
        #expect(again.status == 2 && again.stderr.contains("already exists"))
        #expect(try cd(["init", "--force"], s).status == 0)
        #expect(try cd(["config", "--print", "a.md", "--rules", "rules"], s).status == 0)
        // Every setting uncommented still parses.
        var uncommented = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "rules: {}" { uncommented += "rules:\n"; continue }
            if line.hasPrefix("#  ") && !line.hasPrefix("#   ") && line.contains(":") { uncommented += "  " + line.dropFirst(3) + "\n"; continue }
            if line.hasPrefix("# ") && line.dropFirst(2).first.map({ $0.isLowercase }) == true && line.hasSuffix(":") || (line.hasPrefix("# ") && line.contains(": ") && !line.contains(". ") && line.split(separator: " ").count <= 3) {
                uncommented += line.dropFirst(2) + "\n"; continue
            }
            if line.hasPrefix("#   ") { uncommented += line.dropFirst(2) + "\n"; continue }
            uncommented += line + "\n"
        }
        s.file("full/.copydesk.yml", uncommented)
        s.file("full/copydesk-rules/x.yml", "rules: []\n")
        let printed = try cd(["config", "--print", "full/a.md", "--rules", "rules"], s)
        #expect(printed.status == 0, "\(printed.stderr)\n\(uncommented)")
        for expected in ["attribution: warning", "fail-on: error", "headline: auto", ".mdx: markdown", "full/**/drafts/", "'full/**/*.md'"] {
            #expect(printed.stdout.contains(expected), "\(expected) missing from\n\(printed.stdout)")
        }
    }

    @Test func configPrintShowsTheMergedConfiguration() throws {
        let s = Sandbox(); defer { s.remove() }
        s.rules()
        s.file(".copydesk.yml", "rules:\n  ads: warning\nexclude: [drafts/]\n")
        s.file("news/.copydesk.yml", "rules:\n  ads.promo-code: off\nheadline: none\n")
        let r = try cd(["config", "--print", "news/x.md", "--rules", "rules"], s)
        #expect(r.status == 0)
        #expect(r.stdout.contains("  ads: warning  # .copydesk.yml:2\n"))
        #expect(r.stdout.contains("  ads.promo-code: off  # news/.copydesk.yml:2\n"))
        #expect(r.stdout.contains("headline: none  # news/.copydesk.yml:3\n"))
        #expect(r.stdout.contains("#   ads.promo-code: error -> off  (by 'ads.promo-code')"))
        #expect(r.stdout.contains("# reader: markdown (by extension)"))
        let excluded = try cd(["config", "--print", "drafts/y.md", "--rules", "rules"], s)
        #expect(excluded.stdout.contains("is excluded by 'drafts/'"))
        s.file("bad/.copydesk.yml", "rules:\n  ads: maybe\n")
        let bad = try cd(["config", "--print", "bad/z.md"], s)
        #expect(bad.status == 2 && bad.stderr.contains("bad/.copydesk.yml: error: line 2: bad value 'maybe'"))
        let missing = try cd(["config"], s)
        #expect(missing.status == 2 && missing.stderr.contains("--print"))
    }

    @Test func helpExplainsTheNewOptions() throws {
        let s = Sandbox(); defer { s.remove() }
        let r = try cd(["lint", "--help"], s)
        for option in ["--config", "--no-config", "--baseline", "--write-baseline", "-o, --output", "--report", "--stdin-filename", "--no-ignore", "sarif", "checkstyle"] {
            #expect(r.stdout.contains(option), "\(option) missing from help")
        }
    }
}
