/// `title-line`: a standalone body line shaped like a headline — a recirculation headline dropped
/// into the article. Word count within bounds, most words capitalized (short function words aside),
/// no closing period, comma, semicolon or colon, not a lone quotation. Optional `patterns` must
/// also match; `exceptions` drop the line. The finding spans the whole line.
enum TitleLineCheck {
    static let smallWords: Set<String> = [
        "a", "an", "the", "and", "of", "in", "on", "at", "to", "for", "with", "by", "or", "but", "from",
        "as", "nor", "vs", "via", "into", "onto", "over", "per", "up", "off", "out", "is", "are", "be",
    ]

    static func run(_ rule: Rule, _ ctx: CheckContext, into out: inout [RawMatch]) throws(MatchLimitError) {
        let text = ctx.document.text
        for line in ctx.document.standaloneLines where looksLikeHeadline(text, line, rule.titleLine, ctx.document) {
            if !rule.patterns.isEmpty, !(try ctx.anyMatch(rule.patterns, in: line)) { continue }
            if try ctx.anyMatch(rule.exceptions, in: line) { continue }
            out.append(RawMatch(rule: rule, range: line, groups: []))
        }
    }

    static func looksLikeHeadline(_ t: [UInt8], _ line: Range<Int>, _ opts: TitleLineOptions, _ doc: Document) -> Bool {
        guard !line.isEmpty, line.count <= 300 else { return false }
        // Last character that is not a closing quote.
        var e = line.upperBound - 1
        while e > line.lowerBound && (t[e] == UInt8(ascii: "'") || t[e] == UInt8(ascii: "\"") || (t[e] >= 0x80 && t[e] <= 0xBF) || t[e] >= 0xE2) {
            if t[e] == UInt8(ascii: "'") || t[e] == UInt8(ascii: "\"") { e -= 1; continue }
            // Step back over a multi-byte ” or ’.
            if e >= line.lowerBound + 2 && t[e - 2] == 0xE2 && t[e - 1] == 0x80 && (t[e] == 0x9D || t[e] == 0x99) { e -= 3; continue }
            break
        }
        let last = t[e]
        if last == UInt8(ascii: ".") || last == UInt8(ascii: ",") || last == UInt8(ascii: ";") || last == UInt8(ascii: ":") { return false }
        // A line that is one quotation is speech, not a headline.
        if let q = doc.quotes.first(where: { $0.lowerBound <= line.lowerBound && $0.upperBound >= line.upperBound }), q.lowerBound == line.lowerBound { return false }

        var words = 0, counted = 0, capitalized = 0
        var i = line.lowerBound
        let end = line.upperBound
        t.withUnsafeBufferPointer { buf in
            let p = buf.baseAddress!
            while i < end {
                while i < end && (p[i] == 0x20 || p[i] == 0x09) { i += 1 }
                if i >= end { break }
                let ws = i
                while i < end && p[i] != 0x20 && p[i] != 0x09 { i += 1 }
                // First letter or digit of the token.
                var k = ws
                var first: Unicode.Scalar? = nil
                var lowerWord = ""
                while k < i {
                    let (sc, n) = UTF8Scan.decode(p, k, i)
                    k += n
                    guard let sc else { continue }
                    if sc.properties.isAlphabetic || sc.properties.numericType != nil {
                        if first == nil { first = sc }
                        lowerWord.unicodeScalars.append(contentsOf: sc.properties.lowercaseMapping.unicodeScalars)
                    } else if first != nil && sc != "'" && sc != "’" && sc != "-" {
                        break
                    }
                }
                guard let f = first else { continue }
                words += 1
                let isCap = f.properties.isUppercase || f.properties.numericType != nil || !f.properties.isLowercase && !f.properties.isUppercase && f.properties.isAlphabetic
                if words > 1 && !isCap && smallWords.contains(lowerWord) { continue }
                counted += 1
                if isCap { capitalized += 1 }
            }
        }
        guard words >= opts.minWords, words <= opts.maxWords, counted > 0 else { return false }
        return Double(capitalized) / Double(counted) >= opts.minCapitalized
    }
}
