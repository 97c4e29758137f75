/// What a finding is about.
public enum Category: String, Sendable, CaseIterable, Codable, Comparable {
    case ads, polls, clickbait, attribution, boilerplate
    /// Findings about Copydesk's own directives (`copydesk.unused-suppression`), not about the
    /// article. Not in `allCases` (the article categories that rules use); reports list it only
    /// when such findings exist.
    case copydesk
    public static var allCases: [Category] { [.ads, .polls, .clickbait, .attribution, .boilerplate] }
    public static func < (a: Category, b: Category) -> Bool { a.rawValue < b.rawValue }
}

/// How serious a finding is. Ordered: info < warning < error.
public enum Severity: String, Sendable, CaseIterable, Codable, Comparable {
    case info, warning, error
    var rank: Int { switch self { case .info: 0; case .warning: 1; case .error: 2 } }
    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

/// How a rule decides (one file per kind in Checks/).
public enum RuleKind: String, Sendable, CaseIterable, Codable {
    /// A pattern matches in the scope.
    case existence
    /// A claim cue in a sentence with no attribution and outside quotation marks.
    case attribution
    /// A standalone body line shaped like a headline (a recirculation headline).
    case titleLine = "title-line"
}

/// Examples that document a rule and run as tests. Triggering examples mark the expected span with «…».
public struct RuleExamples: Sendable, Equatable {
    public var triggering: [String]
    public var nontriggering: [String]
    public init(triggering: [String] = [], nontriggering: [String] = []) {
        self.triggering = triggering
        self.nontriggering = nontriggering
    }
}

/// Parameters of the `title-line` kind.
public struct TitleLineOptions: Sendable, Equatable {
    public var minWords = 4
    public var maxWords = 16
    public var minCapitalized = 0.75
    /// Skip a line that shares content words with the body paragraph right before or after it:
    /// a subhead introduces its own section, another story's headline does not.
    public var skipSubheads = false
    public init() {}
}

/// A compiled rule. Immutable; shared read-only across threads.
public final class Rule: Sendable {
    public let id: String
    public let category: Category
    public let severity: Severity
    public let message: String
    public let description: String
    public let kind: RuleKind
    public let scope: Scope
    public let caseSensitive: Bool
    public let outsideQuotes: Bool
    public let patterns: [Pattern]
    public let exceptions: [Pattern]
    public let attributions: [Pattern]
    public let titleLine: TitleLineOptions
    /// A scored cue (`score:` in the YAML): its matches give no finding on their own; a unit of
    /// its scope is flagged when the scores of the distinct cues of its category that fired there
    /// add up to at least `threshold` (see `ScoredCues`). nil: an ordinary rule.
    public let score: Double?
    /// The threshold of the rule's category (`categories: {C: {threshold: T}}` in a rule file;
    /// 1 when no file sets one). Meaningful only for a scored rule.
    public let threshold: Double
    public let examples: RuleExamples
    /// Where the rule was defined (file name and 1-based line).
    public let file: String
    public let line: Int
    /// What the prefilter derives from the patterns, when it was worked out before (at build
    /// time, for the built-in rules); nil: the prefilter works it out.
    package let prefilterData: RulePrefilterData?

    public convenience init(id: String, category: Category, severity: Severity, message: String, description: String,
                kind: RuleKind, scope: Scope, caseSensitive: Bool = false, outsideQuotes: Bool = false,
                patterns: [Pattern], exceptions: [Pattern] = [], attributions: [Pattern] = [],
                titleLine: TitleLineOptions = TitleLineOptions(),
                score: Double? = nil, threshold: Double = Rule.defaultThreshold,
                examples: RuleExamples = RuleExamples(triggering: [], nontriggering: []),
                file: String = "", line: Int = 0) {
        self.init(id: id, category: category, severity: severity, message: message, description: description,
                  kind: kind, scope: scope, caseSensitive: caseSensitive, outsideQuotes: outsideQuotes,
                  patterns: patterns, exceptions: exceptions, attributions: attributions, titleLine: titleLine,
                  score: score, threshold: threshold,
                  examples: examples, file: file, line: line, prefilterData: nil)
    }

    /// The threshold of a category whose rule files set none.
    public static let defaultThreshold = 1.0

    package init(id: String, category: Category, severity: Severity, message: String, description: String,
         kind: RuleKind, scope: Scope, caseSensitive: Bool, outsideQuotes: Bool,
         patterns: [Pattern], exceptions: [Pattern], attributions: [Pattern],
         titleLine: TitleLineOptions, score: Double?, threshold: Double, examples: RuleExamples, file: String, line: Int,
         prefilterData: RulePrefilterData?) {
        self.id = id
        self.category = category
        self.severity = severity
        self.message = message
        self.description = description
        self.kind = kind
        self.scope = scope
        self.caseSensitive = caseSensitive
        self.outsideQuotes = outsideQuotes
        self.patterns = patterns
        self.exceptions = exceptions
        self.attributions = attributions
        self.titleLine = titleLine
        self.score = score
        self.threshold = threshold
        self.examples = examples
        self.file = file
        self.line = line
        self.prefilterData = prefilterData
    }

    /// The same rule with another score and threshold (nil score: an ordinary rule, as the
    /// example runner checks a cue on its own). Keeps the prefilter data.
    public func with(score: Double?, threshold: Double) -> Rule {
        Rule(id: id, category: category, severity: severity, message: message, description: description,
             kind: kind, scope: scope, caseSensitive: caseSensitive, outsideQuotes: outsideQuotes,
             patterns: patterns, exceptions: exceptions, attributions: attributions, titleLine: titleLine,
             score: score, threshold: threshold, examples: examples, file: file, line: line, prefilterData: prefilterData)
    }

    /// The message with `{match}` (the finding's text) and `{1}`…`{9}` (capture groups of the
    /// rule's match in `bytes`) filled in. Works on UTF-8 bytes: `{` and `}` are ASCII, and
    /// filled-in values have their line breaks turned into spaces (as `replacingNewlines`).
    func renderMessage(_ bytes: [UInt8], match: String, groups: [Range<Int>?]) -> String {
        let open = UInt8(ascii: "{"), close = UInt8(ascii: "}")
        var msg = message
        return msg.withUTF8 { m -> String in
            guard m.contains(open) else { return message }
            var out: [UInt8] = []
            out.reserveCapacity(m.count + match.utf8.count + 16)
            @inline(__always) func appendValue(_ v: some Sequence<UInt8>) {
                for b in v { out.append(b == 0x0A || b == 0x0D ? 0x20 : b) }
            }
            var i = 0
            while i < m.count {
                let b = m[i]
                if b == open, let end = m[(i + 1)...].firstIndex(of: close) {
                    let name = UnsafeBufferPointer(rebasing: m[(i + 1)..<end])
                    if name.elementsEqual("match".utf8) || name.elementsEqual("0".utf8) {
                        appendValue(match.utf8)
                        i = end + 1
                        continue
                    }
                    if let n = Int(String(decoding: name, as: UTF8.self)), n >= 1, n <= 9 {
                        if n <= groups.count, let g = groups[n - 1] {
                            // As text first: invalid UTF-8 in the article is repaired the same way.
                            appendValue(UTF8Scan.string(bytes[g]).utf8)
                        }
                        i = end + 1
                        continue
                    }
                }
                out.append(b)
                i += 1
            }
            return String(decoding: out, as: UTF8.self)
        }
    }
}

extension String {
    package func replacingNewlines() -> String {
        // Most values have no line break: return them as they are.
        guard utf8.contains(where: { $0 == 0x0A || $0 == 0x0D }) else { return self }
        return String(unicodeScalars.map { $0 == "\n" || $0 == "\r" ? " " : Character($0) })
    }
}

/// What a rule file says about a category as a whole (`categories:` at the top level): the
/// threshold its scored cues must reach in a unit, and examples that run against all the
/// category's rules together (the threshold included).
public struct CategorySettings: Sendable, Equatable {
    public var category: Category
    public var threshold: Double?
    /// Where the category examples are placed (the scope of its scored rules; `scope:`).
    public var scope: Scope
    public var examples: RuleExamples
    public var file: String
    public var line: Int
    public init(category: Category, threshold: Double?, scope: Scope, examples: RuleExamples = RuleExamples(), file: String = "", line: Int = 0) {
        self.category = category
        self.threshold = threshold
        self.scope = scope
        self.examples = examples
        self.file = file
        self.line = line
    }
}

/// The rules in effect, sorted by id.
public struct RuleSet: Sendable {
    public let rules: [Rule]
    public init(_ rules: [Rule]) { self.rules = rules.sorted { $0.id < $1.id } }
    public func rule(id: String) -> Rule? { rules.first { $0.id == id } }
}
