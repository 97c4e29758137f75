/// A unified diff (3 lines of context) of a cleaning plan, byte-exact: lines are shown with their
/// own terminators, and a last line without one gets `\ No newline at end of file`, so
/// `patch -p0 < diff` turns the original into the cleaned file.
public enum UnifiedDiff {
    enum Op { case keep, delete, replace([UInt8]), insert([UInt8]) }

    public static func render(_ plan: Cleaner.Plan, original bytes: [UInt8], path: String, context: Int = 3) -> [UInt8] {
        let lines = plan.lines
        let noNewline = Array("\n\\ No newline at end of file\n".utf8)
        func lineBytes(_ i: Int) -> [UInt8] {
            var b = Array(bytes[(i == 0 ? 0 : lines.start(i))..<lines.content(i).upperBound])
            let term = lines.terminator(i)
            b.append(contentsOf: term.isEmpty ? noNewline : Array(bytes[term]))
            return b
        }
        // Lines that hold bytes (the empty line after a final line break holds none).
        let real = (0..<lines.count).filter { !lines.content($0).isEmpty || !lines.terminator($0).isEmpty }
        let lastKept = plan.kept.indices.last(where: { plan.kept[$0] && !lines.terminator($0).isEmpty })
        let bom = Array(bytes[0..<lines.bomLength])
        // The BOM stays at the top: when line 1 goes, the first kept line takes it.
        let movesBOM = !bom.isEmpty && !plan.kept[0]
        let firstKept = real.first { plan.kept[$0] }
        var ops: [(line: Int, op: Op)] = real.map { i in
            if !plan.kept[i] { return (i, .delete) }
            let strip = plan.stripFinalTerminator && i == lastKept
            if strip || (movesBOM && i == firstKept) {
                var b = (movesBOM && i == firstKept ? bom : []) + Array(bytes[(i == 0 ? 0 : lines.start(i))..<lines.content(i).upperBound])
                b.append(contentsOf: strip || lines.terminator(i).isEmpty ? noNewline : Array(bytes[lines.terminator(i)]))
                return (i, .replace(b))
            }
            return (i, .keep)
        }
        if movesBOM && firstKept == nil { ops.append((-1, .insert(bom + noNewline))) }
        guard ops.contains(where: { if case .keep = $0.op { return false } else { return true } }) else { return [] }
        var out: [UInt8] = []
        out.append(contentsOf: Array("--- \(path)\n+++ \(path)\n".utf8))

        // Old and new line numbers (1-based) before each op.
        var oldNo: [Int] = [], newNo: [Int] = []
        var o = 1, n = 1
        for e in ops {
            oldNo.append(o); newNo.append(n)
            switch e.op {
            case .keep, .replace: o += 1; n += 1
            case .delete: o += 1
            case .insert: n += 1
            }
        }
        func isChange(_ k: Int) -> Bool { if case .keep = ops[k].op { return false } else { return true } }
        let count = ops.count
        var k = 0
        while k < count {
            guard isChange(k) else { k += 1; continue }
            // A hunk: from `context` lines before the first change to `context` after the last
            // change that is within 2 * context lines of the next one.
            let start = max(0, k - context)
            var end = k
            var j = k
            while j < count {
                if isChange(j) { end = j; j += 1; continue }
                if j - end > 2 * context { break }
                j += 1
            }
            let stop = min(count, end + context + 1)
            var body: [UInt8] = []
            var oldCount = 0, newCount = 0
            for h in start..<stop {
                let i = ops[h].line
                switch ops[h].op {
                case .keep:
                    body.append(0x20); body.append(contentsOf: lineBytes(i))
                    oldCount += 1; newCount += 1
                case .delete:
                    body.append(UInt8(ascii: "-")); body.append(contentsOf: lineBytes(i))
                    oldCount += 1
                case .replace(let new):
                    body.append(UInt8(ascii: "-")); body.append(contentsOf: lineBytes(i))
                    body.append(UInt8(ascii: "+")); body.append(contentsOf: new)
                    oldCount += 1; newCount += 1
                case .insert(let new):
                    body.append(UInt8(ascii: "+")); body.append(contentsOf: new)
                    newCount += 1
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
