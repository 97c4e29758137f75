import CopydeskWorkflow
import Foundation

/// `copydesk serve` settings (the executable fills them from its flags; tests set them directly).
public struct ServeOptions: Sendable {
    public var host = "127.0.0.1"
    /// 0: any free port (tests).
    public var port = 8750
    /// `--config FILE`: one `.copydesk.yml` for every article (its per-path overrides match the
    /// request's `path`). Without it no configuration applies: the service never looks for
    /// configuration files next to a request's path.
    public var configFile: String?
    /// `--rules DIR`: these rule files instead of the built-in rules.
    public var rulesDirectory: String?
    /// `--token-file FILE`: requests to /v1/* and /metrics need `Authorization: Bearer TOKEN`.
    public var tokenFile: String?
    public var maxBodyBytes = 2_000_000
    /// `--cors-origin ORIGIN`: the origin browsers may call the API from (`*`: any). Nil: no CORS headers.
    public var corsOrigin: String?
    /// Bind a non-loopback address without a token.
    public var insecureNoAuth = false
    /// The longest one lint or clean may take before the request is answered 503.
    public var timeBudget: Duration = .seconds(5)
    /// Match limits: the engine's defaults but with a tighter time per rule (a service answers
    /// in milliseconds; a pathological pattern stops after 0.25 s plus 0.5 s per MiB of text).
    public var limits = MatchLimits(ruleSeconds: 0.25, ruleSecondsPerMiB: 0.5)
    /// Log one line per request.
    public var logRequests = true

    public init() {}

    public static let defaultPort = 8750

    /// Whether `host` names this machine only.
    public static func isLoopback(_ host: String) -> Bool {
        let h = host.lowercased()
        if h == "localhost" || h == "::1" || h == "[::1]" || h == "ip6-localhost" { return true }
        let parts = h.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    /// Problems that stop the server from starting (each a sentence for the user).
    public func problems() -> [String] {
        var out: [String] = []
        if !ServeOptions.isLoopback(host) && tokenFile == nil && !insecureNoAuth {
            out.append("--host \(host) is not a loopback address: give --token-file FILE (clients then send `Authorization: Bearer TOKEN`), or --insecure-no-auth to serve without authentication.")
        }
        if !(0...65535).contains(port) { out.append("--port must be 0…65535.") }
        if maxBodyBytes < 1 { out.append("--max-body-bytes must be at least 1.") }
        if let o = corsOrigin, o != "*", !(o.hasPrefix("http://") || o.hasPrefix("https://")) || o.hasSuffix("/") {
            out.append("--cors-origin must be an origin such as https://cms.example.com (scheme and host, no path) or *.")
        }
        return out
    }

    /// Reads the bearer token (surrounding whitespace and the final newline are not part of it).
    public static func readToken(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ServeError("cannot read --token-file \(path)")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard token.utf8.count >= 16 else {
            throw ServeError("--token-file \(path): the token must be at least 16 characters (e.g. `openssl rand -hex 32 > \(path)`)")
        }
        guard token.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw ServeError("--token-file \(path): the token must be printable ASCII without spaces")
        }
        return Array(token.utf8)
    }
}

public struct ServeError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Equal or not, in a time that depends on the expected token's length only (not on where the
/// first difference is).
func constantTimeEquals(_ given: some Collection<UInt8>, _ expected: [UInt8]) -> Bool {
    var diff: UInt8 = given.count == expected.count ? 0 : 1
    var it = given.makeIterator()
    for e in expected {
        diff |= (it.next() ?? 0) ^ e
    }
    return diff == 0
}
