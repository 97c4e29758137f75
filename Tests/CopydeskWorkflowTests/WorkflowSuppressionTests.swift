import Testing
@testable import CopydeskCore
import CopydeskTestSupport

@Suite("Workflow: inline suppressions")
struct WorkflowSuppressionTests {
    func rules(_ f: [Finding]) -> [String] { f.map { "\($0.span.start.line):\($0.rule)" } }

    @Test func disableEnableRegion() {
        let f = WorkflowRules.lint("""
            promo code one
            <!-- copydesk-disable ads.promo-code -->
            promo code two and vote now
            <!-- copydesk-enable ads.promo-code -->
            promo code three
            """, path: "a.txt")
        #expect(rules(f) == ["1:ads.promo-code", "3:polls.vote", "5:ads.promo-code"])
    }

    @Test func disableWithoutNamesCoversEverythingToTheEnd() {
        let f = WorkflowRules.lint("promo code\n<!-- copydesk-disable -->\npromo code, vote now, shop now\n\nmore promo code\n", path: "a.md")
        #expect(rules(f) == ["1:ads.promo-code"])
    }

    @Test func categoriesGlobsAndCommas() {
        let text = "<!-- copydesk-disable ads, polls.* -->\npromo code and vote now\n"
        #expect(WorkflowRules.lint(text).isEmpty)
        let f = WorkflowRules.lint("<!-- copydesk-disable-next-line ads.promo-code,polls.vote -- reviewed by the desk -->\npromo code, vote now, shop now\n")
        #expect(rules(f) == ["2:ads.shop-now"])
    }

    @Test func enableSomeAfterDisableAll() {
        let f = WorkflowRules.lint("<!-- copydesk-disable -->\n<!-- copydesk-enable polls -->\npromo code and vote now\n<!-- copydesk-enable -->\npromo code\n", path: "a.txt")
        #expect(rules(f) == ["3:polls.vote", "5:ads.promo-code"])
    }

    @Test func lineDirectives() {
        let f = WorkflowRules.lint("""
            promo code here <!-- copydesk-disable-line -->
            <!-- copydesk-disable-next-line polls -->
            promo code and vote now
            vote now
            """, path: "a.md")
        #expect(rules(f) == ["3:ads.promo-code", "4:polls.vote"])
    }

    @Test func suppressionsWorkInHTMLAndMatchBeforeMerging() {
        let html = "<p>promo code <!-- copydesk-disable-line ads.promo-code --> shop now</p>\n"
        let f = WorkflowRules.lint(html, path: "a.html")
        // Both ads rules match on the line; only ads.promo-code is suppressed, so ads.shop-now stays.
        #expect(rules(f) == ["1:ads.shop-now"])
    }

    @Test func unusedSuppressionsAreReportedAsInfo() {
        let f = WorkflowRules.lint("""
            <!-- copydesk-disable-next-line ads.promo-code, polls.vote -->
            promo code only
            <!-- copydesk-disable-line -->
            <!-- copydesk-disable-next-line adz -->
            text
            <!-- copydesk-disabel -->
            """, path: "a.md")
        let unused = f.filter { $0.rule == UnusedSuppression.ruleID }
        #expect(unused.allSatisfy { $0.severity == .info && $0.category == .copydesk })
        #expect(unused.map(\.span.start.line) == [1, 3, 4, 6])
        #expect(unused[0].message.contains("names 'polls.vote', but there is no such finding"))
        #expect(unused[1].message.contains("suppresses no finding"))
        #expect(unused[2].message.contains("'adz', which is no rule in effect or category"))
        #expect(unused[3].message.contains("Unknown directive 'copydesk-disabel'"))
        #expect(unused[0].match == "<!-- copydesk-disable-next-line ads.promo-code, polls.vote -->")
        #expect(unused[0].span.start.column == 1 && unused[0].span.end.column == 63)
        // Turned off, nothing is reported.
        #expect(WorkflowRules.lint("<!-- copydesk-disable-line -->\n", unused: nil).isEmpty)
    }

    @Test func commentsInFencedCodeAreExamplesNotDirectives() {
        let f = WorkflowRules.lint("```\n<!-- copydesk-disable -->\n```\n\npromo code\n", path: "a.md")
        #expect(rules(f) == ["5:ads.promo-code"])
    }

    @Test func multibyteAndCRLF() {
        let f = WorkflowRules.lint("“Ünïcödé” 🎉 <!-- copydesk-disable-next-line -->\r\npromo code\r\nvote now\r\n", path: "a.txt")
        #expect(rules(f) == ["3:polls.vote"])
    }

    @Test func noDirectivesNoCost() {
        #expect(Suppressions.directives(in: Document(path: "a.md", string: "<!-- a comment -->\npromo code\n")).isEmpty)
        #expect(Suppressions.contains(Array("xx copydesk-".utf8), Array("copydesk-".utf8)))
        #expect(!Suppressions.contains(Array("copydesk".utf8), Array("copydesk-".utf8)))
    }
}
