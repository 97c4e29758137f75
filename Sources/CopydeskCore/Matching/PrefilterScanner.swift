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

        // Built with raw buffers, in tables as large as the automaton turns out (the default
        // rules make about 5,200 states × 50 classes), since this runs at every start-up.
        // The trie: `g` holds its edges (state × class; -1: none); each state's children are
        // also kept in a list (first child, next sibling) for the breadth-first passes below.
        let width = next
        var g: [Int32] = []
        g.reserveCapacity(literals.reduce(1) { $0 + $1.count } * width)
        let noEdges = [Int32](repeating: -1, count: width)
        g.append(contentsOf: noEdges)
        var firstChild: [Int32] = [-1], sibling: [Int32] = [-1], edgeClass: [Int32] = [0]
        // Literal ids ending at each state, as lists in id order: ownFirst[s], then idNext[id].
        var ownFirst: [Int32] = [-1], ownLast: [Int32] = [-1]
        var idNext = [Int32](repeating: -1, count: literals.count)
        for (id, lit) in literals.enumerated() {
            var s = 0
            for b in lit {
                let c = Int(cls[Int(PrefilterScanner.foldByte(b))])
                var t = Int(g[s &* width &+ c])
                if t < 0 {
                    t = firstChild.count
                    g[s &* width &+ c] = Int32(t)
                    g.append(contentsOf: noEdges)
                    firstChild.append(-1)
                    sibling.append(firstChild[s])
                    edgeClass.append(Int32(c))
                    firstChild[s] = Int32(t)
                    ownFirst.append(-1)
                    ownLast.append(-1)
                }
                s = t
            }
            if ownLast[s] < 0 { ownFirst[s] = Int32(id) } else { idNext[Int(ownLast[s])] = Int32(id) }
            ownLast[s] = Int32(id)
        }
        let n = firstChild.count
        precondition(ownFirst[0] < 0, "the root has no output")
        precondition(n * width < Int(UInt32.max), "prefilter automaton too large")
        // First pass, breadth first over the trie: failure links (the longest proper suffix that
        // is a trie state, found along the parent's failure links), and which states have output
        // (a literal ends there, or at their failure state, which is shallower).
        var fail = [Int32](repeating: 0, count: n)
        var hasOutput = [Bool](repeating: false, count: n)
        var order = [Int32](repeating: 0, count: n)
        g.withUnsafeBufferPointer { g in
            fail.withUnsafeMutableBufferPointer { fail in
                order.withUnsafeMutableBufferPointer { queue in
                    let base = g.baseAddress!
                    var tail = 1, head = 1
                    var t = firstChild[0]
                    while t >= 0 { queue[tail] = t; tail &+= 1; t = sibling[Int(t)] }
                    while head < tail {
                        let s = Int(queue[head]); head &+= 1
                        hasOutput[s] = ownFirst[s] >= 0 || hasOutput[Int(fail[s])]
                        var t = firstChild[s]
                        while t >= 0 {
                            let c = Int(edgeClass[Int(t)])
                            var f = Int(fail[s])
                            while base[f &* width &+ c] < 0 && f != 0 { f = Int(fail[f]) }
                            fail[Int(t)] = max(0, base[f &* width &+ c])
                            queue[tail] = t; tail &+= 1
                            t = sibling[Int(t)]
                        }
                    }
                }
            }
        }
        // Number states without output first, then states with output (so one compare tells an
        // output state). A state's literal ids are its own, then its failure state's, and so on.
        var scaled = [UInt32](repeating: 0, count: n)
        var firstOut = 0
        for old in 0..<n where !hasOutput[old] { scaled[old] = UInt32(firstOut &* width); firstOut += 1 }
        var k = firstOut
        var starts: [Int32] = [0]
        var ids: [Int32] = []
        for old in 0..<n where hasOutput[old] {
            scaled[old] = UInt32(k &* width); k += 1
            var s = old
            while s != 0 {
                var id = ownFirst[s]
                while id >= 0 { ids.append(id); id = idNext[Int(id)] }
                s = Int(fail[s])
            }
            starts.append(Int32(ids.count))
        }
        // Second pass, in the same order: the DFA in its final numbering, premultiplied. A
        // state's row is its failure state's (complete already: shallower) with its own edges on
        // top; the root's row has its edges and 0 elsewhere.
        let table = [UInt32](unsafeUninitializedCapacity: n * width) { buf, count in
            scaled.withUnsafeBufferPointer { scaled in
                let out = buf.baseAddress!
                let root = out + Int(scaled[0])
                root.initialize(repeating: 0, count: width)
                var t = firstChild[0]
                while t >= 0 { root[Int(edgeClass[Int(t)])] = scaled[Int(t)]; t = sibling[Int(t)] }
                for q in 1..<max(1, n) {
                    let s = Int(order[q])
                    let row = out + Int(scaled[s])
                    row.initialize(from: out + Int(scaled[Int(fail[s])]), count: width)
                    var t = firstChild[s]
                    while t >= 0 { row[Int(edgeClass[Int(t)])] = scaled[Int(t)]; t = sibling[Int(t)] }
                }
            }
            count = n * width
        }
        self.table = table
        self.firstOutput = UInt32(firstOut * width)
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
