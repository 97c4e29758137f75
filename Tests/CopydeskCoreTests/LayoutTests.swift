import Foundation
import Testing
@testable import CopydeskCore
@testable import CopydeskReports
@testable import CopydeskWorkflow
import CopydeskDefaultRules
import CopydeskTestSupport
import CopydeskDefaultRules

/// The same article gives the same scopes and findings (by content line) whether its paragraphs
/// are separated by blank lines, single newlines, CRLF or come from HTML (issue 10, failure
/// classes 1, 2 and 4). Texts written for these tests.
@Suite("Layout-proof document model")
struct LayoutTests {
    static let linter = Linter(ruleSet: RuleLoader.loadDefault().ruleSet)

    /// (content line text, rule) of every finding of `categories`, for comparing layouts.
    static func findings(_ s: String, path: String = "a.txt", categories: Set<Category>? = nil) -> [String] {
        let doc = Document(path: path, string: s)
        let lines = s.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map(String.init)
        return linter.lint(doc, scratch: MatchScratch()).findings
            .filter { categories == nil || categories!.contains($0.category) }
            .map { "\(lines[$0.span.start.line - 1].trimmingCharacters(in: .whitespaces)) [\($0.rule)]" }
    }

    static let article = """
        City Council Approves New Budget After Long Debate
        The city council approved a $2.1 billion budget on Tuesday after a six-hour debate over police funding.
        Facebook
        Twitter
        Email
        Share
        Council members voted 7 to 2 in favor of the plan, which raises spending on parks and libraries.
        Advertisement
        Parks Department Names New Director
        Do you think the council made the right call?
        The mayor said she would sign the budget this week, and experts say the plan is sound.
        Order a print of this photo
        close sharing options
        “We listened,” the council president said.
        Sign up for our free City Hall newsletter.
        """

    static func layouts(_ s: String) -> [String] {
        let lines = s.split(separator: "\n").map(String.init)
        return [lines.joined(separator: "\n\n") + "\n", lines.joined(separator: "\n") + "\n", lines.joined(separator: "\r\n") + "\r\n",
                lines.joined(separator: "\r\n\r\n"), lines.joined(separator: "\n \n") + "\n"]
    }

    @Test func everyLayoutGivesTheSameFindings() {
        let all = Self.layouts(Self.article).map { Self.findings($0) }
        #expect(all[0].count == 10, "\(all[0])")
        for (k, f) in all.enumerated() { #expect(f == all[0], "layout \(k) differs:\n\(f)\nvs\n\(all[0])") }
    }

    @Test func htmlGivesTheSameFindingsAsText() {
        let lines = Self.article.split(separator: "\n").map(String.init)
        // The plain-text reader takes the first line for the title; HTML needs an <h1> for that.
        let html = "<html><body>\n<h1>\(lines[0])</h1>\n" + lines.dropFirst().map { "<p>\($0)</p>" }.joined(separator: "\n") + "\n</body></html>\n"
        let doc = Document(path: "a.html", string: html)
        let got = Self.linter.lint(doc, scratch: MatchScratch()).findings.map(\.rule)
        let text = Document(path: "a.txt", string: lines.joined(separator: "\n"))
        #expect(got == Self.linter.lint(text, scratch: MatchScratch()).findings.map(\.rule))
        // Lines broken by <br> inside one block split the same way.
        let br = "<h1>\(lines[0])</h1><p>" + lines.dropFirst().joined(separator: "<br>\n") + "</p>"
        let brDoc = Document(path: "a.html", string: br)
        #expect(Self.linter.lint(brDoc, scratch: MatchScratch()).findings.map(\.rule) == got)
    }

    @Test func singleNewlineParagraphs() {
        let doc = Document(path: "a.txt", string: Self.layouts(Self.article)[1])
        #expect(text(doc, doc.headline) == "City Council Approves New Budget After Long Debate")
        #expect(doc.paragraphs.count == doc.lines.count)
        #expect(texts(doc, doc.standaloneLines).contains("Advertisement"))
        #expect(texts(doc, doc.standaloneLines).contains("Parks Department Names New Director"))
    }

    @Test func hardWrappedProseStaysOneParagraph() {
        let s = """
            The city council approved a $2.1 billion budget on Tuesday after a long
            debate over police funding. Spending on parks rises by 12%, and experts
            say that the plan, according to the city's own budget office, would
            leave a surplus.
            Advertisement
            Council members voted 7 to 2 in favor of the plan. The mayor said she
            would sign it.
            """
        let doc = Document(path: "a.txt", string: s, headline: .none)
        #expect(texts(doc, doc.paragraphs) == [
            "The city council approved a $2.1 billion budget on Tuesday after a long\ndebate over police funding. Spending on parks rises by 12%, and experts\nsay that the plan, according to the city's own budget office, would\nleave a surplus.",
            "Advertisement",
            "Council members voted 7 to 2 in favor of the plan. The mayor said she\nwould sign it.",
        ])
        #expect(texts(doc, doc.standaloneLines) == ["Advertisement"])
        // The claim is attributed across the line breaks.
        #expect(!Self.findings(s).contains { $0.contains("attribution") })
    }

    @Test func aShortLineBetweenWrappedLinesIsItsOwnUnit() {
        let s = """
            The city council approved a $2.1 billion budget on Tuesday after a long
            Advertisement
            debate over police funding. Spending on parks rises by 12%, the budget
            office said in a statement released after the vote on Tuesday night.
            """
        let doc = Document(path: "a.txt", string: s, headline: .none)
        #expect(texts(doc, doc.standaloneLines).contains("Advertisement"))
        #expect(doc.paragraphs.count == 3)
    }

    @Test func listsOfHeadlinesAreNotWrappedProse() {
        let s = """
            Steve King meme lawsuit headed to trial in November
            Which fair acts sold the most grandstand tickets in 2022?
            Unhoused man charged after his sick dog died is sentenced
            Your guide to the state's voting rules for the election
            """
        let doc = Document(path: "a.txt", string: s, headline: .none)
        #expect(doc.paragraphs.count == 4)
    }

    @Test func aLineBrokenMidClauseContinues() {
        let doc = Document(path: "a.txt", string: "By completing the poll, you agree\nto receive emails from Example News and our partners.\nHuckabee Crosses Picket Line Again\nby Mike Hall, Feb 8\n", headline: .none)
        #expect(texts(doc, doc.paragraphs) == ["By completing the poll, you agree\nto receive emails from Example News and our partners.", "Huckabee Crosses Picket Line Again", "by Mike Hall, Feb 8"])
    }

    // MARK: quote bleed

    @Test func anUnclosedQuoteDoesNotMuteTheNextLine() {
        let s = "NEW YORK ENDS TAX “The governor signed a bill Thursday ending the tax.\nFor more, sign up for the What Works newsletter.\n"
        #expect(Self.findings(s, categories: [.boilerplate]) == ["For more, sign up for the What Works newsletter. [boilerplate.newsletter-signup]"])
        // Even when the two lines are one wrapped paragraph.
        let wrapped = "NEW YORK ENDS TAX “The governor signed a bill Thursday ending the tax and\nfor more, sign up for the What Works newsletter.\n"
        #expect(Self.findings(wrapped, categories: [.boilerplate]).count == 1)
    }

    @Test func quotesCrossALineOnlyWhenClosedLater() {
        let s = "“We are closing a loophole,\nand we are doing it now,” the governor said, adding that “the state\nwill not wait. Sign up for our newsletter.\n"
        let doc = Document(path: "a.txt", string: s, headline: .none)
        let q = texts(doc, doc.quotes)
        #expect(q == ["“We are closing a loophole,\nand we are doing it now,”", "“the state"])
        // A new opening mark after the break starts a new quote.
        let two = Document(path: "a.txt", string: "He said “we will win and\nshe said “no” to that plan.\n", headline: .none)
        #expect(texts(two, two.quotes) == ["“we will win and", "“no”"])
        // Single quotes never cross a line break.
        let single = Document(path: "a.txt", string: "The 'big plan and\nthe small one' were both dropped by the council.\n", headline: .none)
        #expect(texts(single, single.quotes).isEmpty)
    }

    // MARK: HTML messages

    @Test func htmlMessagesQuoteDecodedTextAndSpansStayOnTheSource() throws {
        let html = "<p>The United States deported more than 250 suspected gang members to El Salvador on Sunday.</p>\n<p>Elon Musk Called This Financial News &#x27;Terrifying&#x27;</p>\n<p>The suspects were taken to the high-security facility.</p>\n"
        let doc = Document(path: "a.html", string: html, headline: .none)
        let f = try #require(Self.linter.lint(doc, scratch: MatchScratch()).findings.first)
        #expect(f.message.contains("News 'Terrifying'"))
        #expect(f.match == "Elon Musk Called This Financial News &#x27;Terrifying&#x27;")
        let bytes = Array(html.utf8)
        #expect(String(decoding: bytes[f.span.start.offset..<f.span.end.offset], as: UTF8.self) == f.match)
    }
}
