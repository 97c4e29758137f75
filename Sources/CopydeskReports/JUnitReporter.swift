import CopydeskCore
/// `junit`: JUnit XML, as GitLab, Jenkins and most CI systems read it. One test case per file:
/// a file with findings fails (one `<failure>` listing them all, one per line), a file that could
/// not be read is an `<error>`, a skipped file is `<skipped>`. Problems with configuration or
/// rule files are test cases named after those files.
public struct JUnitReporter: Reporter {
    public init() {}

    public func render(_ result: LintResult, context: ReportContext) -> String {
        struct Case { var name: String; var body: String; var failed = false; var errored = false; var skipped = false }
        var cases: [Case] = []
        var index: [String: Int] = [:]
        func caseIndex(_ path: String) -> Int {
            if let i = index[path] { return i }
            index[path] = cases.count
            cases.append(Case(name: path, body: ""))
            return cases.count - 1
        }
        for file in result.files {
            let i = caseIndex(file.path)
            guard !file.findings.isEmpty else { continue }
            let n = file.findings.count
            var lines = ""
            for f in file.findings {
                lines += "\(file.path):\(f.span.start.line):\(f.span.start.column): \(f.severity.rawValue): \(f.message) [\(f.rule)]\n"
            }
            let worst = file.findings.map(\.severity).max() ?? .info
            cases[i].body += "      <failure type=\"\(worst.rawValue)\" message=\"\(XMLText.escape("\(n) finding\(n == 1 ? "" : "s")", attribute: true))\">\(XMLText.escape(lines))</failure>\n"
            cases[i].failed = true
        }
        for e in result.allErrors.sorted(by: { ($0.path, $0.message) < ($1.path, $1.message) }) {
            let i = caseIndex(e.path)
            cases[i].body += "      <error type=\"error\" message=\"\(XMLText.escape(e.message, attribute: true))\"/>\n"
            cases[i].errored = true
        }
        for s in result.skipped {
            let i = caseIndex(s.path)
            cases[i].body += "      <skipped message=\"\(XMLText.escape(s.reason, attribute: true))\"/>\n"
            cases[i].skipped = true
        }
        let failures = cases.filter { $0.failed && !$0.errored }.count
        let errors = cases.filter(\.errored).count
        let skipped = cases.filter { $0.skipped && !$0.failed && !$0.errored }.count
        let counts = "tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"\(errors)\" skipped=\"\(skipped)\""
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"copydesk\" \(counts)>\n"
        out += "  <testsuite name=\"copydesk\" \(counts)>\n"
        for c in cases {
            let name = XMLText.escape(c.name, attribute: true)
            if c.body.isEmpty {
                out += "    <testcase classname=\"copydesk\" name=\"\(name)\" file=\"\(name)\"/>\n"
            } else {
                out += "    <testcase classname=\"copydesk\" name=\"\(name)\" file=\"\(name)\">\n\(c.body)    </testcase>\n"
            }
        }
        out += "  </testsuite>\n</testsuites>\n"
        return out
    }
}
