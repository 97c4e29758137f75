/// Records mode: one article per JSON Lines record (`copydesk lint --records jsonl`,
/// `copydesk clean --records jsonl`), for archives kept as dumps rather than files.
public enum Records {
    /// The fields read from each record.
    public struct Fields: Sendable, Equatable {
        /// Named in the output; any JSON value, copied as written (null when absent).
        public var id = "id"
        /// The article's text (plain text unless `Options.reader` says otherwise).
        public var text = "text"
        /// A headline apart from the body (null, absent or empty: none).
        public var title = "title"
        /// The article as HTML: when the record has it (a string), it is read with the HTML
        /// reader in place of `text`.
        public var html = "html"
        public init(id: String = "id", text: String = "text", title: String = "title", html: String = "html") {
            self.id = id
            self.text = text
            self.title = title
            self.html = html
        }
    }

    public struct Options: Sendable {
        public var fields = Fields()
        /// The reader for the text field (the html field always uses the HTML reader).
        public var reader: DocumentFormat = .text
        /// Only findings of these categories (nil: all).
        public var categories: Set<Category>? = nil
        public init(fields: Fields = Fields(), reader: DocumentFormat = .text, categories: Set<Category>? = nil) {
            self.fields = fields
            self.reader = reader
            self.categories = categories
        }
    }

    /// One line of input, as read.
    public struct Line: Sendable {
        /// The input's name ("-" for standard input).
        public var source: String
        /// 1-based line number in that input.
        public var number: Int
        public var bytes: [UInt8]
        public init(source: String, number: Int, bytes: [UInt8]) {
            self.source = source
            self.number = number
            self.bytes = bytes
        }
    }

    /// A record's article, or why the line is not one.
    public struct Parsed: Sendable {
        public var json: JSONLine?
        /// The id's JSON as written (`null` when absent or unreadable).
        public var id: [UInt8]
        /// The record's name in file-style reports: the id (a string's text, other values as
        /// written), else `line N`.
        public var name: String
        public var article: Article?
        /// The member that holds the body (text or html) and its key.
        public var body: JSONLine.Member?
        public var bodyField: String
        /// The title as linted (line breaks as spaces), when the record has one.
        public var title: [UInt8]?
        /// Why the record cannot be read.
        public var problem: String?
    }

    /// Reads one line's record.
    public static func parse(_ line: Line, options: Options) -> Parsed {
        let fields = options.fields
        let fallbackName = "line \(line.number)"
        var p = Parsed(json: nil, id: Array("null".utf8), name: fallbackName, article: nil, body: nil, bodyField: fields.text, title: nil, problem: nil)
        let json: JSONLine
        do throws(JSONLine.Malformed) {
            json = try JSONLine(line.bytes)
        } catch {
            p.problem = error.description
            return p
        }
        p.json = json
        if let id = json.member(fields.id) {
            p.id = Array(json.raw(id))
            switch id.kind {
            case .string:
                let s = String(decoding: json.text(id), as: UTF8.self)
                if !s.isEmpty { p.name = s }
            case .null: break
            default: p.name = String(decoding: json.raw(id), as: UTF8.self)
            }
        }
        var format = options.reader
        var body: JSONLine.Member? = nil
        if let html = json.member(fields.html), html.kind != .null {
            guard html.kind == .string else {
                p.problem = "field \"\(fields.html)\" is \(article(html.kind)), not a string"
                return p
            }
            body = html
            p.bodyField = fields.html
            format = .html
        }
        if body == nil {
            guard let text = json.member(fields.text) else {
                p.problem = "no \"\(fields.text)\" field" + (fields.html.isEmpty ? "" : " (nor \"\(fields.html)\")")
                return p
            }
            guard text.kind == .string else {
                p.problem = "field \"\(fields.text)\" is \(article(text.kind)), not a string"
                return p
            }
            body = text
        }
        var headline: String? = nil
        if let title = json.member(fields.title), title.kind != .null {
            guard title.kind == .string else {
                p.problem = "field \"\(fields.title)\" is \(article(title.kind)), not a string"
                return p
            }
            // One line: line breaks in a title are spaces (as the engine reads a title field).
            let raw = String(decoding: json.text(title), as: UTF8.self)
            let oneLine = raw.split(whereSeparator: { $0.isNewline }).joined(separator: " ")
            if !oneLine.isEmpty {
                headline = oneLine
                p.title = Array(oneLine.utf8)
            }
        }
        p.body = body
        p.article = Article(bytes: json.text(body!), format: format, headline: headline, path: p.name, categories: options.categories)
        return p
    }

    private static func article(_ kind: JSONLine.Kind) -> String {
        switch kind {
        case .string: "a string"
        case .number: "a number"
        case .object: "an object"
        case .array: "an array"
        case .boolean: "a boolean"
        case .null: "null"
        }
    }

    /// The message of a line-level problem: `line N: …` (with the input's name when there are several).
    static func lineMessage(_ line: Line, _ problem: String, named: Bool) -> String {
        (named ? "\(line.source): " : "") + "line \(line.number): " + problem
    }
}
