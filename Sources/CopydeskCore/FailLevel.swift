/// The lowest severity that makes the run fail (exit 1), or never.
public enum FailLevel: String, Sendable, CaseIterable, Codable {
    case error, warning, info, never
    public var threshold: Severity? {
        switch self {
        case .error: .error
        case .warning: .warning
        case .info: .info
        case .never: nil
        }
    }
}
