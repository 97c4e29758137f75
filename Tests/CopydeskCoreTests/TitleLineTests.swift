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

    @Test func photoCaptionsAreNotHeadlines() {
        let lede = "The council met on Tuesday evening and argued for three hours about the budget."
        // Right above a credit line, in single-newline text and with blank lines. (The bare rule
        // here has no exceptions, so a title-shaped credit line is flagged itself; the caption is not.)
        #expect(flagged("\(lede)\nSenator Campaigns Across New Hampshire Ahead Of Primary Day\nPhoto by Joe Raedle/Getty Images\nMore text follows here.\n") == [3])
        #expect(flagged("\(lede)\n\nSenator Campaigns Across New Hampshire Ahead Of Primary Day\n\nImage copyright Reuters\n\nMore text.\n") == [])
        // Right under an "Image caption" label.
        #expect(flagged("\(lede)\nImage caption\nSenator Campaigns Across New Hampshire Ahead Of Primary Day\nMore text follows here.\n") == [])
        // The same line with body text around it is another story's headline.
        #expect(flagged("\(lede)\nSenator Campaigns Across New Hampshire Ahead Of Primary Day\nMore text follows here.\n") == [2])
    }

    @Test func itemsOfAListTheArticleIntroducesAreNotHeadlines() {
        let lede = "The band announced the album on Tuesday, its first in sixteen years, to loud applause."
        let list = "Sleep Now Trump You Are Fired Again\nWaiting On The Walls To Come Down Soon\nThere Aint No Spray Tan Here Today\n"
        // Introduced by a sentence ending in a colon: the article's own list, however far down.
        #expect(flagged("\(lede)\nHere is the official track listing:\n\(list)More text follows.\n") == [])
        #expect(flagged("\(lede)\n\nHere is the official track listing:\n\n\(list.replacingOccurrences(of: "\n", with: "\n\n"))More text.\n") == [])
        // Nominees under an award category heading.
        #expect(flagged("\(lede)\nBest Comedy Series\n\(list)More text follows.\n") == [])
        // Introduced by a recirculation label of a few words: other stories' headlines.
        #expect(flagged("\(lede)\nMore from the band:\n\(list)More text follows.\n") == [3, 4, 5])
    }

    /// A sentence-case title-line rule, with or without `skip-subheads`.
    static func wireRule(skipSubheads: Bool) -> Rule {
        let yaml = """
        rules:
          - id: boilerplate.wire
            category: boilerplate
            severity: warning
            message: "Headline in the body"
            description: A sentence-case headline.
            kind: title-line
            min-capitalized: 0
        """ + (skipSubheads ? "\n    skip-subheads: true\n" : "\n")
        let result = RuleLoader.load(files: [("t.yml", yaml)])
        precondition(result.errors.isEmpty, "\(result.errors)")
        return result.ruleSet.rules[0]
    }

    static let subheadRule = wireRule(skipSubheads: true)

    func flaggedSkippingSubheads(_ text: String) -> [Int] {
        let doc = Document(path: "a.txt", string: text, headline: .none)
        return Linter(ruleSet: RuleSet([Self.subheadRule])).lint(doc, scratch: MatchScratch()).findings.map(\.span.start.line)
    }

    @Test func subheadOverItsSectionIsSkipped() {
        let body = "The council met on Tuesday evening and argued for three hours about the road budget."
        // Shares "privacy" and "demands" with the paragraph under it: a subhead.
        let sub = "\(body)\n\nSinger demands more privacy\n\nThe singer now demands privacy from photographers, a friend told the magazine on Monday.\n"
        #expect(flaggedSkippingSubheads(sub) == [])
        // Sums up the paragraph above it: also a subhead.
        let above = "The singer now demands privacy from photographers, a friend told the magazine on Monday.\n\nSinger demands more privacy\n\n\(body)\n"
        #expect(flaggedSkippingSubheads(above) == [])
        // About something else: another story's headline.
        let other = "\(body)\n\nUnion suspends the rail walkout\n\nThe vote was seven to two, and the mayor said repairs would start in spring.\n"
        #expect(flaggedSkippingSubheads(other) == [3])
    }

    @Test func aListOfHeadlinesIsNotASubheadAndItsSection() {
        // Neighbours that are themselves short headline lines are not body paragraphs, so shared
        // words with them do not make a subhead.
        let text = "The council met on Tuesday evening and argued for three hours about the road budget.\n\nSinger demands more privacy at home\n\nSinger privacy case goes to court\n\nThe vote was seven to two, and the mayor said repairs would start in spring.\n"
        #expect(flaggedSkippingSubheads(text) == [3, 5])
    }

    @Test func withoutTheOptionSubheadsAreFlaggedToo() {
        let rule = Self.wireRule(skipSubheads: false)
        #expect(Self.subheadRule.titleLine.skipSubheads)
        #expect(rule.titleLine.skipSubheads == false)
        let text = "The council met on Tuesday evening and argued about the road budget.\n\nSinger demands more privacy\n\nThe singer now demands privacy from photographers, a friend said on Monday.\n"
        let doc = Document(path: "a.txt", string: text, headline: .none)
        #expect(Linter(ruleSet: RuleSet([rule])).lint(doc, scratch: MatchScratch()).findings.map(\.span.start.line) == [3])
    }

    @Test func skipSubheadsMustBeABooleanAndOnlyOnTitleLines() {
        let wrongKind = """
        rules:
          - id: ads.x
            category: ads
            severity: warning
            message: "m"
            description: d
            kind: existence
            scope: line
            skip-subheads: true
            patterns: ['promo']
        """
        let wrongKindErrors = RuleLoader.load(files: [("t.yml", wrongKind)]).errors
        #expect(wrongKindErrors.contains { $0.description.contains("skip-subheads") })
        let notABoolean = """
        rules:
          - id: boilerplate.wire
            category: boilerplate
            severity: warning
            message: "m"
            description: d
            kind: title-line
            skip-subheads: maybe
        """
        let notABooleanErrors = RuleLoader.load(files: [("t.yml", notABoolean)]).errors
        #expect(notABooleanErrors.contains { $0.description.contains("'skip-subheads' must be true or false") })
    }
}
