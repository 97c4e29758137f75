import CopydeskWorkflow
import HTTPTypes

/// A request the service refuses, answered as `{"error":{"code":…,"message":…}}` with `status`.
/// `code` is a stable machine-readable word (documented in openapi.json); `message` is for people.
struct APIError: Error, Sendable {
    var status: HTTPResponse.Status
    var code: String
    var message: String
    /// Extra response headers (`Allow` on 405, `WWW-Authenticate` on 401, …).
    var headers: [(HTTPField.Name, String)] = []

    static func badRequest(_ message: String, code: String = "bad_request") -> APIError {
        APIError(status: .badRequest, code: code, message: message)
    }

    static func notFound(_ path: String) -> APIError {
        APIError(status: .notFound, code: "not_found", message: "No route \(path.quotedForMessage). Try GET /openapi.json.")
    }

    static func methodNotAllowed(_ method: HTTPRequest.Method, allowed: [HTTPRequest.Method]) -> APIError {
        let list = allowed.map(\.rawValue).joined(separator: ", ")
        return APIError(status: .methodNotAllowed, code: "method_not_allowed",
                        message: "\(method.rawValue) is not allowed here; use \(list).",
                        headers: [(.allow, list)])
    }

    static let unauthorized = APIError(
        status: .unauthorized, code: "unauthorized",
        message: "Missing or wrong bearer token: send `Authorization: Bearer TOKEN` (the token in the server's --token-file).",
        headers: [(.wwwAuthenticate, "Bearer realm=\"copydesk\"")])

    static func payloadTooLarge(limit: Int) -> APIError {
        APIError(status: .contentTooLarge, code: "payload_too_large",
                 message: "The body is over the server's limit of \(limit) bytes (--max-body-bytes).")
    }

    static func unsupportedMediaType(_ got: String?) -> APIError {
        APIError(status: .unsupportedMediaType, code: "unsupported_media_type",
                 message: "Content-Type \(got.map { $0.quotedForMessage } ?? "(none)") is not accepted: send application/json, text/plain, text/markdown or text/html (UTF-8).")
    }

    static func timeBudgetExceeded(seconds: Double) -> APIError {
        APIError(status: .serviceUnavailable, code: "time_budget_exceeded",
                 message: "The article took longer than the server's time budget of \(seconds) s (--time-budget-ms).",
                 headers: [(.retryAfter, "1")])
    }

    struct Body: Encodable {
        struct Inner: Encodable { var code: String; var message: String }
        var error: Inner
    }

    var json: String { JSONReporter.encode(Body(error: .init(code: code, message: message))) + "\n" }
}

extension String {
    /// For error messages: quoted, control characters escaped, cut at 80 characters (a request
    /// field can be anything; an error message never carries much of it).
    var quotedForMessage: String {
        var s = ""
        for ch in unicodeScalars.prefix(80) {
            switch ch {
            case "\"": s += "\\\""
            case "\\": s += "\\\\"
            case _ where ch.value < 0x20 || ch.value == 0x7F: s += "\\u{\(String(ch.value, radix: 16))}"
            default: s.unicodeScalars.append(ch)
            }
        }
        return "\"" + s + (unicodeScalars.count > 80 ? "…" : "") + "\""
    }
}
