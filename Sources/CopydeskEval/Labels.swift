import Foundation
import CopydeskCore
import CopydeskWorkflow

/// What a label value means for scoring.
public enum LabelTarget: Sendable, Hashable, CustomStringConvertible {
    /// A binary "yes" (`1`, `true`): positive for the dataset's category (`--category`, or the unit's default).
    case positive
    /// Positive for this category.
    case category(Category)
    /// The item should not be flagged (`0`, `false`, `content`).
    case negative
    /// Not scored: flagging it is neither credit nor fault (`other-boilerplate`).
    case neutral

    /// `positive`, `negative`, `neutral` or a category name.
    public init?(parsing s: String) {
        let v = s.trimmingCharacters(in: .whitespaces).lowercased()
        switch v {
        case "positive": self = .positive
        case "negative": self = .negative
        case "neutral": self = .neutral
        default:
            guard let c = Category(rawValue: v) else { return nil }
            self = .category(c)
        }
    }

    public var description: String {
        switch self {
        case .positive: "positive"
        case .category(let c): c.rawValue
        case .negative: "negative"
        case .neutral: "neutral"
        }
    }
}

/// Maps label values (compared trimmed and case-insensitively) to what they mean. Built-in values
/// cover binary labels and the boilerplate line labels; `--label-map VALUE=TARGET` adds or overrides.
public struct LabelMap: Sendable {
    public static let builtIn: [(String, LabelTarget)] = [
        ("1", .positive), ("true", .positive), ("yes", .positive), ("positive", .positive),
        ("0", .negative), ("false", .negative), ("no", .negative), ("negative", .negative),
        ("content", .negative), ("none", .negative),
        ("ad", .category(.ads)), ("ads", .category(.ads)), ("advertisement", .category(.ads)),
        ("poll", .category(.polls)), ("polls", .category(.polls)),
        ("clickbait", .category(.clickbait)),
        ("attribution", .category(.attribution)), ("unattributed", .category(.attribution)),
        ("claim", .category(.attribution)),
        ("boilerplate", .category(.boilerplate)), ("newsletter", .category(.boilerplate)),
        ("share", .category(.boilerplate)), ("recirculation", .category(.boilerplate)),
        ("disclaimer", .category(.boilerplate)),
        ("other-boilerplate", .neutral), ("neutral", .neutral),
    ]

    public private(set) var entries: [String: LabelTarget]

    public init(overrides: [(String, LabelTarget)] = []) {
        var e: [String: LabelTarget] = [:]
        for (k, v) in LabelMap.builtIn { e[k] = v }
        for (k, v) in overrides { e[LabelMap.key(k)] = v }
        entries = e
    }

    static func key(_ s: String) -> String { s.trimmingCharacters(in: .whitespaces).lowercased() }

    public func target(for label: String) -> LabelTarget? { entries[LabelMap.key(label)] }

    /// Parses `VALUE=TARGET[,VALUE=TARGET…]`.
    public static func parseOverrides(_ spec: String) throws(LabelMapError) -> [(String, LabelTarget)] {
        var out: [(String, LabelTarget)] = []
        for part in spec.split(separator: ",", omittingEmptySubsequences: true) {
            guard let eq = part.lastIndex(of: "=") else { throw LabelMapError(message: "'\(part)' is not VALUE=TARGET") }
            let value = String(part[..<eq]).trimmingCharacters(in: .whitespaces)
            let target = String(part[part.index(after: eq)...])
            if value.isEmpty { throw LabelMapError(message: "'\(part)': empty label value") }
            // A target is a category, positive/negative/neutral, or a built-in label value
            // (`related_content=recirculation` means what `recirculation` means).
            guard let t = LabelTarget(parsing: target) ?? LabelMap.builtIn.first(where: { $0.0 == key(target) })?.1 else {
                throw LabelMapError(message: "'\(part)': unknown target '\(target)' (expected one of \(Category.allCases.map(\.rawValue).joined(separator: ", ")), positive, negative, neutral, or a built-in label such as recirculation, newsletter, ad, claim, content)")
            }
            out.append((value, t))
        }
        return out
    }
}

public struct LabelMapError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// An item's truth: positive for one category, negative, or neutral.
public enum Gold: Sendable, Hashable {
    case positive(Category)
    case negative
    case neutral
}
