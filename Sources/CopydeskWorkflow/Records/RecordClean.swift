extension Records {
    /// What cleaning one line gave.
    public struct Cleaned: Sendable {
        public var source: String
        public var line: Int
        /// The record's name (its id, else `line N`).
        public var name: String
        /// The line to write, with its line break: the original bytes with the body's value
        /// replaced by the cleaned text when something was removed, else the line as it was (a
        /// line that is not a record passes through too).
        public var output: [UInt8]
        public var removedLines: Int
        public var keptLines: [Cleaner.KeptLine]
        public var removedByCategory: [Category: Int]
        /// Why the line was left as it was (not a record), or a rule that hit a match limit.
        public var errors: [String]
        public var changed: Bool { removedLines > 0 }
    }

    /// Cleans one line's record: the body field (text, or html when the record has it) loses
    /// the lines `copydesk clean` removes; every other byte of the line (other fields, key
    /// order, number formatting, escapes elsewhere) stays as it was.
    public static func clean(_ line: Line, engine: Engine, options: Options,
                             categories: Set<Category> = Set(Cleaner.removableCategories), namedSources: Bool = false) -> Cleaned {
        let parsed = parse(line, options: options)
        var out = Cleaned(source: line.source, line: line.number, name: parsed.name, output: line.bytes + [0x0A],
                          removedLines: 0, keptLines: [], removedByCategory: [:], errors: [])
        guard let article = parsed.article, let json = parsed.json, let body = parsed.body else {
            out.errors = [lineMessage(line, parsed.problem ?? "not a record", named: namedSources)]
            return out
        }
        let result = engine.clean(article, categories: categories)
        out.errors = result.errors.map { lineMessage(line, $0.message, named: namedSources) }
        out.keptLines = result.keptLines
        for f in result.findings where categories.contains(f.category) { out.removedByCategory[f.category, default: 0] += 1 }
        guard result.changed else { return out }
        var value: [UInt8] = []
        value.reserveCapacity(result.cleaned.count + 16)
        JSONLine.encodeString(result.cleaned, into: &value)
        out.output = json.replacing(body, with: value) + [0x0A]
        out.removedLines = result.removedLines.count
        return out
    }

    /// Cleans every record of `paths` on `workers` threads and hands each to `each` in input
    /// order (at most `32 * workers` records in memory). Returns the inputs' own errors (a file
    /// that cannot be opened or read).
    public static func runClean(paths: [String], engine: Engine, options: Options,
                                categories: Set<Category> = Set(Cleaner.removableCategories),
                                workers: Int = System.coreCount, each: (Cleaned) -> Void) -> [FileError] {
        let reader = Reader(paths: paths)
        let named = paths.count > 1
        OrderedParallel.run(
            workers: max(1, workers), window: 32 * max(1, workers),
            next: { reader.next() },
            state: { () },
            work: { line, _ in clean(line, engine: engine, options: options, categories: categories, namedSources: named) },
            take: each)
        return reader.errors
    }
}
