/// A strict JSON reader for the request body (RFC 8259, UTF-8): enough to read one object whose
/// fields are strings or arrays of strings, and to tell invalid JSON from JSON of the wrong shape.
/// It replaces JSONSerialization, which built a Foundation object graph for every request (8 % of
/// the server's CPU in an earlier profile). Invalid UTF-8, lone surrogate escapes, control
/// characters in strings, bad numbers and trailing bytes are invalid JSON, as JSONSerialization
/// has them (`RequestJSONTests` gives both the same documents); so is nesting deeper than 512.
/// Like JSONSerialization, it lets a comma stand before a closing `}` or `]`.
enum RequestJSON {
    /// A value, as far as the request needs it: strings and arrays are kept; anything else
    /// (number, true, false, null, object) is only checked and reported as `.other`.
    enum Value: Equatable {
        case string(String)
        case array([Value])
        case other
    }

    struct Invalid: Error {}

    static let maxDepth = 512

    /// The top-level object's members (a repeated name: the last one wins), or nil when the
    /// document is valid JSON but not an object. Throws `Invalid` for anything that is not JSON.
    static func object(_ bytes: UnsafeBufferPointer<UInt8>) throws(Invalid) -> [String: Value]? {
        var p = Parser(bytes)
        // A UTF-8 byte order mark is allowed, as JSONSerialization allowed it.
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { p.i = 3 }
        p.skipSpace()
        var result: [String: Value]? = nil
        if p.peek == UInt8(ascii: "{") {
            result = try p.members(depth: 1)
        } else {
            _ = try p.value(depth: 0)
        }
        p.skipSpace()
        guard p.i == bytes.count else { throw Invalid() }
        return result
    }

    struct Parser {
        let b: UnsafeBufferPointer<UInt8>
        var i = 0
        init(_ b: UnsafeBufferPointer<UInt8>) { self.b = b }

        var peek: UInt8? { i < b.count ? b[i] : nil }

        mutating func skipSpace() {
            while i < b.count {
                switch b[i] {
                case 0x20, 0x09, 0x0A, 0x0D: i += 1
                default: return
                }
            }
        }

        mutating func expect(_ c: UInt8) throws(Invalid) {
            guard i < b.count, b[i] == c else { throw Invalid() }
            i += 1
        }

        mutating func value(depth: Int) throws(Invalid) -> Value {
            guard depth <= RequestJSON.maxDepth, let c = peek else { throw Invalid() }
            switch c {
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "{"): _ = try members(depth: depth + 1); return .other
            case UInt8(ascii: "["): return .array(try elements(depth: depth + 1))
            case UInt8(ascii: "t"): try literal("true"); return .other
            case UInt8(ascii: "f"): try literal("false"); return .other
            case UInt8(ascii: "n"): try literal("null"); return .other
            default: try number(); return .other
            }
        }

        /// `{ … }` from its opening brace.
        mutating func members(depth: Int) throws(Invalid) -> [String: Value] {
            guard depth <= RequestJSON.maxDepth else { throw Invalid() }
            try expect(UInt8(ascii: "{"))
            var out: [String: Value] = [:]
            skipSpace()
            if peek == UInt8(ascii: "}") { i += 1; return out }
            while true {
                skipSpace()
                guard peek == UInt8(ascii: "\"") else { throw Invalid() }
                let key = try string()
                skipSpace()
                try expect(UInt8(ascii: ":"))
                skipSpace()
                out[key] = try value(depth: depth)
                skipSpace()
                guard let c = peek else { throw Invalid() }
                i += 1
                if c == UInt8(ascii: "}") { return out }
                guard c == UInt8(ascii: ",") else { throw Invalid() }
                // One comma before the closing brace, as JSONSerialization allows it.
                skipSpace()
                if peek == UInt8(ascii: "}") { i += 1; return out }
            }
        }

        /// `[ … ]` from its opening bracket.
        mutating func elements(depth: Int) throws(Invalid) -> [Value] {
            guard depth <= RequestJSON.maxDepth else { throw Invalid() }
            try expect(UInt8(ascii: "["))
            var out: [Value] = []
            skipSpace()
            if peek == UInt8(ascii: "]") { i += 1; return out }
            while true {
                skipSpace()
                out.append(try value(depth: depth))
                skipSpace()
                guard let c = peek else { throw Invalid() }
                i += 1
                if c == UInt8(ascii: "]") { return out }
                guard c == UInt8(ascii: ",") else { throw Invalid() }
                // One comma before the closing bracket, as JSONSerialization allows it.
                skipSpace()
                if peek == UInt8(ascii: "]") { i += 1; return out }
            }
        }

        mutating func literal(_ word: StaticString) throws(Invalid) {
            let n = word.utf8CodeUnitCount
            guard b.count - i >= n else { throw Invalid() }
            let w = UnsafeBufferPointer(start: word.utf8Start, count: n)
            for k in 0..<n where b[i + k] != w[k] { throw Invalid() }
            i += n
        }

        /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
        mutating func number() throws(Invalid) {
            func digit(_ c: UInt8?) -> Bool { c.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }
            if peek == UInt8(ascii: "-") { i += 1 }
            guard digit(peek) else { throw Invalid() }
            if peek == 0x30 { i += 1 } else { while digit(peek) { i += 1 } }
            if peek == UInt8(ascii: ".") {
                i += 1
                guard digit(peek) else { throw Invalid() }
                while digit(peek) { i += 1 }
            }
            if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
                i += 1
                if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { i += 1 }
                guard digit(peek) else { throw Invalid() }
                while digit(peek) { i += 1 }
            }
        }

        /// A string from its opening quote: the bytes between the quotes when there is no escape
        /// (the common case), else decoded; UTF-8 checked either way.
        mutating func string() throws(Invalid) -> String {
            try expect(UInt8(ascii: "\""))
            let start = i
            while i < b.count {
                let c = b[i]
                if c == UInt8(ascii: "\"") {
                    guard let s = String(validating: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self) else { throw Invalid() }
                    i += 1
                    return s
                }
                if c == UInt8(ascii: "\\") { break }
                if c < 0x20 { throw Invalid() }
                i += 1
            }
            var out = Array(b[start..<i])
            while i < b.count {
                let c = b[i]
                i += 1
                switch c {
                case UInt8(ascii: "\""):
                    guard let s = String(validating: out, as: UTF8.self) else { throw Invalid() }
                    return s
                case UInt8(ascii: "\\"):
                    guard let e = peek else { throw Invalid() }
                    i += 1
                    switch e {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        var scalar = try hex4()
                        if scalar >= 0xD800 && scalar < 0xDC00 {
                            // A high surrogate: a low one must follow.
                            guard b.count - i >= 2, b[i] == UInt8(ascii: "\\"), b[i + 1] == UInt8(ascii: "u") else { throw Invalid() }
                            i += 2
                            let low = try hex4()
                            guard low >= 0xDC00 && low < 0xE000 else { throw Invalid() }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else if scalar >= 0xDC00 && scalar < 0xE000 {
                            throw Invalid()
                        }
                        guard let u = Unicode.Scalar(scalar) else { throw Invalid() }
                        out.append(contentsOf: UTF8.encode(u)!)
                    default: throw Invalid()
                    }
                default:
                    if c < 0x20 { throw Invalid() }
                    out.append(c)
                }
            }
            throw Invalid()
        }

        mutating func hex4() throws(Invalid) -> UInt32 {
            guard b.count - i >= 4 else { throw Invalid() }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let c = b[i]
                i += 1
                let d: UInt32
                switch c {
                case 0x30...0x39: d = UInt32(c - 0x30)
                case 0x41...0x46: d = UInt32(c - 0x41 + 10)
                case 0x61...0x66: d = UInt32(c - 0x61 + 10)
                default: throw Invalid()
                }
                v = v << 4 | d
            }
            return v
        }
    }
}
