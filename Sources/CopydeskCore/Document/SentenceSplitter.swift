/// Splits a paragraph into sentences. It knows abbreviations (U.S., Dr., Jan., No. 10), initials,
/// decimals, ellipses inside a sentence, and closing quotes after the final mark.
public enum SentenceSplitter {
    static let abbreviations: Set<String> = [
        "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "ft", "messrs", "mmes",
        "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
        "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
        "vs", "v", "inc", "ltd", "co", "corp", "llc", "plc", "bros", "assn", "dept", "univ",
        "gov", "govt", "sen", "rep", "reps", "gen", "col", "lt", "sgt", "capt", "cmdr", "adm", "maj", "cpl", "pvt",
        "rev", "hon", "pres", "supt", "atty", "gens", "ave", "blvd", "rd",
        "approx", "est", "fig", "figs", "vol", "vols", "ed", "eds", "al", "cf", "ca", "pp", "op", "ch",
    ]
    /// Abbreviations that only count before a number ("No. 10", "p. 5").
    static let beforeNumber: Set<String> = ["no", "nos", "p", "art", "sec", "para"]

    public static func split(_ t: [UInt8], _ range: Range<Int>) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var start = range.lowerBound
        var i = range.lowerBound
        let end = range.upperBound
        t.withUnsafeBufferPointer { buf in
            let p = buf.baseAddress!
            while i < end {
                // Straight to the next . ! ? or the first byte of … (E2 80 A6).
                i = UTF8Scan.firstIndex(p, i, end, UInt8(ascii: "."), UInt8(ascii: "!"), UInt8(ascii: "?"), 0xE2)
                guard i < end else { break }
                let c = p[i]
                var isEnd = false
                var markLen = 1
                if c == UInt8(ascii: ".") || c == UInt8(ascii: "!") || c == UInt8(ascii: "?") {
                    isEnd = true
                } else if c == 0xE2 && i + 2 < end && p[i + 1] == 0x80 && p[i + 2] == 0xA6 { // …
                    isEnd = true; markLen = 3
                }
                if !isEnd { i += 1; continue }
                // Take the whole run of end marks.
                var j = i + markLen
                while j < end && (p[j] == UInt8(ascii: ".") || p[j] == UInt8(ascii: "!") || p[j] == UInt8(ascii: "?")) { j += 1 }
                // Closing quotes and brackets belong to the sentence.
                while j < end {
                    if p[j] == UInt8(ascii: "\"") || p[j] == UInt8(ascii: "'") || p[j] == UInt8(ascii: ")") || p[j] == UInt8(ascii: "]") { j += 1; continue }
                    if p[j] == 0xE2 && j + 2 < end && p[j + 1] == 0x80 && (p[j + 2] == 0x9D || p[j + 2] == 0x99) { j += 3; continue } // ” ’
                    break
                }
                // Must be followed by whitespace (or the end).
                var k = j
                while k < end && (p[k] == 0x20 || p[k] == 0x09 || p[k] == 0x0A || (p[k] == 0xC2 && k + 1 < end && p[k + 1] == 0xA0)) {
                    k += p[k] == 0xC2 ? 2 : 1
                }
                if k == j && j < end { i = j; continue }
                if k >= end { break }
                if c == UInt8(ascii: ".") && j == i + 1 && isAbbreviation(p, start, i, next: p[k]) { i = j; continue }
                // The next sentence must not start with a lowercase letter.
                let n = p[k]
                if n >= UInt8(ascii: "a") && n <= UInt8(ascii: "z") { i = j; continue }
                let s = trimmed(t, start..<j)
                if !s.isEmpty { result.append(s) }
                start = k
                i = k
            }
        }
        let s = trimmed(t, start..<end)
        if !s.isEmpty { result.append(s) }
        return result
    }

    /// The abbreviation lists packed into numbers (each word is at most 8 ASCII letters), so the
    /// check at every period needs no String.
    /// (Sorted, searched by bisection: cheaper than hashing at every period.)
    static let packedAbbreviations: [UInt64] = Set(abbreviations.compactMap { pack($0.utf8) }).sorted()
    static let packedBeforeNumber: [UInt64] = Set(beforeNumber.compactMap { pack($0.utf8) }).sorted()

    /// Whether the sorted `list` holds `key`.
    @inline(__always) static func sortedContains(_ list: [UInt64], _ key: UInt64) -> Bool {
        list.withUnsafeBufferPointer { l in
            var lo = 0, hi = l.count
            while lo < hi {
                let mid = (lo &+ hi) >> 1
                if l[mid] < key { lo = mid &+ 1 } else { hi = mid }
            }
            return lo < l.count && l[lo] == key
        }
    }

    static func pack(_ bytes: some Collection<UInt8>) -> UInt64? {
        guard bytes.count <= 8 else { return nil }
        var v: UInt64 = 0
        for b in bytes { v = v << 8 | UInt64(b) }
        return v
    }

    /// Whether the word ending just before the period at `dot` is an abbreviation or an initial.
    static func isAbbreviation(_ p: UnsafePointer<UInt8>, _ floor: Int, _ dot: Int, next: UInt8) -> Bool {
        var w = dot
        while w > floor {
            let b = p[w - 1]
            if b == 0x20 || b == 0x09 || b == 0x0A || b == UInt8(ascii: "(") || b == UInt8(ascii: "\"") || b == UInt8(ascii: "[") { break }
            w -= 1
        }
        guard w < dot else { return false }
        // The word lowercased (ASCII only: any other byte means no abbreviation), whether it has
        // inner periods, its letters, and whether every period-separated part is one character.
        var packed: UInt64 = 0
        var length = 0, letters = 0
        var hasInnerDot = false
        var partLength = 0, partsOfOne = true
        for k in w..<dot {
            let b = p[k]
            if b >= 0x80 { return false }
            if b == UInt8(ascii: ".") {
                hasInnerDot = true
                if partLength > 1 { partsOfOne = false }
                partLength = 0
            } else {
                partLength += 1
            }
            let lower = (b >= 0x41 && b <= 0x5A) ? b + 0x20 : b
            if lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z") { letters += 1 }
            if length < 8 { packed = packed << 8 | UInt64(lower) }
            length += 1
        }
        if partLength > 1 { partsOfOne = false }
        // U.S. / e.g. / a.m. : letters separated by periods (empty parts between periods do not count).
        if hasInnerDot && letters <= 4 && partsOfOne { return true }
        // A single capital letter: an initial (J. K. Rowling).
        if dot - w == 1, p[w] >= 0x41, p[w] <= 0x5A { return true }
        guard length <= 8 else { return false }
        if sortedContains(packedAbbreviations, packed) { return true }
        if next >= 0x30 && next <= 0x39 && sortedContains(packedBeforeNumber, packed) { return true }
        return false
    }
}

/// Finds quoted passages: straight and curly double quotes, guillemets, and single quotes when
/// they are clearly quote marks (not apostrophes). Quotation state does not cross a line break
/// unless the quote demonstrably continues: a double quote open at a line break runs on only to a
/// closing mark later in the range (a quote hard-wrapped over lines); one never closed ends with
/// its line, and an opening mark after the break starts a new quote. Single quotes never cross a
/// line break. So a line with a stray opening mark (a headline run into its lede, a cut quote)
/// does not mute the lines after it.
public enum QuoteFinder {
    public static func find(_ t: [UInt8], _ range: Range<Int>) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var doubleOpen: Int? = nil
        var singleOpen: Int? = nil
        var i = range.lowerBound
        let end = range.upperBound
        // The last line break before `scanned` (line breaks are looked for only while a quote is open).
        var scanned = range.lowerBound
        var lastBreak = Int.min
        func letterAt(_ k: Int) -> Bool {
            guard k >= range.lowerBound && k < end else { return false }
            let b = t[k]
            return isASCIIAlnum(b) || b >= 0x80
        }
        func spaceOrStartBefore(_ k: Int) -> Bool {
            if k <= range.lowerBound { return true }
            let b = t[k - 1]
            return b == 0x20 || b == 0x09 || b == 0x0A || b == UInt8(ascii: "(") || b == UInt8(ascii: "[") || b == 0xA0 || b == 0x94
        }
        /// End of the line holding `k` (its line break or the range's end).
        func lineEnd(_ k: Int) -> Int {
            t.withUnsafeBufferPointer { UTF8Scan.firstIndex($0.baseAddress!, k, end, 0x0A, 0x0A, 0x0A, 0x0A) }
        }
        while i < end {
            // Straight to the next byte that can be (or start) a quotation mark: " ' E2 (curly) C2 («»).
            i = t.withUnsafeBufferPointer { UTF8Scan.firstIndex($0.baseAddress!, i, end, UInt8(ascii: "\""), UInt8(ascii: "'"), 0xE2, 0xC2) }
            guard i < end else { break }
            let c = t[i]
            var len = 1
            var kind = 0 // 1 straight double, 2 open double, 3 close double, 4 straight single, 5 open single, 6 close single
            if c == UInt8(ascii: "\"") { kind = 1 }
            else if c == UInt8(ascii: "'") { kind = 4 }
            else if c == 0xE2 && i + 2 < end && t[i + 1] == 0x80 {
                switch t[i + 2] {
                case 0x9C, 0x9E: kind = 2; len = 3       // “ „
                case 0x9D: kind = 3; len = 3             // ”
                case 0x98: kind = 5; len = 3             // ‘
                case 0x99: kind = 6; len = 3             // ’
                default: break
                }
            } else if c == 0xC2 && i + 1 < end && (t[i + 1] == 0xAB || t[i + 1] == 0xBB) {
                kind = t[i + 1] == 0xAB ? 2 : 3; len = 2 // « »
            }
            if kind == 0 { i += len; continue }
            // Line breaks between the open quote and this mark.
            if doubleOpen != nil || singleOpen != nil {
                while scanned < i {
                    scanned = t.withUnsafeBufferPointer { UTF8Scan.firstIndex($0.baseAddress!, scanned, i, 0x0A, 0x0A, 0x0A, 0x0A) }
                    if scanned < i { lastBreak = scanned; scanned += 1 }
                }
            } else {
                scanned = i
            }
            if let o = singleOpen, lastBreak > o { singleOpen = nil }
            if let o = doubleOpen, lastBreak > o {
                // A new opening mark after the break starts a new quote; the old one ends with its line.
                let reopens = kind == 2 || (kind == 1 && spaceOrStartBefore(i) && letterAt(i + 1))
                if reopens {
                    result.append(o..<lineEnd(o))
                    doubleOpen = nil
                    singleOpen = nil
                }
            }
            switch kind {
            case 1:
                if let o = doubleOpen { result.append(o..<(i + 1)); doubleOpen = nil; singleOpen = nil }
                else { doubleOpen = i }
            case 2:
                if doubleOpen == nil { doubleOpen = i; singleOpen = nil }
            case 3:
                if let o = doubleOpen { result.append(o..<(i + len)); doubleOpen = nil; singleOpen = nil }
            case 4, 5, 6:
                if doubleOpen != nil { break }
                let opens = (kind == 5 || kind == 4) && spaceOrStartBefore(i) && letterAt(i + len)
                let closes = (kind == 6 || kind == 4) && singleOpen != nil && !letterAt(i + len) && i > range.lowerBound && !(t[i - 1] == 0x20)
                if closes, let o = singleOpen { result.append(o..<(i + len)); singleOpen = nil }
                else if opens && singleOpen == nil { singleOpen = i }
            default: break
            }
            i += len
        }
        // Never closed: the quote ends with its line.
        if let o = doubleOpen { result.append(o..<lineEnd(o)) }
        return result.sorted { $0.lowerBound < $1.lowerBound }
    }
}
