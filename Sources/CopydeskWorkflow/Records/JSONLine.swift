/// One JSON Lines record, scanned without building a tree: the top-level object's members with
/// the byte range of each value in the line, every nested value checked but not kept. Records
/// mode reads a few fields and, when cleaning, splices a new value into the original bytes, so
/// every other byte of the line (key order, number formatting, escapes) stays as it was.
///
/// Strict JSON (RFC 8259): control characters in strings, trailing commas, single quotes,
/// comments, `NaN` and leading zeros are errors. A duplicate key: the last one counts (as in
/// Python's and JavaScript's parsers). Invalid UTF-8 inside strings is kept as it is (linted as
/// files are: shown as U+FFFD).
public struct JSONLine: Sendable {
    public enum Kind: String, Sendable { case string, number, object, array, boolean, null }

    public struct Member: Sendable {
        /// The key as written between its quotes (escapes not decoded).
        public var rawKey: Range<Int>
        /// The value's bytes in the line (for a string: with its quotes).
        public var value: Range<Int>
        public var kind: Kind
        /// Whether a string value has escapes (else its bytes between the quotes are the text).
        var escaped: Bool
    }

    public let bytes: [UInt8]
    public private(set) var members: [Member] = []

    /// A line that is not one JSON object: what is wrong and the 1-based byte column.
    public struct Malformed: Error, Sendable, Equatable {
        public var message: String
        public var column: Int
        public var description: String { "bad JSON at column \(column): \(message)" }
    }

    /// Scans `bytes` (one line, without its line break).
    public init(_ bytes: [UInt8]) throws(Malformed) {
        self.bytes = bytes
        var members: [Member] = []
        var failure: Malformed? = nil
        bytes.withUnsafeBufferPointer { buf in
            var s = Scanner(buf: buf)
            do throws(Malformed) {
                s.skipSpace()
                guard s.peek == UInt8(ascii: "{") else { throw s.fail(s.atEnd ? "empty line" : "a record must be a JSON object") }
                s.i += 1
                s.skipSpace()
                if s.peek == UInt8(ascii: "}") {
                    s.i += 1
                } else {
                    while true {
                        s.skipSpace()
                        guard s.peek == UInt8(ascii: "\"") else { throw s.fail("expected a key in double quotes") }
                        let keyStart = s.i
                        _ = try s.string()
                        let rawKey = (keyStart + 1)..<(s.i - 1)
                        s.skipSpace()
                        guard s.peek == UInt8(ascii: ":") else { throw s.fail("expected ':' after a key") }
                        s.i += 1
                        s.skipSpace()
                        let valueStart = s.i
                        let (kind, escaped) = try s.value(depth: 1)
                        members.append(Member(rawKey: rawKey, value: valueStart..<s.i, kind: kind, escaped: escaped))
                        s.skipSpace()
                        if s.peek == UInt8(ascii: ",") { s.i += 1; continue }
                        if s.peek == UInt8(ascii: "}") { s.i += 1; break }
                        throw s.fail("expected ',' or '}' after a value")
                    }
                }
                s.skipSpace()
                if !s.atEnd { throw s.fail("more after the object") }
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        self.members = members
    }

    /// The member named `key` (the last one when the key is repeated).
    public func member(_ key: String) -> Member? {
        let k = Array(key.utf8)
        var found: Member? = nil
        for m in members where m.rawKey.count == k.count || bytes[m.rawKey].contains(UInt8(ascii: "\\")) {
            if keyEquals(m.rawKey, k) { found = m }
        }
        return found
    }

    private func keyEquals(_ raw: Range<Int>, _ key: [UInt8]) -> Bool {
        if !bytes[raw].contains(UInt8(ascii: "\\")) { return bytes[raw].elementsEqual(key) }
        return JSONLine.decodeString(bytes, raw) == key
    }

    /// A string member's text as UTF-8 bytes (escapes decoded).
    public func text(_ m: Member) -> [UInt8] {
        let inner = (m.value.lowerBound + 1)..<(m.value.upperBound - 1)
        return m.escaped ? JSONLine.decodeString(bytes, inner) : Array(bytes[inner])
    }

    /// The value's bytes as written.
    public func raw(_ m: Member) -> ArraySlice<UInt8> { bytes[m.value] }

    /// The line with `m`'s value replaced by `newValue` (already JSON): every other byte kept.
    public func replacing(_ m: Member, with newValue: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count - m.value.count + newValue.count)
        out += bytes[..<m.value.lowerBound]
        out += newValue
        out += bytes[m.value.upperBound...]
        return out
    }

    // MARK: strings

    /// Decodes the escapes of a string's inner bytes (already checked by the scanner). A lone
    /// surrogate becomes U+FFFD.
    static func decodeString(_ b: [UInt8], _ r: Range<Int>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(r.count)
        var i = r.lowerBound
        func hex4(_ at: Int) -> UInt32? {
            guard at + 4 <= r.upperBound else { return nil }
            var v: UInt32 = 0
            for k in at..<(at + 4) {
                guard let d = hexValue(b[k]) else { return nil }
                v = v << 4 | UInt32(d)
            }
            return v
        }
        while i < r.upperBound {
            // Copy the run up to the next escape in one go.
            var j = i
            while j < r.upperBound && b[j] != UInt8(ascii: "\\") { j += 1 }
            if j > i { out.append(contentsOf: b[i..<j]); i = j; continue }
            let e = b[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                var scalar = hex4(i) ?? 0xFFFD
                i += 4
                if (0xD800..<0xDC00).contains(scalar) {
                    if i + 6 <= r.upperBound, b[i] == UInt8(ascii: "\\"), b[i + 1] == UInt8(ascii: "u"),
                       let low = hex4(i + 2), (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    } else {
                        scalar = 0xFFFD
                    }
                } else if (0xDC00..<0xE000).contains(scalar) {
                    scalar = 0xFFFD
                }
                appendUTF8(&out, scalar)
            default: out.append(e)   // \" \\ \/
            }
        }
        return out
    }

    static func appendUTF8(_ out: inout [UInt8], _ v: UInt32) {
        switch v {
        case 0..<0x80: out.append(UInt8(v))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | (v >> 6))); out.append(UInt8(0x80 | (v & 0x3F)))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | (v >> 12))); out.append(UInt8(0x80 | ((v >> 6) & 0x3F))); out.append(UInt8(0x80 | (v & 0x3F)))
        default:
            out.append(UInt8(0xF0 | (v >> 18))); out.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F))); out.append(UInt8(0x80 | (v & 0x3F)))
        }
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// `bytes` as a JSON string (quotes included): `"` `\` and control characters escaped, every
    /// other byte (UTF-8 included) as it is, `/` not escaped.
    public static func encodeString(_ bytes: some Collection<UInt8>, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for b in bytes {
            switch b {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\\")); out.append(b)
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(b)
            case 0x0A: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
            case 0x09: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
            case 0x0D: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
            case 0x08: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "b"))
            case 0x0C: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "f"))
            case 0..<0x20:
                out += Array("\\u00".utf8)
                out.append(JSONReporter.hexDigit(b >> 4))
                out.append(JSONReporter.hexDigit(b & 15))
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    public static func encodeString(_ s: String, into out: inout [UInt8]) {
        var s = s
        s.withUTF8 { encodeString($0, into: &out) }
    }
}

/// A cursor over one line; every method leaves `i` after what it read.
private struct Scanner {
    let buf: UnsafeBufferPointer<UInt8>
    var i = 0

    init(buf: UnsafeBufferPointer<UInt8>) { self.buf = buf }

    var atEnd: Bool { i >= buf.count }
    var peek: UInt8? { i < buf.count ? buf[i] : nil }

    func fail(_ message: String) -> JSONLine.Malformed {
        JSONLine.Malformed(message: atEnd && !message.hasPrefix("empty") ? message + " (the line ends)" : message, column: i + 1)
    }

    mutating func skipSpace() {
        while i < buf.count {
            switch buf[i] {
            case 0x20, 0x09, 0x0A, 0x0D: i += 1
            default: return
            }
        }
    }

    /// A value; returns its kind and, for a string, whether it has escapes.
    mutating func value(depth: Int) throws(JSONLine.Malformed) -> (JSONLine.Kind, Bool) {
        guard depth < 512 else { throw fail("nested more than 512 levels") }
        guard let c = peek else { throw fail("expected a value") }
        switch c {
        case UInt8(ascii: "\""): return (.string, try string())
        case UInt8(ascii: "{"):
            i += 1
            skipSpace()
            if peek == UInt8(ascii: "}") { i += 1; return (.object, false) }
            while true {
                skipSpace()
                guard peek == UInt8(ascii: "\"") else { throw fail("expected a key in double quotes") }
                _ = try string()
                skipSpace()
                guard peek == UInt8(ascii: ":") else { throw fail("expected ':' after a key") }
                i += 1
                skipSpace()
                _ = try value(depth: depth + 1)
                skipSpace()
                if peek == UInt8(ascii: ",") { i += 1; continue }
                if peek == UInt8(ascii: "}") { i += 1; return (.object, false) }
                throw fail("expected ',' or '}' after a value")
            }
        case UInt8(ascii: "["):
            i += 1
            skipSpace()
            if peek == UInt8(ascii: "]") { i += 1; return (.array, false) }
            while true {
                skipSpace()
                _ = try value(depth: depth + 1)
                skipSpace()
                if peek == UInt8(ascii: ",") { i += 1; continue }
                if peek == UInt8(ascii: "]") { i += 1; return (.array, false) }
                throw fail("expected ',' or ']' after a value")
            }
        case UInt8(ascii: "t"): try literal("true"); return (.boolean, false)
        case UInt8(ascii: "f"): try literal("false"); return (.boolean, false)
        case UInt8(ascii: "n"): try literal("null"); return (.null, false)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number(); return (.number, false)
        default: throw fail("unexpected character '\(Unicode.Scalar(c).escaped(asASCII: true))'")
        }
    }

    mutating func literal(_ word: StaticString) throws(JSONLine.Malformed) {
        let n = word.utf8CodeUnitCount
        guard i + n <= buf.count else { throw fail("unexpected word") }
        for k in 0..<n where buf[i + k] != word.utf8Start[k] { throw fail("unexpected word") }
        i += n
    }

    mutating func number() throws(JSONLine.Malformed) {
        func digit(_ c: UInt8?) -> Bool { c.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }
        if peek == UInt8(ascii: "-") { i += 1 }
        guard digit(peek) else { throw fail("bad number") }
        if peek == UInt8(ascii: "0") {
            i += 1
            if digit(peek) { throw fail("bad number (leading zero)") }
        } else {
            while digit(peek) { i += 1 }
        }
        if peek == UInt8(ascii: ".") {
            i += 1
            guard digit(peek) else { throw fail("bad number") }
            while digit(peek) { i += 1 }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            i += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { i += 1 }
            guard digit(peek) else { throw fail("bad number") }
            while digit(peek) { i += 1 }
        }
    }

    /// A string starting at its opening quote; returns whether it has escapes.
    mutating func string() throws(JSONLine.Malformed) -> Bool {
        i += 1
        var escaped = false
        while i < buf.count {
            let c = buf[i]
            if c == UInt8(ascii: "\"") { i += 1; return escaped }
            if c < 0x20 { throw fail("control character U+00\(String(c, radix: 16, uppercase: true).count == 1 ? "0" : "")\(String(c, radix: 16, uppercase: true)) in a string (write it escaped)") }
            if c == UInt8(ascii: "\\") {
                escaped = true
                guard i + 1 < buf.count else { i += 1; throw fail("unterminated string") }
                switch buf[i + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                     UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    i += 2
                case UInt8(ascii: "u"):
                    guard i + 6 <= buf.count else { i += 2; throw fail("bad \\u escape") }
                    for k in (i + 2)..<(i + 6) where JSONLine.hexValue(buf[k]) == nil { i = k; throw fail("bad \\u escape") }
                    i += 6
                default:
                    i += 1
                    throw fail("bad escape")
                }
                continue
            }
            i += 1
        }
        throw fail("unterminated string")
    }
}
