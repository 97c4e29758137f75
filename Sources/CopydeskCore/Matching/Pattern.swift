// The only folder that imports the C library. Everything else sees byte ranges.
import CPCRE2
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A PCRE2 compile error: PCRE2's own message and the offset in the pattern where it stopped.
public struct PatternCompileError: Error, Sendable, Equatable, CustomStringConvertible {
    public let pattern: String
    public let message: String
    /// Byte offset into the pattern (UTF-8) reported by PCRE2.
    public let offset: Int
    public var description: String { "\(message) at offset \(offset) in pattern '\(pattern)'" }
}

/// A match that could not complete because a resource limit was hit (catastrophic backtracking).
public struct MatchLimitError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Limit: String, Sendable {
        case match = "match limit", heap = "heap limit", depth = "depth limit", time = "time limit", other = "matching error"
    }
    public let limit: Limit
    public let message: String
    public var description: String { "\(limit.rawValue) exceeded (\(message))" }
}

/// One match: the whole match and its capture groups as byte ranges of the searched buffer.
/// A group that did not take part in the match is `nil`.
public struct PatternMatch: Sendable, Equatable {
    public var range: Range<Int>
    public var groups: [Range<Int>?]
}

/// Limits that bound every match. Sized for articles: a normal rule needs a few thousand steps
/// on a long paragraph; a catastrophic one is stopped after `matchLimit` steps (milliseconds).
public struct MatchLimits: Sendable, Equatable {
    public var matchLimit: UInt32
    public var depthLimit: UInt32
    /// Heap limit for the interpreter, in KiB.
    public var heapLimitKiB: UInt32
    /// Time one rule may spend on one document: `ruleSeconds` plus `ruleSecondsPerMiB` for each
    /// MiB of text. The match limit bounds one match; this bounds the sum, so a pattern that
    /// stays just under the match limit in each of thousands of units still stops.
    public var ruleSeconds: Double
    public var ruleSecondsPerMiB: Double
    public init(matchLimit: UInt32 = 1_000_000, depthLimit: UInt32 = 100_000, heapLimitKiB: UInt32 = 20_000,
                ruleSeconds: Double = 2, ruleSecondsPerMiB: Double = 1) {
        self.matchLimit = matchLimit
        self.depthLimit = depthLimit
        self.heapLimitKiB = heapLimitKiB
        self.ruleSeconds = ruleSeconds
        self.ruleSecondsPerMiB = ruleSecondsPerMiB
    }
    public static let `default` = MatchLimits()
}

/// A compiled, JIT-compiled PCRE2 pattern. Immutable after init and shared read-only across
/// threads; all per-match state lives in a `MatchScratch` owned by one thread.
public final class Pattern: @unchecked Sendable {
    public let source: String
    public let caseSensitive: Bool
    public let captureCount: Int
    public let isJITCompiled: Bool
    let code: OpaquePointer

    /// Compiles with UTF, UCP and MATCH_INVALID_UTF (invalid UTF-8 input is safe and no per-call
    /// UTF check is made), caseless unless `caseSensitive`.
    public init(_ source: String, caseSensitive: Bool = false) throws(PatternCompileError) {
        self.source = source
        self.caseSensitive = caseSensitive
        var options: UInt32 = UInt32(PCRE2_UTF) | UInt32(PCRE2_UCP) | UInt32(PCRE2_MATCH_INVALID_UTF)
        if !caseSensitive { options |= UInt32(PCRE2_CASELESS) }
        var errorCode: Int32 = 0
        var errorOffset: Int = 0
        let bytes = Array(source.utf8)
        let compiled: OpaquePointer? = bytes.withUnsafeBufferPointer { buf in
            // A non-nil pointer even for the empty pattern.
            let base = buf.baseAddress ?? UnsafePointer(bitPattern: 1)!
            return pcre2_compile_8(base, buf.count, options, &errorCode, &errorOffset, nil)
        }
        guard let compiled else {
            throw PatternCompileError(pattern: source, message: Pattern.errorMessage(errorCode), offset: errorOffset)
        }
        code = compiled
        var count: UInt32 = 0
        _ = pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_CAPTURECOUNT), &count)
        captureCount = Int(count)
        isJITCompiled = pcre2_jit_compile_8(compiled, UInt32(PCRE2_JIT_COMPLETE)) == 0
    }

    deinit { pcre2_code_free_8(code) }

    /// Whether the pattern can match an empty string (PCRE2's minimum length is 0).
    public var canMatchEmpty: Bool {
        var minLength: UInt32 = 0
        _ = pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_MINLENGTH), &minLength)
        return minLength == 0
    }

    static func errorMessage(_ code: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = pcre2_get_error_message_8(code, &buffer, buffer.count)
        if n < 0 { return "PCRE2 error \(code)" }
        return String(decoding: buffer[0..<Int(n)], as: UTF8.self)
    }

    /// Finds every non-overlapping match inside `range` of `bytes`. The range is the subject:
    /// `^`, `$` and `\b` see its edges. Returned ranges are offsets into `bytes`. An empty match
    /// steps over one whole scalar. `body` returns false to stop early.
    public func forEachMatch(
        in bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>, scratch: MatchScratch,
        _ body: (PatternMatch) -> Bool
    ) throws(MatchLimitError) {
        guard let base = bytes.baseAddress, range.lowerBound >= 0, range.upperBound <= bytes.count else { return }
        let subject = base + range.lowerBound
        let length = range.count
        var start = 0
        var options: UInt32 = 0
        let md = scratch.matchData
        while start <= length {
            if let deadline = scratch.deadline, MatchScratch.now() > deadline {
                throw MatchLimitError(limit: .time, message: "over \(scratch.budgetText) on this document")
            }
            var rc = pcre2_match_8(code, subject, length, start, options, md, scratch.context)
            if rc == PCRE2_ERROR_JIT_STACKLIMIT {
                // The JIT stack is bounded; fall back to the interpreter (heap-limited) for this call.
                rc = pcre2_match_8(code, subject, length, start, options | UInt32(PCRE2_NO_JIT), md, scratch.context)
            }
            if rc == PCRE2_ERROR_NOMATCH { return }
            if rc < 0 {
                let limit: MatchLimitError.Limit
                switch rc {
                case PCRE2_ERROR_MATCHLIMIT: limit = .match
                case PCRE2_ERROR_HEAPLIMIT, PCRE2_ERROR_NOMEMORY: limit = .heap
                case PCRE2_ERROR_DEPTHLIMIT, PCRE2_ERROR_JIT_STACKLIMIT: limit = .depth
                default: limit = .other
                }
                throw MatchLimitError(limit: limit, message: Pattern.errorMessage(rc))
            }
            let ovector = pcre2_get_ovector_pointer_8(md)!
            let pairs = Int(rc == 0 ? pcre2_get_ovector_count_8(md) : UInt32(rc))
            let mStart = ovector[0], mEnd = ovector[1]
            // \K can put the start after the end; treat that as an empty match at the end.
            let lo = min(mStart, mEnd)
            var groups: [Range<Int>?] = []
            if captureCount > 0 {
                groups.reserveCapacity(captureCount)
                for g in 1...captureCount {
                    if g < pairs, ovector[2 * g] != PCRE2_UNSET_OFFSET {
                        let gs = ovector[2 * g], ge = ovector[2 * g + 1]
                        groups.append((range.lowerBound + min(gs, ge))..<(range.lowerBound + ge))
                    } else {
                        groups.append(nil)
                    }
                }
            }
            let match = PatternMatch(range: (range.lowerBound + lo)..<(range.lowerBound + mEnd), groups: groups)
            if !body(match) { return }
            if mEnd > start || mEnd > mStart {
                start = mEnd
            } else {
                // Empty match: step over one whole scalar (or one invalid byte).
                if start >= length { return }
                start += UTF8Scan.sequenceLength(subject, start, length)
            }
            options = 0
        }
    }

    /// Whether the pattern matches anywhere in `range`.
    public func matches(in bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>, scratch: MatchScratch) throws(MatchLimitError) -> Bool {
        var found = false
        try forEachMatch(in: bytes, range: range, scratch: scratch) { _ in found = true; return false }
        return found
    }
}

private let PCRE2_UNSET_OFFSET = Int(bitPattern: UInt(~0 as UInt))

/// Per-thread match state: PCRE2 match data, a match context carrying the limits, and a JIT stack.
/// Never share one between threads.
public final class MatchScratch {
    let matchData: OpaquePointer
    let context: OpaquePointer
    let jitStack: OpaquePointer?
    public let limits: MatchLimits

    public init(limits: MatchLimits = .default) {
        self.limits = limits
        // 32 pairs covers every capture group a rule uses; PCRE2 fills what fits.
        matchData = pcre2_match_data_create_8(32, nil)!
        context = pcre2_match_context_create_8(nil)!
        pcre2_set_match_limit_8(context, limits.matchLimit)
        pcre2_set_depth_limit_8(context, limits.depthLimit)
        pcre2_set_heap_limit_8(context, limits.heapLimitKiB)
        jitStack = pcre2_jit_stack_create_8(32 * 1024, 1024 * 1024, nil)
        if let jitStack { pcre2_jit_stack_assign_8(context, nil, UnsafeMutableRawPointer(jitStack)) }
    }

    /// Monotonic nanoseconds after which matching stops with a time-limit error (nil: none).
    public var deadline: UInt64? = nil
    var budgetText = ""

    /// Starts one rule's time budget for a document of `textBytes` bytes.
    public func startRuleBudget(textBytes: Int) {
        let seconds = limits.ruleSeconds + limits.ruleSecondsPerMiB * Double(textBytes) / 1_048_576
        budgetText = seconds < 10 ? String(format: "%.1f s", seconds) : "\(Int(seconds)) s"
        deadline = MatchScratch.now() + UInt64(seconds * 1e9)
    }

    public func endRuleBudget() { deadline = nil }

    static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    deinit {
        pcre2_match_data_free_8(matchData)
        pcre2_match_context_free_8(context)
        if let jitStack { pcre2_jit_stack_free_8(jitStack) }
    }
}

