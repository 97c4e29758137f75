import CopydeskCore
/// Human-readable report: `path:line:col: severity: message [rule.id]`, the source line with the
/// span underlined, then a summary line. Colors only when `context.color` is set.
public struct TextReporter: StreamingReporter {
    public init() {}

    enum Style: String {
        case bold = "\u{1B}[1m", red = "\u{1B}[31m", yellow = "\u{1B}[33m", blue = "\u{1B}[34m", dim = "\u{1B}[2m", reset = "\u{1B}[0m"
    }

    public func render(_ result: LintResult, context: ReportContext) -> String {
        renderByParts(result, context: context)
    }

    func paint(_ s: String, _ context: ReportContext, _ styles: Style...) -> String {
        context.color ? styles.map(\.rawValue).joined() + s + Style.reset.rawValue : s
    }

    /// One file's findings, each with its source line underlined.
    public func part(for file: FileReport, lineText: [Int: String], context: ReportContext) -> String {
        var out = ""
        for f in file.findings {
            let sevStyle: Style = f.severity == .error ? .red : f.severity == .warning ? .yellow : .blue
            out += paint("\(file.path):\(f.span.start.line):\(f.span.start.column):", context, .bold) + " "
            out += paint(f.severity.rawValue, context, .bold, sevStyle) + ": \(f.message) " + paint("[\(f.rule)]", context, .dim) + "\n"
            if let line = lineText[f.span.start.line] {
                out += excerpt(line: line, finding: f, paint: { paint($0, context, sevStyle) })
            }
        }
        return out
    }

    public var partSeparator: String { "" }
    public var openingDependsOnRun: Bool { false }

    /// Nothing before the findings; errors, skipped files and the summary after them.
    public func frame(_ result: LintResult, context: ReportContext) -> (opening: String, closing: String) {
        var out = ""
        for e in result.allErrors.sorted(by: { ($0.path, $0.message) < ($1.path, $1.message) }) {
            out += paint("\(e.path):", context, .bold) + " " + paint("error", context, .bold, .red) + ": \(e.message)\n"
        }
        for s in result.skipped {
            out += "\(s.path): skipped: \(s.reason)\n"
        }
        out += summary(result) + "\n"
        return ("", out)
    }

    /// The line with a `^~~~` underline under the span (to the end of the line when it continues).
    func excerpt(line: String, finding f: Finding, paint: (String) -> String) -> String {
        let gutter = "\(f.span.start.line)"
        let pad = String(repeating: " ", count: gutter.count)
        var scalars = Array(line.unicodeScalars)
        var startCol = min(f.span.start.column - 1, scalars.count)
        var endCol = f.span.end.line == f.span.start.line ? min(f.span.end.column - 1, scalars.count) : scalars.count
        // A long line is shown as a window around the span.
        if scalars.count > 300 {
            let from = max(0, startCol - 60)
            let to = min(scalars.count, max(startCol + 1, min(endCol, startCol + 180)) + 40)
            var window = Array(scalars[from..<to])
            var shift = from
            if from > 0 { window.insert("…", at: 0); shift -= 1 }
            if to < scalars.count { window.append("…") }
            scalars = window
            startCol -= shift
            endCol = min(endCol - shift, to - shift)
        }
        // Keep tabs so the underline lines up with the source.
        var lead = ""
        for s in scalars[0..<startCol] { lead.append(s == "\t" ? "\t" : " ") }
        let width = max(1, endCol - startCol)
        let shown = String(String.UnicodeScalarView(scalars))
        return " \(gutter) | \(shown)\n \(pad) | \(lead)" + paint("^" + String(repeating: "~", count: width - 1)) + "\n"
    }

    func summary(_ r: LintResult) -> String {
        let n = r.findingCount
        let withFindings = r.filesWithFindingsCount
        var s = "\(n) finding\(n == 1 ? "" : "s") (\(r.count(.error)) error\(r.count(.error) == 1 ? "" : "s"), \(r.count(.warning)) warning\(r.count(.warning) == 1 ? "" : "s"), \(r.count(.info)) info)"
        s += " in \(withFindings) of \(r.fileCount) file\(r.fileCount == 1 ? "" : "s")"
        let errors = r.allErrors.count
        if errors > 0 { s += "; \(errors) error\(errors == 1 ? "" : "s") reading files or rules" }
        if !r.skipped.isEmpty { s += "; \(r.skipped.count) skipped" }
        if let hidden = r.hiddenByBaseline, hidden > 0 { s += "; \(hidden) hidden by baseline" }
        return s
    }
}
