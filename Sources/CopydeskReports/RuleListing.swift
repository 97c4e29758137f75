import CopydeskCore
/// `copydesk rules list`: the rules in effect as text or JSON (JSON carries the patterns).
public enum RuleListing {
    struct Entry: Encodable {
        var id: String
        var category: String
        var severity: String
        var kind: String
        var scope: String
        var message: String
        var description: String
        var caseSensitive: Bool
        var outsideQuotes: Bool
        var patterns: [String]
        var exceptions: [String]
        var attributions: [String]?
        /// `title-line` rules: their shape options.
        var titleLine: TitleLine?
        /// The literals the prefilter looks for before running the rule (`\b`/`\s` where the
        /// patterns require them around a literal); absent when the rule runs on every unit.
        var prefilter: [String]?
        /// Further literal sets a unit must also hold one literal of each (the patterns that
        /// need them are sequences of required parts); absent when there are none.
        var prefilterAlso: [[String]]?
        var file: String
        var line: Int
    }
    struct TitleLine: Encodable {
        var minWords: Int
        var maxWords: Int
        var minCapitalized: Double
        var skipSubheads: Bool
    }
    struct Listing: Encodable {
        var version = 1
        var tool: JSONReporter.Tool
        var rules: [Entry]
    }

    public static func render(_ set: RuleSet, format: ReportFormat) -> String {
        switch format {
        case .json:
            let prefilter = Prefilter(rules: set.rules)
            let entries = set.rules.enumerated().map { n, r in
                Entry(id: r.id, category: r.category.rawValue, severity: r.severity.rawValue, kind: r.kind.rawValue,
                      scope: r.scope.rawValue, message: r.message, description: r.description,
                      caseSensitive: r.caseSensitive, outsideQuotes: r.outsideQuotes,
                      patterns: r.patterns.map(\.source), exceptions: r.exceptions.map(\.source),
                      attributions: r.kind == .attribution ? r.attributions.map(\.source) : nil,
                      titleLine: r.kind == .titleLine
                          ? TitleLine(minWords: r.titleLine.minWords, maxWords: r.titleLine.maxWords,
                                      minCapitalized: r.titleLine.minCapitalized, skipSubheads: r.titleLine.skipSubheads)
                          : nil,
                      prefilter: prefilter.literals(ofRule: n),
                      prefilterAlso: prefilter.extraLiterals(ofRule: n),
                      file: r.file, line: r.line)
            }
            return JSONReporter.encode(Listing(tool: .init(name: "copydesk", version: CopydeskVersion.current), rules: entries)) + "\n"
        default:
            var out = ""
            let idWidth = set.rules.map(\.id.count).max() ?? 0
            for r in set.rules {
                let pad = String(repeating: " ", count: max(0, idWidth - r.id.count))
                out += "\(r.id)\(pad)  \(r.severity.rawValue.padding(7))  \(r.kind.rawValue.padding(11))  \(r.scope.rawValue.padding(15))  \(r.description.firstSentence)\n"
            }
            out += "\(set.rules.count) rule\(set.rules.count == 1 ? "" : "s")\n"
            return out
        }
    }
}

extension String {
    func padding(_ n: Int) -> String { count >= n ? self : self + String(repeating: " ", count: n - count) }
    var firstSentence: String {
        let flat = replacingNewlines()
        if let r = flat.range(of: ". ") { return String(flat[..<r.lowerBound]) + "." }
        return flat
    }
}
