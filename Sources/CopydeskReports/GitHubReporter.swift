import CopydeskCore
/// `github`: GitHub Actions workflow commands, one per finding, so findings show as annotations on
/// the pull request's changed lines:
/// `::error file=PATH,line=L,col=C,endLine=L,endColumn=C,title=RULE::MESSAGE`.
/// Severities map to `error`, `warning` and `notice`. File errors become `::error file=PATH::…`.
/// A plain summary line ends the output (it shows in the log).
public struct GitHubReporter: Reporter {
    public init() {}

    public func render(_ result: LintResult, context: ReportContext) -> String {
        var out = ""
        for file in result.files {
            for f in file.findings {
                var props = ["file=" + Self.property(file.path), "line=\(f.span.start.line)"]
                if f.span.end.line == f.span.start.line {
                    props += ["col=\(f.span.start.column)", "endLine=\(f.span.end.line)", "endColumn=\(f.span.end.column)"]
                } else {
                    props += ["endLine=\(f.span.end.line)"]
                }
                props.append("title=" + Self.property(f.rule))
                out += "::\(Self.command(f.severity)) \(props.joined(separator: ","))::\(Self.data(f.message))\n"
            }
        }
        for e in result.allErrors.sorted(by: { ($0.path, $0.message) < ($1.path, $1.message) }) {
            out += "::error file=\(Self.property(e.path)),title=copydesk::\(Self.data(e.message))\n"
        }
        for s in result.skipped {
            out += "::notice file=\(Self.property(s.path)),title=copydesk::\(Self.data("skipped: " + s.reason))\n"
        }
        out += TextReporter().summary(result) + "\n"
        return out
    }

    static func command(_ s: Severity) -> String {
        switch s {
        case .error: "error"
        case .warning: "warning"
        case .info: "notice"
        }
    }

    /// Escapes a command's message (as `@actions/core` does).
    public static func data(_ s: String) -> String {
        s.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
    }

    /// Escapes a property value: like `data`, plus `:` and `,`.
    public static func property(_ s: String) -> String {
        data(s).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}
