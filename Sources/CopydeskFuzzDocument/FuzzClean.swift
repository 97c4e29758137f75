import CopydeskCore
import CopydeskWorkflow

/// `clean` invariants on any input: the output is the original minus whole lines (plus at most
/// one dropped final line break), cleaning it again changes nothing, and the diff is consistent.
func fuzzClean(_ bytes: [UInt8], path: String, options: ReadOptions) {
    var cleanOptions = Cleaner.Options()
    cleanOptions.format = options.format
    cleanOptions.headline = options.headline
    let once = Cleaner.clean(bytes, path: path, linter: fuzzLinter, options: cleanOptions, scratch: fuzzScratch)
    if !once.errors.isEmpty { return }   // a match limit hit: findings incomplete, no fixed point promised
    check(once.cleaned.count <= bytes.count, "clean made the file longer")
    if once.removedLines.isEmpty { check(once.cleaned == bytes, "nothing removed but bytes changed") }
    // Every kept line's bytes appear in order in the output.
    var out = once.cleaned[...]
    let lines = once.plan.lines
    if lines.bomLength > 0 && !once.plan.kept[0] {
        check(out.starts(with: bytes[0..<lines.bomLength]), "BOM lost")
        out = out.dropFirst(lines.bomLength)
    }
    for i in 0..<lines.count where once.plan.kept[i] {
        let content = Array(bytes[(i == 0 ? 0 : lines.start(i))..<lines.content(i).upperBound])
        check(out.starts(with: content), "kept line \(i + 1) not found in order in the output")
        out = out.dropFirst(content.count)
        let term = Array(bytes[lines.terminator(i)])
        if out.starts(with: term) { out = out.dropFirst(term.count) }
    }
    check(out.isEmpty, "output has \(out.count) bytes that are not kept lines")
    let twice = Cleaner.clean(once.cleaned, path: path, linter: fuzzLinter, options: cleanOptions, scratch: fuzzScratch)
    if twice.errors.isEmpty {
        check(twice.cleaned == once.cleaned, "clean is not idempotent")
    }
    let diff = UnifiedDiff.render(once.plan, original: bytes, path: path)
    check(diff.isEmpty == !once.changed, "diff empty: \(diff.isEmpty), changed: \(once.changed)")
}
