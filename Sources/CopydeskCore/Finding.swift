/// One problem found in a file.
public struct Finding: Sendable, Codable, Equatable {
    public var rule: String
    public var category: Category
    public var severity: Severity
    public var message: String
    /// The matched source text (invalid UTF-8 shown as U+FFFD).
    public var match: String
    public var span: SourceSpan

    public init(rule: String, category: Category, severity: Severity, message: String, match: String, span: SourceSpan) {
        self.rule = rule
        self.category = category
        self.severity = severity
        self.message = message
        self.match = match
        self.span = span
    }

    /// Source byte range of the finding.
    public var byteRange: Range<Int> { span.start.offset..<span.end.offset }
}

/// A problem that is not a finding: an unreadable file, a rule that hit a match limit.
public struct FileError: Sendable, Codable, Equatable, Error {
    public var path: String
    public var message: String
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }
}

/// The result of linting one file.
public struct FileReport: Sendable, Equatable {
    public var path: String
    public var findings: [Finding]
    public var errors: [FileError]
    public init(path: String, findings: [Finding], errors: [FileError] = []) {
        self.path = path
        self.findings = findings
        self.errors = errors
    }
}
