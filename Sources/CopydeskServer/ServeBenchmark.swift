import CopydeskWorkflow
import Foundation

/// `copydesk-serve --bench-lint FILE` (hidden; `.ci/bench-serve` runs it): the in-process cost of
/// the request wrk posts, without HTTP: `Engine.lint` alone, and with the JSON report rendered
/// (what the handler does besides reading the body). Prints medians and spreads in ms.
public enum ServeBenchmark {
    public static func run(requestFile: String, runs: Int) throws {
        guard let data = FileManager.default.contents(atPath: requestFile) else {
            throw ServeError("cannot read \(requestFile)")
        }
        let request: ArticleRequest
        do {
            request = try ArticleRequest.decode(json: Array(data))
        } catch {
            throw ServeError("\(requestFile): \(error.code): \(error.message)")
        }
        let engine = try CopydeskAPI.makeEngine(ServeOptions())
        let article = request.article
        let runs = max(10, runs)
        func measure(_ body: () -> Int) -> [Double] {
            for _ in 0..<min(200, runs) { _ = body() }   // warm-up: JIT, pools, caches
            var times: [Double] = []
            times.reserveCapacity(runs)
            var sink = 0
            for _ in 0..<runs {
                let start = ContinuousClock.now
                sink &+= body()
                let d = start.duration(to: .now)
                times.append(Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15)
            }
            if sink == -1 { print(sink) }
            return times.sorted()
        }
        let lint = measure { engine.lint(article).report.findings.count }
        let withJSON = measure { JSONReporter().renderBytes(engine.lint(article).result, context: ReportContext()).count }
        let decode = measure { (try? ArticleRequest.decode(json: Array(data)))?.body.utf8.count ?? 0 }
        func line(_ name: String, _ t: [Double]) -> String {
            let p = { (q: Double) in t[min(t.count - 1, Int(Double(t.count) * q))] }
            return String(format: "%-28@ median %.3f ms  p10 %.3f  p90 %.3f  p99 %.3f  (%d runs)", name as NSString, p(0.5), p(0.1), p(0.9), p(0.99), t.count)
        }
        let findings = engine.lint(article).report.findings.count
        print("article: \(article.bytes.count) bytes, \(findings) findings")
        print(line("Engine.lint", lint))
        print(line("Engine.lint + JSON report", withJSON))
        print(line("JSON request decode", decode))
    }
}
