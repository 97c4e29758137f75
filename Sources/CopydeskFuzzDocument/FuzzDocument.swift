// libFuzzer target: document reading (plain text, Markdown and HTML, every headline mode) plus linting
// with the default rules, both reporters and `clean`. Built and run by `.ci/fuzz` only.
// A broken invariant traps, so libFuzzer keeps the input as a crash.
import CopydeskCore
import CopydeskWorkflow
import CopydeskDefaultRules
import Foundation

/// The default (embedded) rules, or every *.yml in $COPYDESK_FUZZ_RULES.
let fuzzLinter: Linter = {
    let loaded: RuleLoader.Result
    if let dir = ProcessInfo.processInfo.environment["COPYDESK_FUZZ_RULES"] {
        loaded = RuleLoader.load(directory: dir)
    } else {
        loaded = RuleLoader.loadDefault()
    }
    precondition(loaded.errors.isEmpty, "fuzz rules do not load: \(loaded.errors)")
    return Linter(ruleSet: loaded.ruleSet)
}()
nonisolated(unsafe) let fuzzScratch = MatchScratch()

func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError("invariant broken: \(message())") }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDocument(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    // The first byte picks the reader (low two bits: text, Markdown, HTML) and the headline
    // mode; the rest is the article.
    let selector = data[0]
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let formats: [DocumentFormat] = [.text, .markdown, .html, .text]
    let format = formats[Int(selector & 3)]
    let modes: [HeadlineMode] = [.auto, .firstLine, .none]
    let headline = modes[Int(selector >> 2) % modes.count]
    let path = format == .markdown ? "fuzz.md" : format == .html ? "fuzz.html" : "fuzz.txt"

    let doc = Document(path: path, bytes: bytes, format: format, headline: headline)
    for scope in Scope.allCases {
        for unit in doc.units(scope) {
            check(unit.lowerBound >= 0 && unit.upperBound <= doc.text.count, "\(scope) unit \(unit) outside text of \(doc.text.count) bytes")
            let src = doc.sourceRange(ofText: unit)
            check(src.lowerBound >= 0 && src.upperBound <= bytes.count, "\(scope) unit maps to \(src) outside source of \(bytes.count) bytes")
        }
    }
    let report = fuzzLinter.lint(doc, scratch: fuzzScratch)
    var previous = -1
    for f in report.findings {
        check(f.span.start.offset <= f.span.end.offset && f.span.end.offset <= bytes.count, "finding \(f.rule) span \(f.span) outside \(bytes.count) bytes")
        check(f.span.start.line >= 1 && f.span.start.column >= 1 && f.span.end.line >= f.span.start.line, "bad position \(f.span)")
        check(f.span.start.offset >= previous, "findings not sorted")
        previous = f.span.start.offset
    }
    var options = ReadOptions()
    options.format = format
    options.headline = headline
    let result = LintRunner.lint(bytes: bytes, path: path, linter: fuzzLinter, options: options)
    check(result.files.first?.findings == report.findings, "LintRunner.lint and Linter.lint disagree")
    for format in ReportFormat.allCases {
        let out = format.reporter.render(result, context: ReportContext(ruleSet: fuzzLinter.ruleSet))
        check(!out.isEmpty, "\(format) report is empty")
        if format == .json {
            check((try? JSONSerialization.jsonObject(with: Data(out.utf8))) != nil, "JSON report does not parse")
        }
    }
    fuzzClean(bytes, path: path, options: options)
    return 0
}
