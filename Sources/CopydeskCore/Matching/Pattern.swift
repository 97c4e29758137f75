// The only folder that imports the C library. Everything else sees byte ranges.
import CPCRE2
import Synchronization
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

/// A compiled PCRE2 pattern. Shared read-only across threads: one-time compilations happen
/// under a lock before any thread uses their result; all per-match state lives in a
/// `MatchScratch` owned by one thread.
///
/// JIT compilation waits until the pattern has made `jitAfterCalls` interpreted calls or
/// searched `jitAfterBytes` of text: it costs as much as hundreds of interpreted matches on an
/// article's short units, and most patterns run only a few times on one article (the prefilter
/// lets few through), while over an archive every busy pattern reaches the JIT within the first
/// files, and a long text gets it at once. The JIT code is a copy of the compiled
/// pattern (`pcre2_code_copy`), so threads still interpreting the original never see it change.
/// Both give the same matches; only how the resource limits count steps differs, so a pattern
/// right at a limit can hit it in one and not in the other.
///
/// The built-in rules, checked when the binary was built (`PrecompiledRules`), make their
/// patterns with `Pattern.shared(deferred:caseSensitive:)`: those are not even compiled until
/// they first run, so a run compiles only the patterns the prefilter lets through.
public final class Pattern: @unchecked Sendable {
    public let source: String
    public let caseSensitive: Bool
    private let compileOptions: UInt32
    /// 0: not compiled yet (deferred), 1: compiled, 4: compilation failed (only a deferred
    /// pattern; `compileFailure` says why).
    private let state = Atomic<UInt8>(0)
    /// 0: not JIT-compiled (yet), 1: `jitCode` ready, 2: JIT unavailable (the interpreter runs).
    private let jitState = Atomic<UInt8>(0)
    nonisolated(unsafe) private var jitCode: OpaquePointer? = nil
    /// pcre2_match calls made with the interpreter so far, and the length of the texts searched
    /// (the subjects), while there is no JIT code.
    private let interpretedCalls = Atomic<Int>(0)
    private let interpretedBytes = Atomic<Int>(0)
    /// A pattern is JIT-compiled after this many interpreted pcre2_match calls, or before a
    /// search that would take the text it was searched in with the interpreter to this length.
    static let jitAfterCalls = 32
    static let jitAfterBytes = 32 * 1024
    /// Set once, under `lock`, before `state` moves past 0; never changed afterwards.
    nonisolated(unsafe) private var compiled: OpaquePointer? = nil
    nonisolated(unsafe) private var captures = 0
    nonisolated(unsafe) private var firstBytesSet: ByteSet? = nil
    nonisolated(unsafe) private var compileFailure: PatternCompileError? = nil
    /// For a deferred pattern of the built-in rules: its code as the build compiled and
    /// serialized it (`serializedCode`), to decode instead of compiling; nil: compile.
    nonisolated(unsafe) private var serialized: (@Sendable () -> [UInt8]?)? = nil
    /// The same pattern compiled with PCRE2_ANCHORED (matches only at the start offset) and
    /// JIT-compiled, built by `forEachMatch(in:range:scratch:attempts:_:)` once anchored tries
    /// have done enough interpreted work. 0: not built, 1: built, 2: failed.
    private let anchoredState = Atomic<UInt8>(0)
    nonisolated(unsafe) private var anchoredCode: OpaquePointer? = nil
    private let lock = Mutex<Void>(())

    /// Compiles with UTF, UCP and MATCH_INVALID_UTF (invalid UTF-8 input is safe and no per-call
    /// UTF check is made), caseless unless `caseSensitive`.
    public init(_ source: String, caseSensitive: Bool = false) throws(PatternCompileError) {
        self.source = source
        self.caseSensitive = caseSensitive
        compileOptions = Pattern.options(caseSensitive: caseSensitive)
        switch Pattern.compile(source, compileOptions) {
        case .success(let c): install(c)
        case .failure(let e): throw e
        }
        state.store(1, ordering: .releasing)
    }

    /// A pattern compiled when it is first used (see `shared(deferred:caseSensitive:)`).
    private init(deferred source: String, caseSensitive: Bool) {
        self.source = source
        self.caseSensitive = caseSensitive
        compileOptions = Pattern.options(caseSensitive: caseSensitive)
    }

    static func options(caseSensitive: Bool) -> UInt32 {
        var options: UInt32 = UInt32(PCRE2_UTF) | UInt32(PCRE2_UCP) | UInt32(PCRE2_MATCH_INVALID_UTF)
        if !caseSensitive { options |= UInt32(PCRE2_CASELESS) }
        return options
    }

    /// Records what is known once the pattern is compiled (before `state` says so).
    private func install(_ code: OpaquePointer) {
        compiled = code
        var count: UInt32 = 0
        _ = pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_CAPTURECOUNT), &count)
        captures = Int(count)
        firstBytesSet = Pattern.firstBytes(code, caseless: !caseSensitive)
    }

    /// Compiles a deferred pattern now (once); nil if it does not compile.
    @discardableResult
    private func ensureCompiled() -> OpaquePointer? {
        if state.load(ordering: .acquiring) == 0 {
            lock.withLock { _ in
                guard state.load(ordering: .acquiring) == 0 else { return }
                let decoded = serialized.flatMap { Pattern.deserialize($0(), options: compileOptions) }
                serialized = nil
                switch decoded.map({ .success($0) }) ?? Pattern.compile(source, compileOptions) {
                case .success(let c):
                    install(c)
                    state.store(1, ordering: .releasing)
                case .failure(let e):
                    compileFailure = e
                    state.store(4, ordering: .releasing)
                }
            }
        }
        return state.load(ordering: .acquiring) == 4 ? nil : compiled
    }

    /// The code to match with in a subject of `length` bytes: the JIT code when there is some,
    /// else the compiled pattern for the interpreter (compiled now if deferred). JIT-compiles
    /// first when the interpreter has done enough (`jitAfterCalls`, `jitAfterBytes`).
    @inline(__always) private func matchCode(length: Int) throws(MatchLimitError) -> (code: OpaquePointer, jit: Bool) {
        if jitState.load(ordering: .acquiring) == 1, let jitCode { return (jitCode, true) }
        return try matchCodeSlow(length: length)
    }

    private func matchCodeSlow(length: Int) throws(MatchLimitError) -> (code: OpaquePointer, jit: Bool) {
        guard let code = ensureCompiled() else { throw compileError() }
        if jitState.load(ordering: .acquiring) == 0 && jitDue(length: length) { compileJIT() }
        if jitState.load(ordering: .acquiring) == 1, let jitCode { return (jitCode, true) }
        return (code, false)
    }

    /// Whether the interpreter has done enough with this pattern for JIT code to pay, counting
    /// a search about to be made in `length` bytes.
    private func jitDue(length: Int) -> Bool {
        interpretedCalls.load(ordering: .relaxed) >= Pattern.jitAfterCalls
            || interpretedBytes.add(length, ordering: .relaxed).newValue >= Pattern.jitAfterBytes
    }

    /// JIT-compiles a copy of the compiled pattern (once).
    private func compileJIT() {
        guard let code = ensureCompiled() else { return }
        lock.withLock { _ in
            guard jitState.load(ordering: .acquiring) == 0 else { return }
            guard let copy = pcre2_code_copy_8(code) else { jitState.store(2, ordering: .releasing); return }
            if pcre2_jit_compile_8(copy, UInt32(PCRE2_JIT_COMPLETE)) == 0 {
                jitCode = copy
                jitState.store(1, ordering: .releasing)
            } else {
                pcre2_code_free_8(copy)
                jitState.store(2, ordering: .releasing)
            }
        }
    }

    /// The error matching with a deferred pattern that does not compile reports.
    private func compileError() -> MatchLimitError {
        let e = compileFailure
        return MatchLimitError(limit: .other, message: "the pattern does not compile: \(e?.message ?? "unknown error") at offset \(e?.offset ?? 0)")
    }

    /// The number of capture groups.
    public var captureCount: Int {
        ensureCompiled()
        return captures
    }

    /// The bytes a match can start with, as PCRE2 worked them out (its first code unit or
    /// start bitmap); nil when any byte can.
    var startBytes: ByteSet? {
        ensureCompiled()
        return firstBytesSet
    }

    static func firstBytes(_ code: OpaquePointer, caseless: Bool) -> ByteSet? {
        var type: UInt32 = 0
        _ = pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_FIRSTCODETYPE), &type)
        if type == 1 {
            var unit: UInt32 = 0
            _ = pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_FIRSTCODEUNIT), &unit)
            guard unit < 256 else { return nil }
            var set = ByteSet()
            set.insert(UInt8(unit))
            // A caseless letter also starts with its other case (and, for k and s, with the
            // lead bytes of KELVIN SIGN and LONG S).
            if caseless && PrefilterLiterals.isASCIILetter(UInt8(unit)) {
                set.insert(UInt8(unit) ^ 0x20)
                set = set.union(.nonASCII)
            }
            return set
        }
        var bitmap: UnsafePointer<UInt8>? = nil
        guard pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_FIRSTBITMAP), &bitmap) == 0, let bitmap else { return nil }
        var set = ByteSet()
        for b in 0..<256 where bitmap[b >> 3] & (1 << UInt8(b & 7)) != 0 { set.insert(UInt8(b)) }
        return set
    }

    /// One compiled pattern per (source, case sensitivity) for the whole process: rules that
    /// share a pattern (attribution rules share their whole `attributions` list) compile and
    /// JIT it once, and per-document results can be shared (`MatchScratch.memo`).
    public static func shared(_ source: String, caseSensitive: Bool = false) throws(PatternCompileError) -> Pattern {
        let key = CacheKey(source: source, caseSensitive: caseSensitive)
        if let p = cache.withLock({ $0[key] }) {
            // A deferred pattern handed out before: compile it now, as this caller expects.
            if p.ensureCompiled() == nil, let e = p.compileFailure { throw e }
            p.sharedFlag.store(true, ordering: .relaxed)
            return p
        }
        let p = try Pattern(source, caseSensitive: caseSensitive)
        return cache.withLock { c in
            if let existing = c[key], existing.ensureCompiled() != nil {
                existing.sharedFlag.store(true, ordering: .relaxed)
                return existing
            }
            c[key] = p
            return p
        }
    }

    /// Like `shared(_:caseSensitive:)`, but the pattern is compiled only when it is first used,
    /// for patterns already known to compile (the built-in rules, checked when the binary was
    /// built). Should one fail to compile after all (a different PCRE2 at run time), matching
    /// with it throws a `MatchLimitError` naming the PCRE2 message.
    public static func shared(deferred source: String, caseSensitive: Bool = false) -> Pattern {
        shared(deferred: source, caseSensitive: caseSensitive, code: nil, references: 1)
    }

    /// The same for a pattern handed to `references` places at once (shared when more than
    /// one), whose compiled code the build serialized: `code` returns it (`serializedCode`),
    /// decoded when the pattern first runs instead of compiling it. Code PCRE2 does not take
    /// (another version or build of the library) or compiled with other options is dropped
    /// and the source compiled, as without it.
    package static func shared(deferred source: String, caseSensitive: Bool, code: (@Sendable () -> [UInt8]?)?, references: Int) -> Pattern {
        let key = CacheKey(source: source, caseSensitive: caseSensitive)
        return cache.withLock { c in
            if let existing = c[key] {
                existing.sharedFlag.store(true, ordering: .relaxed)
                return existing
            }
            let p = Pattern(deferred: source, caseSensitive: caseSensitive)
            p.serialized = code
            if references > 1 { p.sharedFlag.store(true, ordering: .relaxed) }
            c[key] = p
            return p
        }
    }

    /// The library's version and the build settings compiled code depends on: serialized code
    /// is used only under the PCRE2 that wrote it.
    package static let libraryStamp: String = {
        func config(_ what: Int32) -> String {
            let n = pcre2_config_8(UInt32(what), nil)
            guard n > 0 else { return "" }
            var buf = [UInt8](repeating: 0, count: Int(n))
            _ = buf.withUnsafeMutableBytes { pcre2_config_8(UInt32(what), $0.baseAddress) }
            return String(decoding: buf.prefix { $0 != 0 }, as: UTF8.self)
        }
        func number(_ what: Int32) -> UInt32 {
            var v: UInt32 = 0
            _ = pcre2_config_8(UInt32(what), &v)
            return v
        }
        return "PCRE2 \(config(PCRE2_CONFIG_VERSION)), Unicode \(config(PCRE2_CONFIG_UNICODE_VERSION)), link size \(number(PCRE2_CONFIG_LINKSIZE))"
    }()

    /// `source` compiled as a pattern (caseless unless `caseSensitive`) and serialized with
    /// pcre2_serialize_encode; nil when it does not compile.
    package static func serializedCode(_ source: String, caseSensitive: Bool) -> [UInt8]? {
        guard case .success(let code) = compile(source, options(caseSensitive: caseSensitive)) else { return nil }
        defer { pcre2_code_free_8(code) }
        return serialize(code)
    }

    static func free(_ code: OpaquePointer) { pcre2_code_free_8(code) }

    /// `code` serialized with pcre2_serialize_encode (the same for the same pattern and options).
    static func serialize(_ code: OpaquePointer) -> [UInt8]? {
        var codes: [OpaquePointer?] = [code]
        var bytes: UnsafeMutablePointer<UInt8>? = nil
        var size = 0
        let rc = codes.withUnsafeMutableBufferPointer { pcre2_serialize_encode_8($0.baseAddress, 1, &bytes, &size, nil) }
        guard rc == 1, let bytes else { return nil }
        defer { pcre2_serialize_free_8(bytes) }
        return Array(UnsafeBufferPointer(start: bytes, count: size))
    }

    /// Code from `serializedCode`, if this PCRE2 takes it and it was compiled with `options`.
    static func deserialize(_ bytes: [UInt8]?, options: UInt32) -> OpaquePointer? {
        // (At least the header pcre2_serialize_get_number_of_codes reads.)
        guard let bytes, bytes.count >= 16 else { return nil }
        var codes: [OpaquePointer?] = [nil]
        let rc = bytes.withUnsafeBufferPointer { buf in
            guard pcre2_serialize_get_number_of_codes_8(buf.baseAddress) == 1 else { return Int32(-1) }
            return codes.withUnsafeMutableBufferPointer { pcre2_serialize_decode_8($0.baseAddress, 1, buf.baseAddress, nil) }
        }
        guard rc == 1, let code = codes[0] else { return nil }
        var argOptions: UInt32 = 0
        if pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_ARGOPTIONS), &argOptions) != 0 || argOptions != options {
            pcre2_code_free_8(code)
            return nil
        }
        return code
    }

    /// Whether `shared` handed this pattern out more than once (to several rules).
    private let sharedFlag = Atomic<Bool>(false)
    var isShared: Bool { sharedFlag.load(ordering: .relaxed) }

    /// Keyed by the pattern's bytes (what PCRE2 compiles), hashed in one piece: String's own
    /// hashing normalizes to NFC first, which was most of reading the built-in rules.
    private struct CacheKey: Hashable {
        var source: String
        var caseSensitive: Bool

        static func == (a: CacheKey, b: CacheKey) -> Bool {
            a.caseSensitive == b.caseSensitive && a.source.utf8.elementsEqual(b.source.utf8)
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(caseSensitive)
            var s = source
            s.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
            hasher.combine(source.utf8.count)
        }
    }
    /// (Room for the built-in rules' 400-odd patterns from the start.)
    private static let cache = Mutex<[CacheKey: Pattern]>(Dictionary(minimumCapacity: 512))

    static func compile(_ source: String, _ options: UInt32) -> Result<OpaquePointer, PatternCompileError> {
        var errorCode: Int32 = 0
        var errorOffset: Int = 0
        let bytes = Array(source.utf8)
        let compiled: OpaquePointer? = bytes.withUnsafeBufferPointer { buf in
            // A non-nil pointer even for the empty pattern.
            let base = buf.baseAddress ?? UnsafePointer(bitPattern: 1)!
            return pcre2_compile_8(base, buf.count, options, &errorCode, &errorOffset, nil)
        }
        guard let compiled else {
            return .failure(PatternCompileError(pattern: source, message: Pattern.errorMessage(errorCode), offset: errorOffset))
        }
        return .success(compiled)
    }

    /// Whether the pattern runs as JIT code (JIT-compiles it now if that has not happened yet).
    public var isJITCompiled: Bool {
        compileJIT()
        return jitState.load(ordering: .acquiring) == 1
    }

    /// Whether JIT code has been made (without making it).
    var hasJITCode: Bool { jitState.load(ordering: .acquiring) == 1 }

    /// The anchored twin (compiled and JIT-compiled once), or nil if it cannot be built. Built
    /// only once anchored tries have done enough work with the interpreter (which anchors the
    /// pattern itself at match time), like the JIT code of the pattern for searches.
    private func anchored() -> OpaquePointer? {
        if anchoredState.load(ordering: .acquiring) == 0 {
            lock.withLock { _ in
                guard anchoredState.load(ordering: .acquiring) == 0 else { return }
                if case .success(let c) = Pattern.compile(source, compileOptions | UInt32(PCRE2_ANCHORED)) {
                    _ = pcre2_jit_compile_8(c, UInt32(PCRE2_JIT_COMPLETE))
                    anchoredCode = c
                    anchoredState.store(1, ordering: .releasing)
                } else {
                    anchoredState.store(2, ordering: .releasing)
                }
            }
        }
        return anchoredState.load(ordering: .acquiring) == 1 ? anchoredCode : nil
    }

    deinit {
        if let compiled { pcre2_code_free_8(compiled) }
        if let jitCode { pcre2_code_free_8(jitCode) }
        if let anchoredCode { pcre2_code_free_8(anchoredCode) }
    }

    /// Whether PCRE2 itself only tries the start of the subject (every branch starts with `^` or
    /// `\A`): such a search is a single attempt already.
    public var isAnchored: Bool {
        guard let code = ensureCompiled() else { return false }
        var options: UInt32 = 0
        _ = pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_ALLOPTIONS), &options)
        return options & UInt32(PCRE2_ANCHORED) != 0
    }

    /// Whether the pattern can match an empty string (PCRE2's minimum length is 0).
    public var canMatchEmpty: Bool {
        guard let code = ensureCompiled() else { return false }
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
        let (code, jit) = try matchCode(length: range.count)
        let subject = base + range.lowerBound
        let length = range.count
        var start = 0
        var calls = 0
        defer { if !jit { interpretedCalls.add(calls, ordering: .relaxed) } }
        while start <= length {
            calls += 1
            guard let m = try run(code, 0, subject, length, start, scratch) else { return }
            if !body(makeMatch(scratch, range.lowerBound, m)) { return }
            guard let next = Pattern.next(after: m.0, m.1, from: start, subject, length) else { return }
            start = next
        }
    }

    /// The same matches as `forEachMatch(in:range:scratch:_:)`, found by trying only some start
    /// offsets: `attempts(c)` gives the first offset at or after `c` (in `bytes`) where a match
    /// may start, or nil when none can. Each try is anchored there. When every start the
    /// unanchored search could succeed at is offered, the result is identical: that search
    /// returns the match at the first start offset where the pattern matches.
    public func forEachMatch(
        in bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>, scratch: MatchScratch,
        attempts: (Int) -> Int?, _ body: (PatternMatch) -> Bool
    ) throws(MatchLimitError) {
        guard let base = bytes.baseAddress, range.lowerBound >= 0, range.upperBound <= bytes.count else { return }
        // The anchored twin (JIT code does not take PCRE2_ANCHORED at match time), once it pays;
        // until then the pattern itself, interpreted and anchored at match time.
        var twin: OpaquePointer? = anchoredState.load(ordering: .acquiring) == 1 ? anchoredCode : nil
        if twin == nil {
            guard ensureCompiled() != nil else { throw compileError() }
            if anchoredState.load(ordering: .acquiring) == 0 && jitDue(length: range.count) { twin = anchored() }
        }
        let jit = twin != nil
        guard let code = twin ?? compiled else { throw compileError() }
        let options = jit ? 0 : UInt32(PCRE2_ANCHORED)
        let subject = base + range.lowerBound
        let length = range.count
        var start = 0
        var calls = 0
        defer { if !jit { interpretedCalls.add(calls, ordering: .relaxed) } }
        while start <= length {
            guard let at = attempts(range.lowerBound + start) else { return }
            var s = at - range.lowerBound
            guard s >= start, s <= length else { return }
            // A match never starts inside a UTF-8 sequence.
            if s < length && subject[s] & 0xC0 == 0x80 {
                s += 1
                start = s
                continue
            }
            calls += 1
            guard let m = try run(code, options, subject, length, s, scratch) else {
                start = s + 1
                continue
            }
            if !body(makeMatch(scratch, range.lowerBound, m)) { return }
            guard let next = Pattern.next(after: m.0, m.1, from: start, subject, length) else { return }
            start = next
        }
    }

    /// One pcre2_match call; (start, end) of the whole match and the number of pairs set, nil
    /// for no match.
    @inline(__always)
    private func run(_ code: OpaquePointer, _ options: UInt32, _ subject: UnsafePointer<UInt8>, _ length: Int, _ start: Int, _ scratch: MatchScratch) throws(MatchLimitError) -> (Int, Int, Int32)? {
        // The clock is read every 16th call: each call is itself bounded by the match limit.
        if let deadline = scratch.deadline {
            scratch.calls &+= 1
            if scratch.calls & 15 == 0 && MatchScratch.now() > deadline {
                throw MatchLimitError(limit: .time, message: "over \(scratch.budgetText) on this document")
            }
        }
        let md = scratch.matchData
        var rc = pcre2_match_8(code, subject, length, start, options, md, scratch.context)
        if rc == PCRE2_ERROR_JIT_STACKLIMIT {
            // The JIT stack is bounded; fall back to the interpreter (heap-limited) for this call.
            rc = pcre2_match_8(code, subject, length, start, options | UInt32(PCRE2_NO_JIT), md, scratch.context)
        }
        if rc == PCRE2_ERROR_NOMATCH { return nil }
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
        return (ovector[0], ovector[1], rc)
    }

    /// The match just found, with its capture groups, in `bytes` offsets.
    @inline(__always)
    private func makeMatch(_ scratch: MatchScratch, _ offset: Int, _ m: (Int, Int, Int32)) -> PatternMatch {
        let md = scratch.matchData
        let ovector = pcre2_get_ovector_pointer_8(md)!
        let (mStart, mEnd, rc) = m
        let pairs = Int(rc == 0 ? pcre2_get_ovector_count_8(md) : UInt32(rc))
        // \K can put the start after the end; treat that as an empty match at the end.
        let lo = min(mStart, mEnd)
        var groups: [Range<Int>?] = []
        let captureCount = captures
        if captureCount > 0 {
            groups.reserveCapacity(captureCount)
            for g in 1...captureCount {
                if g < pairs, ovector[2 * g] != PCRE2_UNSET_OFFSET {
                    let gs = ovector[2 * g], ge = ovector[2 * g + 1]
                    groups.append((offset + min(gs, ge))..<(offset + ge))
                } else {
                    groups.append(nil)
                }
            }
        }
        return PatternMatch(range: (offset + lo)..<(offset + mEnd), groups: groups)
    }

    /// Where the search goes on after a match: its end, or one whole scalar further after an
    /// empty match; nil at the end of the subject.
    @inline(__always)
    private static func next(after mStart: Int, _ mEnd: Int, from start: Int, _ subject: UnsafePointer<UInt8>, _ length: Int) -> Int? {
        if mEnd > start || mEnd > mStart { return mEnd }
        if start >= length { return nil }
        return start + UTF8Scan.sequenceLength(subject, start, length)
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
    /// Prefilter results for the document this thread is linting.
    let prefilterHits = PrefilterHits()
    /// Whether a (shared) pattern matches in a unit, for the document being linted: rules that
    /// share exceptions or attributions ask the same question of the same sentence.
    var memo: [MemoKey: Bool] = [:]

    struct MemoKey: Hashable {
        var pattern: ObjectIdentifier
        var lower: Int
        var upper: Int
    }

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
    var calls: UInt32 = 0
    var budgetSeconds = 0.0
    /// The current budget, for error messages (formatted only when one is reported).
    var budgetText: String {
        budgetSeconds < 10 ? String(format: "%.1f s", budgetSeconds) : "\(Int(budgetSeconds)) s"
    }

    /// Starts one rule's time budget for a document of `textBytes` bytes.
    public func startRuleBudget(textBytes: Int) {
        let seconds = limits.ruleSeconds + limits.ruleSecondsPerMiB * Double(textBytes) / 1_048_576
        budgetSeconds = seconds
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

