/// The small rules the eval tests share (never the default rules), as rule-file YAML: compose a
/// file with `file(_:)` from the rules below, choosing each rule's scope where the tests differ.
package enum EvalTestRules {
    /// One `existence` rule with one pattern (inserted as written, inside single quotes).
    package static func existence(_ id: String, _ category: String, _ severity: String, message: String,
                                  description: String, scope: String, pattern: String) -> String {
        [
            "  - id: \(id)",
            "    category: \(category)",
            "    severity: \(severity)",
            "    message: \"\(message)\"",
            "    description: \(description)",
            "    kind: existence",
            "    scope: \(scope)",
            "    patterns:",
            "      - '\(pattern)'",
        ].joined(separator: "\n") + "\n"
    }

    package static let you = existence("clickbait.you", "clickbait", "warning", message: "Speaks to the reader",
                                       description: "Second person in a headline.", scope: "headline", pattern: #"\byou\b"#)

    package static func newsletter(scope: String) -> String {
        existence("boilerplate.newsletter", "boilerplate", "info", message: "Newsletter prompt",
                  description: "Newsletter sign-up.", scope: scope, pattern: #"\bnewsletter\b"#)
    }

    package static func promo(scope: String) -> String {
        existence("ads.promo", "ads", "error", message: "Promo code", description: "A promo code line.",
                  scope: scope, pattern: #"\bpromo code\b"#)
    }

    /// A rule file holding `rules` in this order.
    package static func file(_ rules: String...) -> String { "rules:\n" + rules.joined() }
}
