import CopydeskWorkflow
import Foundation

/// The body of `POST /v1/lint` and `POST /v1/clean`, read strictly: exactly one of `text`,
/// `markdown`, `html`; only the fields below (an unknown field is a 400, so a typo such as
/// `"headine"` is not silently ignored); each of the right JSON type (`null` is not: leave the
/// field out).
struct ArticleRequest: Equatable {
    /// `text`: the reader is chosen by `path`'s extension (then configuration), else plain text.
    /// `markdown` / `html`: that reader, whatever the path.
    var body: String
    var format: DocumentFormat?
    var headline: String?
    var path: String?
    var categories: Set<CopydeskCore.Category>?

    static let fields = ["text", "markdown", "html", "headline", "path", "categories"]

    var article: Article {
        Article(text: body, format: format, headline: headline, path: path, categories: categories)
    }

    /// Reads a JSON body.
    static func decode(json bytes: some Collection<UInt8>) throws(APIError) -> ArticleRequest {
        let parsed: [String: RequestJSON.Value]?
        do {
            if let p = try bytes.withContiguousStorageIfAvailable({ try RequestJSON.object($0) }) {
                parsed = p
            } else {
                parsed = try Array(bytes).withUnsafeBufferPointer { try RequestJSON.object($0) }
            }
        } catch {
            throw APIError.badRequest("The body is not valid JSON (UTF-8).", code: "invalid_json")
        }
        guard let object = parsed else {
            throw APIError.badRequest("The body must be a JSON object such as {\"text\": \"…\"}.", code: "wrong_type")
        }
        if let unknown = object.keys.sorted().first(where: { !fields.contains($0) }) {
            throw APIError.badRequest("Unknown field \(unknown.quotedForMessage): the fields are \(fields.joined(separator: ", ")).", code: "unknown_field")
        }
        func string(_ key: String) throws(APIError) -> String? {
            guard let v = object[key] else { return nil }
            guard case .string(let s) = v else {
                throw APIError.badRequest("Field \"\(key)\" must be a string.", code: "wrong_type")
            }
            return s
        }
        let given = try [("text", string("text")), ("markdown", string("markdown")), ("html", string("html"))]
            .compactMap { key, value in value.map { (key, $0) } }
        guard given.count == 1, let (key, body) = given.first else {
            throw APIError.badRequest(given.isEmpty
                ? "Give the article in one of the fields text, markdown or html."
                : "Give the article in only one of the fields text, markdown or html (got \(given.map(\.0).joined(separator: " and "))).",
                code: given.isEmpty ? "missing_field" : "bad_request")
        }
        var request = ArticleRequest(body: body, format: key == "markdown" ? .markdown : key == "html" ? .html : nil)
        request.headline = try string("headline")
        request.path = try string("path")
        if let v = object["categories"] {
            var names: [String] = []
            if case .array(let list) = v {
                for item in list {
                    guard case .string(let s) = item else { names = []; break }
                    names.append(s)
                }
                if names.count == list.count {
                    request.categories = try parseCategories(names)
                }
            }
            if request.categories == nil {
                throw APIError.badRequest("Field \"categories\" must be an array of strings.", code: "wrong_type")
            }
        }
        try request.validate()
        return request
    }

    /// The query parameters (`?headline=…&path=…&categories=ads,polls`): the fields of a raw
    /// body, and defaults for a JSON body's (a field in the body wins).
    static func query(_ items: [(String, String)]) throws(APIError) -> (headline: String?, path: String?, categories: Set<CopydeskCore.Category>?) {
        var request = ArticleRequest(body: "")
        for (key, value) in items {
            switch key {
            case "headline": request.headline = value
            case "path": request.path = value
            case "categories": request.categories = try parseCategories(value.split(separator: ",").map { String($0) })
            default:
                throw APIError.badRequest("Unknown query parameter \(key.quotedForMessage): the parameters are headline, path and categories.", code: "unknown_field")
            }
        }
        try request.validate()
        return (request.headline, request.path, request.categories)
    }

    static func parseCategories(_ names: [String]) throws(APIError) -> Set<CopydeskCore.Category> {
        var set = Set<CopydeskCore.Category>()
        for name in names {
            guard let c = CopydeskCore.Category(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                throw APIError.badRequest("Unknown category \(name.quotedForMessage): the categories are \((CopydeskCore.Category.allCases + [.copydesk]).map(\.rawValue).joined(separator: ", ")).", code: "bad_value")
            }
            set.insert(c)
        }
        return set
    }

    /// Paths are names (reader choice and configuration overrides), never read from disk; still,
    /// refuse what no article name looks like.
    func validate() throws(APIError) {
        // The limits of openapi.json (JSON Schema counts Unicode scalars).
        if let path {
            if path.isEmpty || path.unicodeScalars.count > 256 || path.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                throw APIError.badRequest("Field \"path\" must be a file name of 1 to 256 characters without control characters.", code: "bad_value")
            }
        }
        if let headline, headline.unicodeScalars.count > 1000 {
            throw APIError.badRequest("Field \"headline\" is over 1000 characters.", code: "bad_value")
        }
    }
}
