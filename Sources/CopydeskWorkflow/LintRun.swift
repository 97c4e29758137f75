#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Synchronization
import CopydeskCore

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
    /// Lints every file and keeps every report (memory grows with the number of files; see
    /// `stream` for runs over whole archives).
    public static func run(paths: [String], linter: Linter, options: ReadOptions = ReadOptions(),
                           workers: Int = System.coreCount, stats: Bool = false) -> LintResult {
        var files: [FileReport] = []
        var lineText: [String: [Int: String]] = [:]
        var result = drive(paths: paths, linter: linter, options: options, workers: workers, stats: stats, render: nil, prepared: { _ in }) { report, lines, _ in
            files.append(report)
            if !lines.isEmpty { lineText[report.path] = lines }
        }
        result.files = files
        result.lineText = lineText
        return result
    }

    /// Lints every file on `workers` threads and hands each linted file's report to `each` on
    /// the calling thread, in path order, as soon as it and every file before it are done.
    /// `render`, when given, runs on the worker thread and its text comes along (a reporter's
    /// part for the file). At most a few dozen files per worker are in flight, so memory stays
    /// flat however many files there are. The result holds no files: `tally` counts them;
    /// `errors` (the files' own errors included) and `skipped` are sorted by path.
    public static func stream(paths: [String], linter: Linter, options: ReadOptions = ReadOptions(),
                              workers: Int = System.coreCount, stats: Bool = false,
                              render: (@Sendable (FileReport, [Int: String]) -> String)? = nil,
                              each: (FileReport, [Int: String], String) -> Void) -> LintResult {
        var tally = LintTally()
        var fileErrors: [FileError] = []
        var failOn: [String: FailLevel] = [:]
        var result = drive(paths: paths, linter: linter, options: options, workers: workers, stats: stats, render: render,
                           prepared: { failOn = $0 }) { report, lines, part in
            tally.add(report, failOn: failOn[report.path])
            fileErrors.append(contentsOf: report.errors)
            each(report, lines, part)
        }
        result.tally = tally
        result.errors.append(contentsOf: fileErrors)
        result.errors.sort { $0.path < $1.path }
        return result
    }

    /// Expands the paths, lints the files in path order and hands each report to `each`; the
    /// result has the walk and read errors, the skipped files and the stats.
    static func drive(paths: [String], linter: Linter, options: ReadOptions, workers: Int, stats: Bool,
                      render: (@Sendable (FileReport, [Int: String]) -> String)?,
                      prepared: ([String: FailLevel]) -> Void,
                      each: (FileReport, [Int: String], String) -> Void) -> LintResult {
        let started = DispatchTime.now().uptimeNanoseconds
        var result = LintResult()
        var jobs: [(item: InputItem, path: String)] = []
        for item in FileWalker.expand(paths) {
            switch item {
            case .error(let e): result.errors.append(e)
            case .file(let p): jobs.append((item, p))
            case .stdin: jobs.append((item, options.stdinName))
            }
        }
        // One entry per path, even when it was named twice; then in path order (the order the
        // reports come out in). Only paths are held, never documents.
        var seen = Set<String>()
        jobs = jobs.filter { job in
            if case .file(let p) = job.item { return seen.insert(p).inserted }
            return true
        }
        // Configuration: which files are linted, and how (rules, reader, fail-on) each one is.
        var plans: [FilePlan?] = Array(repeating: nil, count: jobs.count)
        if let workflow = options.workflow {
            let ready = workflow.prepare(jobs.map(\.item), named: paths, stdinName: options.stdinName)
            jobs = ready.jobs.map { item, _ in
                if case .file(let p) = item { return (item, p) }
                return (item, options.stdinName)
            }
            plans = ready.jobs.map(\.1)
            result.skipped.append(contentsOf: ready.skipped)
            for (item, plan) in ready.jobs {
                if case .file(let p) = item { result.failOn[p] = plan.failOn }
                if case .stdin = item { result.failOn[options.stdinName] = plan.failOn }
            }
        }
        prepared(result.failOn)
        let order = jobs.indices.sorted { jobs[$0].path != jobs[$1].path ? jobs[$0].path < jobs[$1].path : $0 < $1 }
        let planned = order.map { (jobs[$0].item, plans[$0]) }

        func take(_ outcome: JobOutcome) {
            switch outcome {
            case .report(let r, let lines, let part): each(r, lines, part)
            case .skipped(let s): result.skipped.append(s)
            case .error(let e): result.errors.append(e)
            }
        }

        let workerCount = max(1, min(workers, jobs.count))
        var statsParts: [RuleStats] = []
        if workerCount == 1 {
            // One file (a pre-commit hook) or one thread: no threads to start.
            let scratch = MatchScratch(limits: options.limits)
            let collector = stats ? RuleStatsCollector() : nil
            for (item, plan) in planned { take(process(item, linter: linter, options: options, scratch: scratch, plan: plan, stats: collector, render: render)) }
            if let collector { statsParts.append(collector.snapshot()) }
        } else {
            statsParts = runParallel(planned, linter: linter, options: options, workers: workerCount, stats: stats, render: render, take: take)
        }
        result.skipped.sort { $0.path < $1.path }
        if let workflow = options.workflow { result.errors.append(contentsOf: workflow.errors) }
        result.errors.sort { $0.path < $1.path }
        if stats {
            result.stats = RuleStats.merged(statsParts, wallTimeMs: Double(DispatchTime.now().uptimeNanoseconds - started) / 1_000_000, threads: workerCount)
        }
        return result
    }

    /// Workers take jobs in order and hand over outcomes in the same order, at most `32 *
    /// workers` jobs ahead of the last one handed over (see `OrderedParallel`, shared with
    /// records mode).
    static func runParallel(_ jobs: [(InputItem, FilePlan?)], linter: Linter, options: ReadOptions, workers: Int, stats: Bool,
                            render: (@Sendable (FileReport, [Int: String]) -> String)?,
                            take: (JobOutcome) -> Void) -> [RuleStats] {
        var nextJob = 0
        var statsParts: [RuleStats] = []
        let statsLock = Mutex<Void>(())
        OrderedParallel.run(
            workers: workers, window: 32 * workers,
            next: { () -> (InputItem, FilePlan?)? in
                guard nextJob < jobs.count else { return nil }
                nextJob += 1
                return jobs[nextJob - 1]
            },
            state: { (MatchScratch(limits: options.limits), stats ? RuleStatsCollector() : nil) },
            work: { job, state in
                process(job.0, linter: linter, options: options, scratch: state.0, plan: job.1, stats: state.1, render: render)
            },
            finish: { state in
                if let collector = state.1 { statsLock.withLock { _ in statsParts.append(collector.snapshot()) } }
            },
            take: take)
        return statsParts
    }

    enum JobOutcome: Sendable {
        case report(FileReport, [Int: String], String)
        case skipped(SkippedFile)
        case error(FileError)
    }

    static func process(_ item: InputItem, linter: Linter, options: ReadOptions, scratch: MatchScratch, plan: FilePlan? = nil,
                        stats: RuleStatsCollector? = nil, render: (@Sendable (FileReport, [Int: String]) -> String)? = nil) -> JobOutcome {
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
            let lines = contextLines(report, doc)
            return .report(report, lines, render?(report, lines) ?? "")
        }
    }

    /// The text of each line a finding starts on (lines over 1 MiB are left out: no excerpt).
    package static func contextLines(_ report: FileReport, _ doc: Document) -> [Int: String] {
        guard !report.findings.isEmpty else { return [:] }
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
