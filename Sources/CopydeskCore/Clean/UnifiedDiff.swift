/// A unified diff (3 lines of context) of a cleaning plan, byte-exact: lines are shown with their
/// own terminators, and a last line without one gets `\ No newline at end of file`, so
/// `patch -p0 < diff` turns the original into the cleaned file.
public enum UnifiedDiff {
    enum Op { case keep, delete, replace }

    public static func render(_ plan: Cleaner.Plan, original bytes: [UInt8], path: String, context: Int = 3) -> [UInt8] {
        let lines = plan.lines
        // Lines that hold bytes (the empty line after a final line break holds none).
        let real = (0..<lines.count).filter { !lines.content($0).isEmpty || !lines.terminator($0).isEmpty }
        let lastKept = plan.kept.indices.last(where: { plan.kept[$0] && !lines.terminator($0).isEmpty })
        var ops: [(line: Int, op: Op)] = real.map { i in
            if !plan.kept[i] { return (i, .delete) }
            if plan.stripFinalTerminator && i == lastKept { return (i, .replace) }
            return (i, .keep)
        }
        guard ops.contains(where: { $0.op != .keep }) else { return [] }
        var out: [UInt8] = []
        out.append(contentsOf: Array("--- \(path)\n+++ \(path)\n".utf8))

        func lineBytes(_ i: Int, terminated: Bool) -> [UInt8] {
            let from = i == 0 ? 0 : lines.start(i)
            var b = Array(bytes[from..<lines.content(i).upperBound])
            let term = lines.terminator(i)
            if terminated && !term.isEmpty {
                b.append(contentsOf: bytes[term])
            } else {
                b.append(contentsOf: Array("\n\\ No newline at end of file\n".utf8))
            }
            return b
        }

        // Old and new line numbers (1-based) before each op.
        var oldNo: [Int] = [], newNo: [Int] = []
        var o = 1, n = 1
        for e in ops {
            oldNo.append(o); newNo.append(n)
            o += 1
            if e.op != .delete { n += 1 }
        }
        ops.append((-1, .keep)) // sentinel
        var k = 0
        let count = ops.count - 1
        while k < count {
            guard ops[k].op != .keep else { k += 1; continue }
            // A hunk: from `context` lines before the first change to `context` after the last one
            // that is within 2 * context of the next.
            let start = max(0, k - context)
            var end = k
            var j = k
            while j < count {
                if ops[j].op != .keep { end = j; j += 1; continue }
                if j - end > 2 * context { break }
                j += 1
            }
            let stop = min(count, end + context + 1)
            var body: [UInt8] = []
            var oldCount = 0, newCount = 0
            for h in start..<stop {
                let (i, op) = ops[h]
                switch op {
                case .keep:
                    body.append(0x20); body.append(contentsOf: lineBytes(i, terminated: true))
                    oldCount += 1; newCount += 1
                case .delete:
                    body.append(UInt8(ascii: "-")); body.append(contentsOf: lineBytes(i, terminated: true))
                    oldCount += 1
                case .replace:
                    body.append(UInt8(ascii: "-")); body.append(contentsOf: lineBytes(i, terminated: true))
                    body.append(UInt8(ascii: "+")); body.append(contentsOf: lineBytes(i, terminated: false))
                    oldCount += 1; newCount += 1
                }
            }
            let oldStart = oldCount == 0 ? oldNo[start] - 1 : oldNo[start]
            let newStart = newCount == 0 ? newNo[start] - 1 : newNo[start]
            out.append(contentsOf: Array("@@ -\(range(oldStart, oldCount)) +\(range(newStart, newCount)) @@\n".utf8))
            out.append(contentsOf: body)
            k = stop
        }
        return out
    }

    static func range(_ start: Int, _ count: Int) -> String { count == 1 ? "\(start)" : "\(start),\(count)" }
}
