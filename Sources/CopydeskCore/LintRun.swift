#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Synchronization

/// The version reported by `--version` and in every report.
public enum CopydeskVersion {
    public static let current = "0.1.0"
}

/// A file that was not linted on purpose (binary), with the reason.
public struct SkippedFile: Sendable, Codable, Equatable {
    public var path: String
    public var reason: String
}

/// Everything one lint run produced, in deterministic order.
public struct LintResult: Sendable {
    /// Every linted file, sorted by path (files without findings included).
    public var files: [FileReport]
    /// I/O errors, rule-file errors and match-limit errors, sorted by path.
    public var errors: [FileError]
    public var skipped: [SkippedFile]
    /// Source lines (text of the line where each finding starts), keyed by path and line, for reporters
    /// that show context.
    public var lineText: [String: [Int: String]]
    /// The `fail-on` level of each linted file, when configuration set it per file.
    public var failOn: [String: FailLevel] = [:]
    /// Findings hidden by `--baseline` (nil: no baseline given).
    public var hiddenByBaseline: Int? = nil
    /// Per-rule matches and time, when the run was asked for them (`--stats`).
    public var stats: RuleStats? = nil

    public init(files: [FileReport] = [], errors: [FileError] = [], skipped: [SkippedFile] = [], lineText: [String: [Int: String]] = [:]) {
        self.files = files
        self.errors = errors
        self.skipped = skipped
        self.lineText = lineText
    }

    public var findingCount: Int { files.reduce(0) { $0 + $1.findings.count } }
    public func count(_ severity: Severity) -> Int { files.reduce(0) { $0 + $1.findings.filter { $0.severity == severity }.count } }
    public func count(_ category: Category) -> Int { files.reduce(0) { $0 + $1.findings.filter { $0.category == category }.count } }
    public var allErrors: [FileError] { (errors + files.flatMap(\.errors)) }

    /// Whether any file has a finding at or above its own `fail-on` level (from `failOn`, else `fallback`).
    public func hasFailingFindings(fallback: FailLevel = .error) -> Bool {
        files.contains { file in
            guard let t = (failOn[file.path] ?? fallback).threshold else { return false }
            return file.findings.contains { $0.severity >= t }
        }
    }

    /// Whether any finding is at or above `threshold` (nil: never fail on findings).
    public func hasFindings(atOrAbove threshold: Severity?) -> Bool {
        guard let threshold else { return false }
        return files.contains { $0.findings.contains { $0.severity >= threshold } }
    }
}

/// Options for reading documents.
public struct ReadOptions: Sendable {
    public var headline: HeadlineMode = .auto
    /// Reader to use for every file (nil: choose by extension).
    public var format: DocumentFormat? = nil
    /// Name used for stdin in reports.
    public var stdinName = "<stdin>"
    public var limits: MatchLimits = .default
    /// Per-file configuration, include/exclude and git-ignore handling (nil: none).
    public var workflow: Workflow? = nil
    public init() {}
}

/// Lints paths (files, directories, `-`) in parallel on all cores; output order is by path.
public enum LintRunner {
    public static func run(paths: [String], linter: Linter, options: ReadOptions = ReadOptions(),
                           workers: Int = System.coreCount, stats: Bool = false) -> LintResult {
        let started = DispatchTime.now().uptimeNanoseconds
        var result = LintResult()
        var jobs: [InputItem] = []
        for item in FileWalker.expand(paths) {
            if case .error(let e) = item { result.errors.append(e) } else { jobs.append(item) }
        }
        // One entry per path, even when it was named twice.
        var seen = Set<String>()
        jobs = jobs.filter { item in
            if case .file(let p) = item { return seen.insert(p).inserted }
            return true
        }
        var plans: [FilePlan?] = Array(repeating: nil, count: jobs.count)
        if let workflow = options.workflow {
            let prepared = workflow.prepare(jobs, named: paths, stdinName: options.stdinName)
            jobs = prepared.jobs.map(\.0)
            plans = prepared.jobs.map(\.1)
            result.skipped.append(contentsOf: prepared.skipped)
            for (item, plan) in prepared.jobs {
                if case .file(let p) = item { result.failOn[p] = plan.failOn }
                if case .stdin = item { result.failOn[options.stdinName] = plan.failOn }
            }
        }
        let planList = plans
        let outcomes = Mutex<[Int: JobOutcome]>([:])
        let statsParts = Mutex<[RuleStats]>([])
        let next = Atomic<Int>(0)
        let jobList = jobs
        let workerCount = max(1, min(workers, jobList.count))
        DispatchQueue.concurrentPerform(iterations: workerCount) { _ in
            let scratch = MatchScratch(limits: options.limits)
            let collector = stats ? RuleStatsCollector() : nil
            while true {
                let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
                if i >= jobList.count { break }
                let outcome = process(jobList[i], linter: linter, options: options, scratch: scratch, plan: planList[i], stats: collector)
                outcomes.withLock { $0[i] = outcome }
            }
            if let collector { statsParts.withLock { $0.append(collector.snapshot()) } }
        }
        let done = outcomes.withLock { $0 }
        for i in jobList.indices {
            switch done[i] {
            case .report(let r, let lines)?:
                result.files.append(r)
                if !lines.isEmpty { result.lineText[r.path] = lines }
            case .skipped(let s)?: result.skipped.append(s)
            case .error(let e)?: result.errors.append(e)
            case nil: break
            }
        }
        result.files.sort { $0.path < $1.path }
        result.skipped.sort { $0.path < $1.path }
        if let workflow = options.workflow { result.errors.append(contentsOf: workflow.errors) }
        result.errors.sort { $0.path < $1.path }
        if stats {
            result.stats = RuleStats.merged(statsParts.withLock { $0 }, wallTimeMs: Double(DispatchTime.now().uptimeNanoseconds - started) / 1_000_000, threads: workerCount)
        }
        return result
    }

    enum JobOutcome: Sendable {
        case report(FileReport, [Int: String])
        case skipped(SkippedFile)
        case error(FileError)
    }

    static func process(_ item: InputItem, linter: Linter, options: ReadOptions, scratch: MatchScratch, plan: FilePlan? = nil, stats: RuleStatsCollector? = nil) -> JobOutcome {
        let path: String
        let outcome: FileReader.Outcome
        switch item {
        case .file(let p): path = p; outcome = FileReader.read(p)
        case .stdin: path = options.stdinName; outcome = FileReader.readStdin()
        case .error(let e): return .error(e)
        }
        switch outcome {
        case .error(let message): return .error(FileError(path: path, message: message))
        case .binary: return .skipped(SkippedFile(path: path, reason: "binary file (contains NUL bytes)"))
        case .bytes(let bytes):
            let format = options.format ?? plan?.format ?? (item == .stdin ? DocumentFormat.forPath(options.stdinName) : DocumentFormat.forPath(path))
            let doc = Document(path: path, bytes: bytes, format: format, headline: plan?.headline ?? options.headline)
            let report = linter.lint(doc, scratch: scratch, rules: plan?.rules, unusedSuppression: plan.map { $0.unusedSuppression } ?? .info, stats: stats)
            return .report(report, contextLines(report, doc))
        }
    }

    /// The text of each line a finding starts on (lines over 1 MiB are left out: no excerpt).
    static func contextLines(_ report: FileReport, _ doc: Document) -> [Int: String] {
        var lines: [Int: String] = [:]
        let index = doc.lineIndex
        for f in report.findings where lines[f.span.start.line] == nil && index.lineRange(f.span.start.line - 1).count <= 1 << 20 {
            lines[f.span.start.line] = UTF8Scan.string(doc.source[index.lineRange(f.span.start.line - 1)])
        }
        return lines
    }

    /// Lints one in-memory document (stdin, tests, eval).
    public static func lint(bytes: [UInt8], path: String, linter: Linter, options: ReadOptions = ReadOptions()) -> LintResult {
        let doc = Document(path: path, bytes: bytes, format: options.format ?? DocumentFormat.forPath(path), headline: options.headline)
        let report = linter.lint(doc, scratch: MatchScratch(limits: options.limits))
        return LintResult(files: [report], lineText: [path: contextLines(report, doc)])
    }
}

public enum System {
    public static var coreCount: Int {
        #if canImport(Glibc)
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        return 4
        #endif
    }
}
