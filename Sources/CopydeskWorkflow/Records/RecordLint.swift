import Foundation

extension Records {
    /// What linting one line gave.
    public struct Linted: Sendable {
        public var source: String
        public var line: Int
        /// The id's JSON as written (`null` when absent).
        public var id: [UInt8]
        /// The report in the coordinates of the record read as one document (with a title: the
        /// title on line 1, a blank line, the body from line 3), `path` = the record's name; a
        /// line that is not a record has one error and no findings.
        public var report: FileReport
        public var lineText: [Int: String]
        /// Where the body starts in the linted document.
        public var bodyStart: Int
        public var bodyStartLine: Int
        public var bodyField: String
        public var titleField: String
        /// The title as linted, and the reader (for mapping title spans back to the title).
        public var title: [UInt8]?
        public var format: DocumentFormat

        /// The findings with spans relative to the field each one is in (the body field's text,
        /// or the title's), each with that field's name.
        public var fieldFindings: [(field: String, finding: Finding)] {
            report.findings.map { f in
                var f = f
                if f.span.start.offset >= bodyStart || title == nil {
                    f.span.start = shiftBody(f.span.start)
                    f.span.end = shiftBody(f.span.end)
                    return (bodyField, f)
                }
                f.span.start = shiftTitle(f.span.start)
                f.span.end = shiftTitle(f.span.end)
                return (titleField, f)
            }
        }

        private func shiftBody(_ p: SourcePosition) -> SourcePosition {
            guard bodyStart > 0 else { return p }
            if p.offset < bodyStart { return SourcePosition(line: 1, column: 1, offset: 0) }
            return SourcePosition(line: p.line - (bodyStartLine - 1), column: p.column, offset: p.offset - bodyStart)
        }

        /// The title is linted as `TITLE` (text), `# TITLE` (Markdown) or `<h1>TITLE</h1>` with
        /// `&`, `<` and `>` escaped (HTML): spans go back to the title's own bytes.
        private func shiftTitle(_ p: SourcePosition) -> SourcePosition {
            guard let title, p.line == 1 else { return SourcePosition(line: 1, column: (title?.count ?? 0) + 1, offset: title?.count ?? 0) }
            let prefix = format == .text ? 0 : format == .markdown ? 2 : 4
            let linted = max(0, p.offset - prefix)
            var offset = min(linted, title.count)
            if format == .html {
                // Walk the title, adding up the escaped length, to the byte the offset falls on.
                var escaped = 0
                offset = title.count
                for (k, b) in title.enumerated() {
                    if escaped >= linted { offset = k; break }
                    escaped += b == UInt8(ascii: "&") ? 5 : (b == UInt8(ascii: "<") || b == UInt8(ascii: ">")) ? 4 : 1
                }
            }
            // Escapes are ASCII: the bytes they add are columns too.
            let extra = max(0, linted - offset)
            return SourcePosition(line: 1, column: max(1, p.column - prefix - extra), offset: offset)
        }
    }

    /// Lints one line's record (a line that is not one gives an error naming the line).
    public static func lint(_ line: Line, engine: Engine, options: Options, namedSources: Bool = false) -> Linted {
        let parsed = parse(line, options: options)
        var linted = Linted(source: line.source, line: line.number, id: parsed.id,
                            report: FileReport(path: parsed.name, findings: []), lineText: [:],
                            bodyStart: 0, bodyStartLine: 1, bodyField: parsed.bodyField, titleField: options.fields.title,
                            title: parsed.title, format: parsed.article?.format ?? options.reader)
        guard let article = parsed.article else {
            linted.report.errors = [FileError(path: parsed.name, message: lineMessage(line, parsed.problem ?? "not a record", named: namedSources))]
            return linted
        }
        let result = engine.lint(article)
        linted.report = result.report
        linted.lineText = result.lineText
        linted.bodyStart = result.bodyStart.offset
        linted.bodyStartLine = result.bodyStart.line
        return linted
    }

    // MARK: JSON Lines output

    /// The record's output line: `{"id":…,"line":N,"findings":[…],"errors":[…]}` and a line
    /// break. Findings have the JSON v1 report's fields (keys sorted) and `field`; their spans
    /// are relative to that field's text.
    public static func jsonLine(_ r: Linted) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 + r.id.count + 400 * r.report.findings.count)
        func put(_ s: StaticString) { s.withUTF8Buffer { out.append(contentsOf: $0) } }
        func number(_ n: Int) { out.append(contentsOf: String(n).utf8) }
        func position(_ p: SourcePosition) {
            put("{\"column\":"); number(p.column)
            put(",\"line\":"); number(p.line)
            put(",\"offset\":"); number(p.offset)
            put("}")
        }
        put("{\"id\":"); out += r.id
        put(",\"line\":"); number(r.line)
        put(",\"findings\":[")
        for (k, (field, f)) in r.fieldFindings.enumerated() {
            if k > 0 { put(",") }
            put("{\"category\":"); JSONLine.encodeString(f.category.rawValue, into: &out)
            put(",\"field\":"); JSONLine.encodeString(field, into: &out)
            put(",\"match\":"); JSONLine.encodeString(f.match, into: &out)
            put(",\"message\":"); JSONLine.encodeString(f.message, into: &out)
            put(",\"rule\":"); JSONLine.encodeString(f.rule, into: &out)
            put(",\"severity\":"); JSONLine.encodeString(f.severity.rawValue, into: &out)
            put(",\"span\":{\"end\":"); position(f.span.end)
            put(",\"start\":"); position(f.span.start)
            put("}}")
        }
        put("],\"errors\":[")
        for (k, e) in r.report.errors.enumerated() {
            if k > 0 { put(",") }
            put("{\"message\":"); JSONLine.encodeString(e.message, into: &out)
            put("}")
        }
        put("]}\n")
        return out
    }

    struct SummaryLine: Encodable {
        var type = "summary"
        var version = 1
        var tool: JSONReporter.Tool
        var records: Int
        var recordsWithFindings: Int
        var findings: Int
        var errors: Int
        var bySeverity: [String: Int]
        var byCategory: [String: Int]
    }

    /// The closing line of the JSON Lines output: `{"type":"summary",…}` (keys sorted).
    public static func summaryLine(_ result: LintResult, errors: Int, toolVersion: String = CopydeskVersion.current) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let line = SummaryLine(tool: .init(name: "copydesk", version: toolVersion), records: result.fileCount,
                               recordsWithFindings: result.filesWithFindingsCount, findings: result.findingCount, errors: errors,
                               bySeverity: JSONReporter.severityCounts(result), byCategory: JSONReporter.categoryCounts(result))
        guard let data = try? encoder.encode(line) else { return "{}\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    // MARK: running

    /// Reads the lines of several inputs one after another (blank lines skipped); an input that
    /// cannot be opened or read is noted in `errors` and the next one is read.
    public final class Reader {
        let paths: [String]
        var index = 0
        var current: LineSource? = nil
        public private(set) var errors: [FileError] = []

        public init(paths: [String]) { self.paths = paths }

        public func next() -> Line? {
            while true {
                if current == nil {
                    guard index < paths.count else { return nil }
                    do throws(FileError) { current = try LineSource(path: paths[index]) } catch { errors.append(error) }
                    index += 1
                    continue
                }
                let source = current!
                if let bytes = source.next() {
                    if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                    return Line(source: source.path, number: source.lineNumber, bytes: bytes)
                }
                if let e = source.error { errors.append(FileError(path: source.path, message: "read error after line \(source.lineNumber): \(e)")) }
                current = nil
            }
        }
    }

    /// Lints every record of `paths` ("-": standard input; gzip recognised) on `workers` threads
    /// and hands each to `each` in input order, with `render`'s bytes for it (made on the worker
    /// thread). At most `32 * workers` records are in memory at once. The result has no files:
    /// `tally` counts the records; `errors` holds the records' errors and then the inputs'
    /// (files that could not be opened or read), which are also in `inputErrors`.
    public static func run(paths: [String], engine: Engine, options: Options, workers: Int = System.coreCount,
                           render: @escaping @Sendable (Linted) -> [UInt8],
                           each: (Linted, [UInt8]) -> Void) -> (result: LintResult, inputErrors: [FileError]) {
        let reader = Reader(paths: paths)
        let named = paths.count > 1
        var tally = LintTally()
        var errors: [FileError] = []
        OrderedParallel.run(
            workers: max(1, workers), window: 32 * max(1, workers),
            next: { reader.next() },
            state: { () },
            work: { line, _ -> (Linted, [UInt8]) in
                let linted = lint(line, engine: engine, options: options, namedSources: named)
                return (linted, render(linted))
            },
            take: { linted, bytes in
                tally.add(linted.report)
                errors.append(contentsOf: linted.report.errors)
                each(linted, bytes)
            })
        var result = LintResult()
        result.tally = tally
        result.errors = errors + reader.errors
        return (result, reader.errors)
    }
}
