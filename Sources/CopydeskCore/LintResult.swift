/// The version reported by `--version` and in every report.
public enum CopydeskVersion {
    public static let current = "0.2.0"
}

/// A file that was not linted on purpose (binary), with the reason.
public struct SkippedFile: Sendable, Codable, Equatable {
    public var path: String
    public var reason: String
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
}

/// Everything one lint run produced, in deterministic order.
public struct LintResult: Sendable {
    /// Every linted file, sorted by path (files without findings included). Empty after a
    /// streaming run (`LintRunner.stream`), which hands each file over as it is done and keeps
    /// only `tally`.
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
    /// Counts over the linted files, kept by streaming runs in place of `files`.
    public var tally: LintTally? = nil

    public init(files: [FileReport] = [], errors: [FileError] = [], skipped: [SkippedFile] = [], lineText: [String: [Int: String]] = [:]) {
        self.files = files
        self.errors = errors
        self.skipped = skipped
        self.lineText = lineText
    }

    /// Counts over the linted files: `tally` when streaming, else counted from `files`.
    public var totals: LintTally {
        if let tally { return tally }
        var t = LintTally()
        for f in files { t.add(f, failOn: failOn[f.path]) }
        return t
    }

    public var fileCount: Int { totals.files }
    public var filesWithFindingsCount: Int { totals.filesWithFindings }
    public var findingCount: Int { totals.findings }
    public func count(_ severity: Severity) -> Int { totals.bySeverity[severity, default: 0] }
    public func count(_ category: Category) -> Int { totals.byCategory[category, default: 0] }
    public var allErrors: [FileError] { (errors + files.flatMap(\.errors)) }

    /// Whether any file has a finding at or above its own `fail-on` level (from `failOn`, else `fallback`).
    public func hasFailingFindings(fallback: FailLevel = .error) -> Bool {
        totals.worstByFailOn.contains { level, worst in
            guard let t = (level ?? fallback).threshold else { return false }
            return worst >= t
        }
    }

    /// Whether any finding is at or above `threshold` (nil: never fail on findings).
    public func hasFindings(atOrAbove threshold: Severity?) -> Bool {
        guard let threshold else { return false }
        return totals.bySeverity.contains { $0.key >= threshold && $0.value > 0 }
    }
}

/// Counts over linted files, enough for every report's summary.
public struct LintTally: Sendable, Equatable {
    public var files = 0
    public var filesWithFindings = 0
    public var findings = 0
    public var bySeverity: [Severity: Int] = [:]
    public var byCategory: [Category: Int] = [:]
    /// The most severe finding among the files of each configured `fail-on` level (nil: files
    /// without one), enough to tell whether the run fails.
    public var worstByFailOn: [FailLevel?: Severity] = [:]
    public init() {}

    public mutating func add(_ report: FileReport, failOn: FailLevel? = nil) {
        files += 1
        if !report.findings.isEmpty { filesWithFindings += 1 }
        findings += report.findings.count
        for f in report.findings {
            bySeverity[f.severity, default: 0] += 1
            byCategory[f.category, default: 0] += 1
            worstByFailOn[failOn] = max(worstByFailOn[failOn] ?? f.severity, f.severity)
        }
    }
}
