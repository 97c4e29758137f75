import CopydeskCore
/// `checkstyle`: Checkstyle XML (version 4.3), read by Jenkins' Warnings plugin, reviewdog and
/// many code-review tools. Every linted file gets a `<file>` element; each finding is an `<error>`
/// with line, column, severity (`error`, `warning`, `info`), message and `source` (the rule id).
/// File errors are `<error>` elements with source `copydesk` and no line.
public struct CheckstyleReporter: Reporter {
    public init() {}

    public func render(_ result: LintResult, context: ReportContext) -> String {
        var byPath: [String: String] = [:]
        var order: [String] = []
        func add(_ path: String, _ element: String) {
            if byPath[path] == nil { byPath[path] = ""; order.append(path) }
            byPath[path]! += element
        }
        for file in result.files {
            if byPath[file.path] == nil { byPath[file.path] = ""; order.append(file.path) }
            for f in file.findings {
                add(file.path, "    <error line=\"\(f.span.start.line)\" column=\"\(f.span.start.column)\" severity=\"\(f.severity.rawValue)\" message=\"\(XMLText.escape(f.message, attribute: true))\" source=\"\(XMLText.escape(f.rule, attribute: true))\"/>\n")
            }
        }
        for e in result.allErrors.sorted(by: { ($0.path, $0.message) < ($1.path, $1.message) }) {
            add(e.path, "    <error severity=\"error\" message=\"\(XMLText.escape(e.message, attribute: true))\" source=\"copydesk\"/>\n")
        }
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n"
        for path in order.sorted() {
            let body = byPath[path] ?? ""
            let name = XMLText.escape(path, attribute: true)
            out += body.isEmpty ? "  <file name=\"\(name)\"/>\n" : "  <file name=\"\(name)\">\n\(body)  </file>\n"
        }
        out += "</checkstyle>\n"
        return out
    }
}
