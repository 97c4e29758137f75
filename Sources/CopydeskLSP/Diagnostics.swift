import Foundation
import CopydeskWorkflow

/// Findings as LSP diagnostics, and rules as hover text.
public enum DiagnosticMapping {
    /// LSP `DiagnosticSeverity`: Error 1, Warning 2, Information 3, Hint 4.
    public static func severity(_ s: Severity) -> Int {
        switch s {
        case .error: 1
        case .warning: 2
        case .info: 3
        }
    }

    /// One finding as a `Diagnostic` (rule id as `code`, "copydesk" as `source`).
    public static func diagnostic(_ f: Finding, table: LineTable, encoding: PositionEncoding) -> JSON {
        var d: [String: JSON] = [
            "range": table.range(ofBytes: f.byteRange, encoding: encoding).json,
            "severity": .int(severity(f.severity)),
            "code": .string(f.rule),
            "source": "copydesk",
            "message": .string(f.message),
            "data": ["rule": .string(f.rule), "category": .string(f.category.rawValue)],
        ]
        // A suppression comment that suppresses nothing is dead text: editors grey it out.
        if f.rule == UnusedSuppression.ruleID { d["tags"] = [1] }
        return .object(d)
    }

    /// Markdown for a hover on a finding of `rule`.
    public static func hover(rule: Rule?, finding: Finding) -> String {
        var s = "**\(finding.rule)** · \(finding.category.rawValue) · \(finding.severity.rawValue)\n\n"
        guard let rule else {
            if finding.rule == UnusedSuppression.ruleID {
                s += "A `copydesk-…` suppression comment that suppresses no finding, names no rule in effect, or is no known directive.\n"
            } else {
                s += finding.message + "\n"
            }
            return s
        }
        s += rule.description.isEmpty ? rule.message : rule.description
        s += "\n"
        let limit = 5
        if !rule.examples.triggering.isEmpty {
            s += "\nFlags (the finding is marked «…»):\n\n```text\n"
            s += rule.examples.triggering.prefix(limit).map(oneLine).joined(separator: "\n")
            s += "\n```\n"
        }
        if !rule.examples.nontriggering.isEmpty {
            s += "\nLeaves alone:\n\n```text\n"
            s += rule.examples.nontriggering.prefix(limit).map(oneLine).joined(separator: "\n")
            s += "\n```\n"
        }
        return s
    }

    static func oneLine(_ s: String) -> String {
        s.replacingOccurrences(of: "\r\n", with: " ⏎ ").replacingOccurrences(of: "\n", with: " ⏎ ")
            .replacingOccurrences(of: "```", with: "`\u{200B}``")
    }
}
