// libFuzzer target: the rule loader (YAML, keys, types, patterns), then the loaded rules' examples
// and a lint of a small article with them. Built and run by `.ci/fuzz` only.
import CopydeskCore
import Foundation

let article = Array("""
    Shock Poll: You Won't Believe What Happened Next

    Experts say the plan will fail. “It will not,” the mayor said. Sign up for our newsletter!
    Which candidate do you support? Vote now.

    Advertisement
    Copyright © 2024 Example Media. All rights reserved.
    """.utf8)
nonisolated(unsafe) let scratch = MatchScratch()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRules(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let loaded = RuleLoader.load(files: [(name: "fuzz.yml", contents: text)])
    for e in loaded.errors {
        if e.file != "fuzz.yml" { fatalError("error names the wrong file: \(e)") }
        if let line = e.line, line < 1 { fatalError("error with line \(line) < 1: \(e)") }
        if e.message.isEmpty { fatalError("error without a message") }
    }
    for rule in loaded.ruleSet.rules {
        _ = ExampleRunner.check(rule, scratch: scratch)
    }
    let linter = Linter(ruleSet: loaded.ruleSet)
    for format in [DocumentFormat.text, .markdown] {
        let report = linter.lint(Document(path: "a", bytes: article, format: format), scratch: scratch)
        for f in report.findings where f.span.end.offset > article.count { fatalError("finding outside the article: \(f)") }
    }
    return 0
}
