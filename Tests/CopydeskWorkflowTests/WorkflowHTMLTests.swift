import Foundation
import Testing
@testable import CopydeskCore
import CopydeskTestSupport

@Suite("Workflow: HTML reader")
struct WorkflowHTMLTests {
    func page(_ name: String) throws -> Document {
        let path = workflowResources + "/html/" + name
        let data = try #require(FileManager.default.contents(atPath: path))
        return Document(path: name, bytes: Array(data))
    }
    func texts(_ doc: Document, _ ranges: [Range<Int>]) -> [String] { ranges.map { UTF8Scan.string(doc.text[$0]) } }

    @Test func realisticNewsPage() throws {
        let doc = try page("news-article.html")
        #expect(doc.format == .html)
        #expect(doc.headline.map { UTF8Scan.string(doc.text[$0]) } == "City Council Approves New Budget")
        #expect(texts(doc, doc.headings) == ["City Council Approves New Budget", "What changes"])
        let paras = texts(doc, doc.paragraphs)
        #expect(paras == [
            "Council members vote on the budget — photo by J.\u{A0}Smith",
            "The city council voted 7–2 on Tuesday to approve a $4.2\u{A0}million budget, ending months of debate over road repairs and library hours.",
            // A <br> after a sentence's end is a paragraph break, as a single newline is in text.
            "Council member Ana López said the plan “keeps our promises” to residents.",
            "Critics disagreed.",
            "Use promo code LEDGER10 for 10% off a subscription.",
            "Vote now in our reader poll: was the budget fair?",
            "— The Daily Ledger (@ledger)",
            "Library hours grow on weekends",
            "Road repairs start in June",
            "First, the clinic’s hours.",
            "Budget by department",
            "Vote now: should the city fund a new pool?",
            "Tom & Jerry's café &<3 &notanentity; \u{FFFD} \u{FFFD}",
            "© 2024 The Daily Ledger. All rights reserved.",
        ])
        // Nothing from script, style, noscript, nav, template, svg, comments, attributes or divs.
        let all = UTF8Scan.string(doc.text)
        for leaked in ["SCRIPT", "STYLE", "noscript", "nested nav", "Politics", "template", "svg", "alt text", "Advertisement", "Jane Doe", "Google Tag"] {
            #expect(!all.contains(leaked), "leaked: \(leaked)")
        }
        // A <br> splits lines (and, after a sentence's end, paragraphs).
        #expect(texts(doc, doc.lines).contains("Critics disagreed."))
        #expect(doc.standaloneLines.count == doc.paragraphs.count)
    }

    @Test func spansPointIntoTheHTMLSource() throws {
        let doc = try page("news-article.html")
        let source = String(decoding: doc.source, as: UTF8.self)
        let f = WorkflowRules.linter.lint(doc, scratch: MatchScratch()).findings
        let promo = try #require(f.first { $0.rule == "ads.promo-code" })
        #expect(promo.match == "promo code")
        let lines = source.components(separatedBy: "\n")
        let line = lines[promo.span.start.line - 1]
        #expect(line.contains("<strong>Use promo code LEDGER10</strong>"))
        #expect(Array(line.unicodeScalars)[(promo.span.start.column - 1)..<(promo.span.end.column - 1)].map(String.init).joined() == "promo code")
        #expect(Array(doc.source[promo.byteRange]) == Array("promo code".utf8))
        // The poll in the tweet is found; the one after disable-next-line is suppressed.
        let polls = f.filter { $0.rule == "polls.vote" }
        #expect(polls.count == 1)
        #expect(lines[polls[0].span.start.line - 1].contains("reader poll"))
    }

    @Test func entitiesDecodeForMatchingAndMapToTheirBytes() {
        let doc = Document(path: "a.html", string: "<p>Use promo&#32;code&nbsp;now &amp; vote&#x20;now</p>")
        #expect(UTF8Scan.string(doc.text[doc.paragraphs[0]]) == "Use promo code\u{A0}now & vote now")
        let f = WorkflowRules.linter.lint(doc, scratch: MatchScratch()).findings
        #expect(f.map(\.match) == ["promo&#32;code", "vote&#x20;now"])
        #expect(f[0].span.start.column == 8 && f[0].span.end.column == 22)
    }

    @Test func crlfUppercaseTagsAndTitleFallback() throws {
        let doc = try page("crlf-no-h1.htm")
        #expect(doc.headline.map { UTF8Scan.string(doc.text[$0]) } == "Shocking Facts You Won’t Believe")
        #expect(texts(doc, doc.paragraphs) == [
            "First paragraph with lots of space.",
            "Second \"quoted\" paragraph — promo code here.",
            "Unclosed at the end",
        ])
        let f = WorkflowRules.linter.lint(doc, scratch: MatchScratch()).findings
        #expect(f.map(\.rule) == ["clickbait.shocking", "ads.promo-code"])
        #expect(f[0].span.start.line == 2 && f[0].span.start.column == 14)
        #expect(f[1].span.start.line == 7)
        let none = Document(path: "a.htm", bytes: doc.source, headline: HeadlineMode.none)
        #expect(none.headline == nil)
    }

    @Test func hostileMarkupDoesNotCrashOrLeak() {
        for s in ["<", "<p", "<p>", "<!--", "<!-- x", "<p>a<!---->b</p>", "<p>a<!-->b</p>", "<script>", "<p>x</script>y</p>",
                  "<p>&", "<p>&#", "<p>&#x;", "<p>&#99999999999;", "</p></p></li>", "<p a='>' b=\">\">t</p>", "<p>a < b > c</p>",
                  "<nav><p>x</nav><p>y</p>", "<svg/><p>z</p>", "<nav/><p>w</p>", "\u{FEFF}<p>bom</p>", "<p>\u{0}</p>"] {
            let doc = Document(path: "x.html", string: s)
            for p in doc.paragraphs { #expect(p.upperBound <= doc.text.count) }
            _ = WorkflowRules.linter.lint(doc, scratch: MatchScratch())
        }
        #expect(UTF8Scan.string(Document(path: "a.html", string: "<p>a<!---->b</p>").text).contains("ab"))
        #expect(UTF8Scan.string(Document(path: "a.html", string: "<p>a < b > c</p>").text).contains("a < b > c"))
        #expect(UTF8Scan.string(Document(path: "a.html", string: "<p a='>' b=\">\">t</p>").text) == "t\n")
        let nav = Document(path: "a.html", string: "<nav><p>x</nav><p>y</p>")
        #expect(nav.paragraphs.map { UTF8Scan.string(nav.text[$0]) } == ["y"])
        let selfClosed = Document(path: "a.html", string: "<nav/><p>w</p>")
        #expect(selfClosed.paragraphs.count == 1)
    }

    @Test func formatByExtension() {
        #expect(DocumentFormat.forPath("a/B.HTML") == .html && DocumentFormat.forPath("x.htm") == .html)
        #expect(DocumentFormat.forPath("x.html.txt") == .text)
    }
}
