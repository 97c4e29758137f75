#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte-level UTF-8 stepping that tolerates invalid input: an invalid byte counts as one scalar.
public enum UTF8Scan {
    /// Length of the valid UTF-8 sequence starting at `i` (1...4), or 1 for an invalid byte.
    @inline(__always)
    public static func sequenceLength(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> Int {
        let b0 = p[i]
        if b0 < 0x80 { return 1 }
        let need: Int
        var lo: UInt8 = 0x80, hi: UInt8 = 0xBF
        switch b0 {
        case 0xC2...0xDF: need = 1
        case 0xE0: need = 2; lo = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: need = 2
        case 0xED: need = 2; hi = 0x9F
        case 0xF0: need = 3; lo = 0x90
        case 0xF1...0xF3: need = 3
        case 0xF4: need = 3; hi = 0x8F
        default: return 1
        }
        if i + need >= end { return 1 }
        let b1 = p[i + 1]
        if b1 < lo || b1 > hi { return 1 }
        var k = 2
        while k <= need {
            let b = p[i + k]
            if b < 0x80 || b > 0xBF { return 1 }
            k += 1
        }
        return need + 1
    }

    public static func sequenceLength(_ bytes: [UInt8], _ i: Int) -> Int {
        bytes.withUnsafeBufferPointer { sequenceLength($0.baseAddress!, i, $0.count) }
    }

    /// Decodes the scalar at `i` (nil for an invalid byte) and its length.
    public static func decode(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> (Unicode.Scalar?, Int) {
        let n = sequenceLength(p, i, end)
        let b0 = UInt32(p[i])
        switch n {
        case 1: return b0 < 0x80 ? (Unicode.Scalar(b0), 1) : (nil, 1)
        case 2: return (Unicode.Scalar(((b0 & 0x1F) << 6) | (UInt32(p[i + 1]) & 0x3F)), 2)
        case 3: return (Unicode.Scalar(((b0 & 0x0F) << 12) | ((UInt32(p[i + 1]) & 0x3F) << 6) | (UInt32(p[i + 2]) & 0x3F)), 3)
        default:
            return (Unicode.Scalar(((b0 & 0x07) << 18) | ((UInt32(p[i + 1]) & 0x3F) << 12) | ((UInt32(p[i + 2]) & 0x3F) << 6) | (UInt32(p[i + 3]) & 0x3F)), 4)
        }
    }

    /// Number of scalars in `range` (an invalid byte counts as one).
    public static func scalarCount(_ p: UnsafePointer<UInt8>, _ range: Range<Int>) -> Int {
        var i = range.lowerBound, n = 0
        while i < range.upperBound {
            i += sequenceLength(p, i, range.upperBound)
            n += 1
        }
        return n
    }

    /// Index of the first byte in `from..<end` equal to `a`, `b`, `c` or `d` (repeat one to look
    /// for fewer), or `end`. Sixteen bytes at a time: most text has none of the bytes scanners
    /// look for (line breaks, sentence marks, quotes) in most places.
    @inline(__always)
    static func firstIndex(_ p: UnsafePointer<UInt8>, _ from: Int, _ end: Int, _ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) -> Int {
        var i = from
        let va = SIMD16<UInt8>(repeating: a), vb = SIMD16<UInt8>(repeating: b)
        let vc = SIMD16<UInt8>(repeating: c), vd = SIMD16<UInt8>(repeating: d)
        while i + 16 <= end {
            let v = UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<UInt8>.self)
            if any((v .== va) .| (v .== vb) .| (v .== vc) .| (v .== vd)) { break }
            i += 16
        }
        while i < end {
            let x = p[i]
            if x == a || x == b || x == c || x == d { return i }
            i += 1
        }
        return end
    }

    /// Whether `byte` occurs in `range` of `p`.
    @inline(__always)
    public static func contains(_ p: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ byte: UInt8) -> Bool {
        guard let base = p.baseAddress, !range.isEmpty else { return false }
        return memchr(base + range.lowerBound, Int32(byte), range.count) != nil
    }

    /// A String for display: invalid bytes become U+FFFD.
    public static func string(_ bytes: some Collection<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}
