import Testing
@testable import CopydeskCore

func texts(_ doc: Document, _ ranges: [Range<Int>]) -> [String] { ranges.map { String(decoding: doc.text[$0], as: UTF8.self) } }
func text(_ doc: Document, _ range: Range<Int>?) -> String? { range.map { String(decoding: doc.text[$0], as: UTF8.self) } }

@Suite("Line index")
struct LineIndexTests {
    @Test func allLineEndings() {
        let bytes = Array("a\nb\r\nc\rd".utf8)
        let idx = LineIndex(bytes)
        #expect(idx.lineCount == 4)
        #expect(idx.position(of: 0, in: bytes) == SourcePosition(line: 1, column: 1, offset: 0))
        #expect(idx.position(of: 2, in: bytes).line == 2)
        #expect(idx.position(of: 5, in: bytes) == SourcePosition(line: 3, column: 1, offset: 5))
        #expect(idx.position(of: 7, in: bytes) == SourcePosition(line: 4, column: 1, offset: 7))
        #expect(idx.position(of: 8, in: bytes) == SourcePosition(line: 4, column: 2, offset: 8))
    }

    @Test func columnsCountScalars() {
        let s = "“Hi” 🎉 é x"
        let bytes = Array(s.utf8)
        let idx = LineIndex(bytes)
        let x = bytes.count - 1
        #expect(idx.position(of: x, in: bytes).column == 10)
    }

    @Test func invalidBytesCountAsOneColumnEach() {
        let bytes: [UInt8] = [0xFF, 0xC0, 0xAF, UInt8(ascii: "x")]
        #expect(LineIndex(bytes).position(of: 3, in: bytes).column == 4)
    }

    @Test func endOfFileWithoutNewline() {
        let bytes = Array("ab\ncd".utf8)
        #expect(LineIndex(bytes).position(of: 5, in: bytes) == SourcePosition(line: 2, column: 3, offset: 5))
    }
}

@Suite("Documents")
struct DocumentTests {
    @Test func yamlFrontMatterTitleIsTheHeadline() {
        let doc = Document(path: "a.md", string: "---\nauthor: Jo\ntitle: \"You Won't \\\"Believe\\\" This\"\ndate: 2024\n---\n\nBody line.\n")
        #expect(text(doc, doc.headline) == "You Won't \"Believe\" This")
        #expect(texts(doc, doc.paragraphs) == ["Body line."])
        // The headline maps back to the source bytes of the title value.
        let src = doc.sourceRange(ofText: doc.headline!)
        #expect(String(decoding: doc.source[src], as: UTF8.self) == "You Won't \\\"Believe\\\" This")
    }

    @Test func tomlFrontMatterAndSingleQuotes() {
        let doc = Document(path: "a.md", string: "+++\ntitle = 'It''s Here'\n+++\nText.\n")
        #expect(text(doc, doc.headline) == "It's Here")
        let yaml = Document(path: "b.md", string: "---\ntitle: Plain title # comment\ntags: [promo code]\n---\nText.\n")
        #expect(text(yaml, yaml.headline) == "Plain title")
        #expect(!yaml.text.containsSequence(Array("promo code".utf8)))
    }

    @Test func firstH1WhenNoFrontMatterTitle() {
        let doc = Document(path: "a.md", string: "Intro para.\n\n# The Title\n\n## Section\n\nBody.\n")
        #expect(text(doc, doc.headline) == "The Title")
        #expect(texts(doc, doc.headings) == ["The Title", "Section"])
        #expect(texts(doc, doc.paragraphs) == ["Intro para.", "Body."])
    }

    @Test func setextHeadings() {
        let doc = Document(path: "a.md", string: "Big Title\n=========\n\nSub\n---\n\nBody.\n")
        #expect(text(doc, doc.headline) == "Big Title")
        #expect(texts(doc, doc.headings) == ["Big Title", "Sub"])
    }

    @Test func plainTextTitleHeuristic() {
        let titled = Document(path: "a.txt", string: "Senate Passes the Budget\n\nThe Senate voted on Tuesday.\n")
        #expect(text(titled, titled.headline) == "Senate Passes the Budget")
        #expect(texts(titled, titled.paragraphs) == ["The Senate voted on Tuesday."])
        // A first line that ends with a period is the lede, not a title.
        let lede = Document(path: "a.txt", string: "The Senate voted on Tuesday.\n\nMore text.\n")
        #expect(lede.headline == nil)
        // A first line that runs on into the next line is not a title.
        let para = Document(path: "a.txt", string: "Short line that\ncontinues here.\n")
        #expect(para.headline == nil)
        // A title line over a single newline is (the same article with its blank lines removed).
        let single = Document(path: "a.txt", string: "Senate Passes the Budget\nThe Senate voted on Tuesday.\n")
        #expect(text(single, single.headline) == "Senate Passes the Budget")
        #expect(Document(path: "a.txt", string: "Title\n\nBody.\n", headline: .none).headline == nil)
        let first = Document(path: "a.txt", string: "A long lede sentence.\n\nBody.\n", headline: .firstLine)
        #expect(text(first, first.headline) == "A long lede sentence.")
    }

    @Test func skipsCodeCommentsAndLinkURLs() {
        let md = """
        Intro with [a link](https://example.com/promo-code) and <!-- hidden promo code --> text.

        ```
        promo code in fenced code
        ```

            promo code in indented code

        Inline `promo code` here and ![image alt](x.png) and https://shop.example/promo end.

        [ref]: https://example.com/promo
        """
        let doc = Document(path: "a.md", string: md)
        let all = String(decoding: doc.text, as: UTF8.self)
        #expect(!all.contains("promo"))
        #expect(texts(doc, doc.paragraphs) == ["Intro with a link and  text.", "Inline  here and  and  end."])
    }

    @Test func plainTextDropsCommentsAndURLsButKeepsEverythingElse() {
        let doc = Document(path: "a.txt", string: "Read <!-- x\ny --> more at https://a.example/b.\n\n    indented text stays\n", headline: .none)
        // "Read" (a capitalized word) does not run on into the next line.
        #expect(texts(doc, doc.paragraphs) == ["Read", "more at .", "indented text stays"])
        #expect(texts(doc, doc.lines) == ["Read", "more at .", "indented text stays"])
    }

    @Test func emphasisListsAndQuotesAreUnwrapped() {
        let doc = Document(path: "a.md", string: "- **Advertisement**\n- item two\n\n> Quoted line\n> continues here.\n")
        #expect(texts(doc, doc.paragraphs) == ["Advertisement", "item two", "Quoted line\ncontinues here."])
        #expect(texts(doc, doc.standaloneLines) == ["Advertisement", "item two"])
        #expect(texts(doc, doc.lines) == ["Advertisement", "item two", "Quoted line", "continues here."])
    }

    @Test func bomAndLineEndingsMapBackToSource() {
        let s = "\u{FEFF}First para.\r\n\r\nSecond para\rline.\r\n"
        let doc = Document(path: "a.txt", string: s, headline: .none)
        #expect(texts(doc, doc.paragraphs) == ["First para.", "Second para\nline."])
        let second = doc.paragraphs[1]
        let src = doc.sourceRange(ofText: second)
        #expect(String(decoding: doc.source[src], as: UTF8.self) == "Second para\rline.")
    }

    @Test func standaloneLines() {
        // A line that ends a sentence ends its paragraph, blank line or not; one that runs on
        // mid-sentence into a lowercase line does not.
        let doc = Document(path: "a.txt", string: "One.\n\nTwo a.\nTwo b.\n\nThree, which\nruns on.", headline: .none)
        #expect(texts(doc, doc.standaloneLines) == ["One.", "Two a.", "Two b."])
        #expect(texts(doc, doc.paragraphs) == ["One.", "Two a.", "Two b.", "Three, which\nruns on."])
        #expect(texts(doc, doc.lines) == ["One.", "Two a.", "Two b.", "Three, which", "runs on."])
    }

    @Test func invalidUTF8IsReadNotRejected() {
        var bytes = Array("Title\n\nAd ".utf8)
        bytes += [0xFF, 0xFE, 0xC3]
        bytes += Array(" promo.\n".utf8)
        let doc = Document(path: "a.txt", bytes: bytes)
        #expect(doc.paragraphs.count == 1)
        #expect(doc.sourceRange(ofText: doc.paragraphs[0]).upperBound == bytes.count - 1)
    }
}

@Suite("Sentences and quotes")
struct SentenceTests {
    func split(_ s: String) -> [String] {
        let b = Array(s.utf8)
        return SentenceSplitter.split(b, 0..<b.count).map { String(decoding: b[$0], as: UTF8.self) }
    }

    @Test func abbreviationsDoNotEndSentences() {
        #expect(split("The U.S. Army and Dr. Smith met on Jan. 5 at No. 10 Downing St. in London. It rained.")
                == ["The U.S. Army and Dr. Smith met on Jan. 5 at No. 10 Downing St. in London.", "It rained."])
        #expect(split("J. K. Rowling wrote it. Mr. Jones agreed!") == ["J. K. Rowling wrote it.", "Mr. Jones agreed!"])
    }

    @Test func endsAtMarksAndClosingQuotes() {
        #expect(split("He left. “Why?” she asked. Prices rose 3.5 percent… Then fell.")
                == ["He left.", "“Why?” she asked.", "Prices rose 3.5 percent…", "Then fell."])
        #expect(split("It was \"over.\" The end") == ["It was \"over.\"", "The end"])
        #expect(split("e.g. this one continues. Next") == ["e.g. this one continues.", "Next"])
    }

    @Test func lowercaseAfterPeriodDoesNotSplit() {
        #expect(split("Pay 5 p.m. today. ok then") == ["Pay 5 p.m. today. ok then"])
    }

    func quotes(_ s: String) -> [String] {
        let b = Array(s.utf8)
        return QuoteFinder.find(b, 0..<b.count).map { String(decoding: b[$0], as: UTF8.self) }
    }

    @Test func straightCurlyAndSingleQuotes() {
        #expect(quotes("He said \"go now\" and “stay here” then.") == ["\"go now\"", "“stay here”"])
        #expect(quotes("Musk Called This News 'Terrifying' today") == ["'Terrifying'"])
        #expect(quotes("It’s Bukele’s plan and the dogs' bowls.") == [])
        #expect(quotes("She said ‘never’ twice.") == ["‘never’"])
    }

    @Test func unclosedDoubleQuoteRunsToTheEnd() {
        #expect(quotes("“This continues into the next paragraph") == ["“This continues into the next paragraph"])
    }

    @Test func documentQuoteLookup() {
        let doc = Document(path: "a.txt", string: "“Reports indicate nothing,” he said. Reports indicate more.", headline: .none)
        let t = doc.text
        let first = 3, second = t.count - "Reports indicate more.".utf8.count
        #expect(doc.isQuoted(first))
        #expect(!doc.isQuoted(second))
    }
}

extension Array where Element == UInt8 {
    func containsSequence(_ needle: [UInt8]) -> Bool {
        guard needle.count <= count else { return false }
        for i in 0...(count - needle.count) where self[i..<(i + needle.count)].elementsEqual(needle) { return true }
        return false
    }
}
