import CopydeskCore
/// What a reporter knows besides the results.
public struct ReportContext: Sendable {
    public var toolVersion = CopydeskVersion.current
    /// ANSI colors (text format only).
    public var color = false
    public var ruleSet: RuleSet? = nil
    public init(color: Bool = false, ruleSet: RuleSet? = nil) {
        self.color = color
        self.ruleSet = ruleSet
    }
}

/// Turns a lint result into the bytes of one output format. A pure function of its inputs.
public protocol Reporter: Sendable {
    func render(_ result: LintResult, context: ReportContext) -> String
}

/// Output formats. Adding one = a file with its `Reporter` and a case here.
public enum ReportFormat: String, Sendable, CaseIterable {
    case text, json, jsonl, sarif, github, junit, checkstyle

    public var reporter: any Reporter {
        switch self {
        case .text: return TextReporter()
        case .json: return JSONReporter()
        case .jsonl: return JSONLinesReporter()
        case .sarif: return SARIFReporter()
        case .github: return GitHubReporter()
        case .junit: return JUnitReporter()
        case .checkstyle: return CheckstyleReporter()
        }
    }
}
