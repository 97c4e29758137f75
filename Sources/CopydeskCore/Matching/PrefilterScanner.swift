/// A multi-literal scanner: an Aho-Corasick automaton compiled to a dense DFA over byte classes,
/// ASCII-case-insensitive. One pass over the text reports every occurrence of every literal
/// (overlapping ones included) as (end offset, literal id).
///
/// The inner loop is one table load per byte: `state = table[state + class[byte]]`, with states
/// numbered so that every state where a literal ends is at or above `firstOutput` (one compare).
struct PrefilterScanner: Sendable {
    /// The literals, folded (ASCII lowercase), by id.
    let literals: [[UInt8]]
    /// Byte → class (ASCII upper case shares the class of its lower case; bytes in no literal are class 0).
    private let byteClass: [UInt8]
    private let classCount: Int
    /// Transition table, premultiplied: entry = next state × classCount.
    private let table: [UInt32]
    /// States at or above this (premultiplied) value end at least one literal.
    private let firstOutput: UInt32
    /// For output state k (premultiplied value v, k = v / classCount - firstOutputState): the
    /// literal ids ending there are outputIDs[outputStart[k]..<outputStart[k + 1]].
    private let outputStart: [Int32]
    private let outputIDs: [Int32]
    private let firstOutputState: Int
    let maxLiteralLength: Int

    /// Scalars that caseless PCRE2 matches to ASCII letters (U+212A KELVIN SIGN ~ k,
    /// U+017F LONG S ~ s). Text holding one of them cannot be prefiltered with ASCII folding;
    /// `PrefilterTests` checks this list is complete for the linked PCRE2.
    static let poison: [[UInt8]] = [Array("\u{212A}".utf8), Array("\u{017F}".utf8)]

    init(literals: [[UInt8]]) {
        self.literals = literals
        maxLiteralLength = max(1, literals.reduce(0) { max($0, $1.count) })
        // Byte classes.
        var cls = [UInt8](repeating: 0, count: 256)
        var next = 1
        for lit in literals {
            for b in lit {
                let f = PrefilterScanner.foldByte(b)
                if cls[Int(f)] == 0 {
                    precondition(next < 256, "too many distinct bytes in prefilter literals")
                    cls[Int(f)] = UInt8(next)
                    next += 1
                }
            }
        }
        for b in 0x41...0x5A { cls[b] = cls[b | 0x20] }
        byteClass = cls
        classCount = next

        // Built with raw buffers: the default rules make an automaton of about 3,800 states ×
        // 50 classes, and this runs at every start-up (with bounds-checked nested arrays it was
        // most of the prefilter's start-up cost).
        // Trie, in one flat table (state × class); -1: no edge yet.
        // (At most one state per literal byte, plus the root: allocated once.)
        let maxStates = literals.reduce(1) { $0 + $1.count }
        var goto = [Int32](repeating: -1, count: maxStates * next)
        var outputs: [[Int32]] = [[]]
        outputs.reserveCapacity(maxStates)
        goto.withUnsafeMutableBufferPointer { g in
            for (id, lit) in literals.enumerated() {
                var s = 0
                for b in lit {
                    let c = Int(cls[Int(PrefilterScanner.foldByte(b))])
                    if g[s * next + c] < 0 {
                        g[s * next + c] = Int32(outputs.count)
                        outputs.append([])
                    }
                    s = Int(g[s * next + c])
                }
                outputs[s].append(Int32(id))
            }
        }
        // Failure links by breadth-first search; complete the DFA as we go. A state's outputs
        // are its own and its failure state's (`outputs` of states at smaller depth are final).
        let n = outputs.count
        var fail = [Int32](repeating: 0, count: n)
        var queue = [Int32](repeating: 0, count: n)
        var tail = 0
        goto.withUnsafeMutableBufferPointer { g in
            fail.withUnsafeMutableBufferPointer { fail in
                queue.withUnsafeMutableBufferPointer { queue in
                    for c in 0..<next {
                        let t = g[c]
                        if t < 0 { g[c] = 0 } else { fail[Int(t)] = 0; queue[tail] = t; tail += 1 }
                    }
                    var head = 0
                    while head < tail {
                        let s = Int(queue[head]); head += 1
                        let f = Int(fail[s])
                        if !outputs[f].isEmpty { outputs[s].append(contentsOf: outputs[f]) }
                        let row = g.baseAddress! + s &* next, failRow = g.baseAddress! + f &* next
                        for c in 0..<next {
                            let t = row[c]
                            if t < 0 {
                                row[c] = failRow[c]
                            } else {
                                fail[Int(t)] = failRow[c]
                                queue[tail] = t; tail &+= 1
                            }
                        }
                    }
                }
            }
        }
        // Renumber: states without output first, then states with output.
        var newIndex = [Int32](repeating: 0, count: n)
        var firstOut = 0
        for old in 0..<n where outputs[old].isEmpty { newIndex[old] = Int32(firstOut); firstOut += 1 }
        var k = firstOut
        var starts: [Int32] = [0]
        var ids: [Int32] = []
        for old in 0..<n where !outputs[old].isEmpty {
            newIndex[old] = Int32(k); k += 1
            ids.append(contentsOf: outputs[old])
            starts.append(Int32(ids.count))
        }
        precondition(newIndex[0] == 0 && outputs[0].isEmpty, "the root has no output")
        precondition(n * next < Int(UInt32.max), "prefilter automaton too large")
        let width = next
        let table = [UInt32](unsafeUninitializedCapacity: n * next) { buf, count in
            goto.withUnsafeBufferPointer { g in
                newIndex.withUnsafeBufferPointer { newIndex in
                    let out = buf.baseAddress!, index = newIndex.baseAddress!
                    for old in 0..<n {
                        let to = out + Int(index[old]) &* width, from = g.baseAddress! + old &* width
                        for c in 0..<width { to[c] = UInt32(truncatingIfNeeded: Int(index[Int(from[c])]) &* width) }
                    }
                }
            }
            count = n * width
        }
        self.table = table
        self.firstOutput = UInt32(firstOut * next)
        self.firstOutputState = firstOut
        self.outputStart = starts
        self.outputIDs = ids
    }

    @inline(__always) static func foldByte(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }

    /// Finds every occurrence in `text` and leaves them in `out` in order of end offset, each as
    /// `end << 32 | literalID`. Long texts are scanned as four interleaved lanes: four
    /// independent table walks hide each other's load latency (about 1.5x faster than one).
    /// Each lane starts `maxLiteralLength - 1` bytes early, so it sees literals crossing into it,
    /// and reports only occurrences that end inside it.
    func scan(_ text: UnsafeBufferPointer<UInt8>, into out: inout [UInt64], lanes: inout [[UInt64]]) {
        out.removeAll(keepingCapacity: true)
        let n = text.count
        guard let base = text.baseAddress, n > 0 else { return }
        let warm = maxLiteralLength - 1
        byteClass.withUnsafeBufferPointer { clsBuf in
            table.withUnsafeBufferPointer { tableBuf in
                let cls = clsBuf.baseAddress!, tab = tableBuf.baseAddress!
                let threshold = firstOutput
                @inline(__always) func record(_ state: UInt32, _ end: Int, _ buf: inout [UInt64]) {
                    let k = Int(state) / classCount - firstOutputState
                    outputStart.withUnsafeBufferPointer { starts in
                        outputIDs.withUnsafeBufferPointer { ids in
                            var j = Int(starts[k])
                            let stop = Int(starts[k + 1])
                            while j < stop { buf.append(UInt64(truncatingIfNeeded: end) << 32 | UInt64(truncatingIfNeeded: ids[j])); j &+= 1 }
                        }
                    }
                }
                // Wrapping arithmetic in the loops below: offsets stay within the text and states
                // within the table, and the overflow checks were a quarter of the instructions.
                if n < 1024 + 4 * warm {
                    var state: UInt32 = 0
                    var i = 0
                    while i < n {
                        state = tab[Int(truncatingIfNeeded: state) &+ Int(truncatingIfNeeded: cls[Int(truncatingIfNeeded: base[i])])]
                        if state >= threshold { record(state, i &+ 1, &out) }
                        i &+= 1
                    }
                    return
                }
                if lanes.count < 4 { lanes = [[], [], [], []] }
                for k in 0..<4 { lanes[k].removeAll(keepingCapacity: true) }
                let chunk = n / 4
                let c1 = chunk, c2 = 2 * chunk, c3 = 3 * chunk
                // Lane k reads from its own start; one index steps all four.
                let o1 = c1 - warm, o2 = c2 - warm, o3 = c3 - warm
                let b1 = base + o1, b2 = base + o2, b3 = base + o3
                var s0: UInt32 = 0, s1: UInt32 = 0, s2: UInt32 = 0, s3: UInt32 = 0
                @inline(__always) func step(_ s: UInt32, _ p: UnsafePointer<UInt8>, _ i: Int) -> UInt32 {
                    tab[Int(truncatingIfNeeded: s) &+ Int(truncatingIfNeeded: cls[Int(truncatingIfNeeded: p[i])])]
                }
                // Lane 0 is the shortest (no warm-up): step all four together for its length.
                var i = 0
                while i < chunk {
                    s0 = step(s0, base, i)
                    s1 = step(s1, b1, i)
                    s2 = step(s2, b2, i)
                    s3 = step(s3, b3, i)
                    if max(max(s0, s1), max(s2, s3)) >= threshold {
                        if s0 >= threshold { record(s0, i &+ 1, &out) }
                        if s1 >= threshold && o1 &+ i >= c1 { record(s1, o1 &+ i &+ 1, &lanes[1]) }
                        if s2 >= threshold && o2 &+ i >= c2 { record(s2, o2 &+ i &+ 1, &lanes[2]) }
                        if s3 >= threshold && o3 &+ i >= c3 { record(s3, o3 &+ i &+ 1, &lanes[3]) }
                    }
                    i &+= 1
                }
                var p1 = o1 &+ chunk, p2 = o2 &+ chunk, p3 = o3 &+ chunk
                func finish(_ s: inout UInt32, _ p: inout Int, _ end: Int, _ lane: Int) {
                    while p < end {
                        s = step(s, base, p)
                        if s >= threshold { record(s, p &+ 1, &lanes[lane]) }
                        p &+= 1
                    }
                }
                finish(&s1, &p1, c2, 1)
                finish(&s2, &p2, c3, 2)
                finish(&s3, &p3, n, 3)
                for k in 1..<4 { out.append(contentsOf: lanes[k]) }
            }
        }
    }
}
