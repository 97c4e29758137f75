import Testing
@testable import CopydeskCore

@Suite("Title-line check")
struct TitleLineTests {
    static let rule: Rule = {
        let yaml = """
        rules:
          - id: boilerplate.title-line
            category: boilerplate
            severity: warning
            message: "Headline in the body"
            description: A headline-shaped standalone line.
            kind: title-line
        """
        return RuleLoader.load(files: [("t.yml", yaml)]).ruleSet.rules[0]
    }()

    func flagged(_ text: String, headline: HeadlineMode = .auto) -> [Int] {
        let doc = Document(path: "a.txt", string: text, headline: headline)
        return Linter(ruleSet: RuleSet([Self.rule])).lint(doc, scratch: MatchScratch()).findings.map(\.span.start.line)
    }

    @Test func flagsAHeadlineShapedLineInTheBody() {
        #expect(flagged("The lede sentence ends here.\n\nSenator Reveals The Plan Nobody Expected\n\nMore text follows.\n") == [3])
    }

    @Test func ownHeadlineRepeatedOrDeckIsNotFlagged() {
        let text = """
        City Council Approves The New Budget

        City Council Approves the New Budget

        The vote was 7-2 on Tuesday, officials said.

        Mayor Promises Faster Road Repairs Next Year

        More text follows.
        """
        // Line 3 restates the headline (and is the deck position); line 7 is another story's headline.
        #expect(flagged(text) == [7])
        // Without a headline there is no deck: a first paragraph shaped like a headline is flagged.
        #expect(flagged("Mayor Promises Faster Road Repairs Next Year\n\nText.\n", headline: .none) == [1])
    }

    @Test func shortenedCopyOfTheHeadlineIsNotFlagged() {
        let text = "Mayor Says The Budget Is Final. Council Disagrees\n\nThe lede sentence.\n\nMayor Says the Budget Is Final\n\nText.\n"
        #expect(flagged(text) == [])
    }

    @Test func sentencesAndShortLinesAreNotHeadlines() {
        #expect(flagged("Lede.\n\nThe Senate Voted On The Bill Today.\n\nBy Jane Smith\n") == [])
    }
}
