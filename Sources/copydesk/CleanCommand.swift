import ArgumentParser
import CopydeskCore
import CopydeskWorkflow
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

struct Clean: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clean",
        abstract: "Remove the lines that carry ads, poll solicitations and boilerplate.",
        discussion: """
            Each line holding a finding of the chosen categories is removed (a finding that spans \
            lines removes all of them), and the blank lines left behind are collapsed. A line where \
            the junk is a sentence inside article text (the sentences with findings cover less than \
            half of the line) is kept and named on standard error for an editor. Every other \
            byte stays as it was: line endings, a byte-order mark, invalid UTF-8, the final newline \
            or its absence. Attribution and clickbait findings are never removed: they need an \
            editor. Cleaning repeats until nothing removable is left, so cleaning twice changes \
            nothing more.

            With one PATH (or standard input, or -), the cleaned article goes to standard output \
            unless -o or --in-place says otherwise. Several PATHs or a directory need --in-place or \
            --dry-run. --in-place writes a temporary file beside each article, flushes it to disk, \
            gives it the article's permissions and renames it over the article, so the article is \
            always either the old or the new version; articles that need no change are not touched. \
            --dry-run writes nothing and prints a unified diff (apply it with `patch -p0`).

            Configuration (.copydesk.yml) applies as for lint: rules it turns off remove nothing, \
            excluded and git-ignored files in walked folders are left alone, and a line covered \
            by an inline `<!-- copydesk-disable … -->` comment is kept.

            Records: --records jsonl cleans one article per JSON Lines record (gzip input is \
            decompressed) and writes the records to standard output in input order, each with its \
            text (or HTML) field cleaned and every other byte of the line as it was (key order, \
            numbers, other fields); a line that is not a record is written unchanged and named on \
            standard error (exit status 2).

            Exit status: 0 done (or, with --dry-run, nothing to remove); 1 with --dry-run when \
            something would be removed; 2 on a usage, rule-file or I/O error (after handling \
            everything else).
            """
    )

    @Argument(help: ArgumentHelp("Articles or directories to clean; - reads standard input.", valueName: "PATH"))
    var paths: [String] = []

    @Flag(name: .customLong("in-place"), help: "Rewrite each article in place (atomically).")
    var inPlace = false

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("Write the cleaned article to OUT (- for standard output).", valueName: "OUT"))
    var output: String?

    @Option(name: .long, help: ArgumentHelp("Categories to remove, comma-separated: ads, polls, boilerplate.", valueName: "LIST"))
    var category: String = "ads,polls,boilerplate"

    @Flag(name: .customLong("dry-run"), help: "Write nothing; print a unified diff of what would be removed.")
    var dryRun = false

    @OptionGroup var ruleOptions: RuleOptions

    @Option(name: .long, help: "How the headline is found: auto, first-line or none (default: the configuration's, else auto).")
    var headline: HeadlineMode?

    @Option(name: .long, help: ArgumentHelp("Read every input with this reader (text, markdown or html) instead of choosing by extension.", valueName: "READER"))
    var reader: DocumentFormat?

    @Option(name: .customLong("stdin-filename"), help: ArgumentHelp("Name for standard input: used in messages, to pick the reader and to find the configuration.", valueName: "NAME"))
    var stdinName: String = "<stdin>"

    @OptionGroup var configOptions: ConfigOptions

    @Flag(name: .customLong("no-ignore"), help: "Also clean files that git ignores when walking folders.")
    var noIgnore = false

    @OptionGroup(title: "Records (JSON Lines archives)") var records: RecordsOptions

    func validate() throws {
        if inPlace && output != nil { throw ValidationError("--in-place and -o/--output cannot be used together.") }
        if dryRun && output != nil { throw ValidationError("--dry-run writes nothing, so it takes no -o/--output (redirect the diff instead).") }
        _ = try categories()
    }

    func categories() throws -> Set<Category> {
        var set = Set<Category>()
        for raw in category.split(separator: ",", omittingEmptySubsequences: false) {
            let name = raw.trimmingCharacters(in: .whitespaces)
            guard let c = Category(rawValue: name) else {
                throw ValidationError("unknown category '\(name)' in --category (expected: \(Cleaner.removableCategories.map(\.rawValue).joined(separator: ", "))).")
            }
            guard Cleaner.removableCategories.contains(c) else {
                throw ValidationError("--category \(name): clean never removes \(name) findings; they need an editor (use: \(Cleaner.removableCategories.map(\.rawValue).joined(separator: ", "))).")
            }
            set.insert(c)
        }
        return set
    }

    /// One input's result, kept small: the diff or cleaned bytes only when they must be printed.
    struct Outcome: Sendable {
        var path: String
        var removed = 0
        var byCategory: [Category: Int] = [:]
        var changed = false
        var printed: [UInt8]? = nil
        var skipped: String? = nil
        var errors: [String] = []
        var kept: [Cleaner.KeptLine] = []
    }

    func run() throws {
        if records.records != nil { return try runRecords(records) }
        var inputs = paths
        if inputs.isEmpty {
            guard isatty(0) != 1 else {
                throw ValidationError("no input: give the articles to clean, or pipe one to standard input.")
            }
            inputs = ["-"]
        }
        if inPlace && inputs.contains("-") { throw ValidationError("--in-place cannot rewrite standard input; use -o OUT or standard output.") }
        if inPlace || (output != nil && output != "-") { TemporaryFiles.installSignalHandlers() }

        let loaded = ruleOptions.load()
        if !loaded.errors.isEmpty {
            for e in loaded.errors { writeErr("copydesk: \(e)\n") }
            writeErr("copydesk: rule files have errors; nothing was cleaned\n")
            throw Exit(code: ExitStatus.trouble)
        }
        let linter = Linter(ruleSet: loaded.ruleSet)
        var options = Cleaner.Options()
        options.categories = try categories()

        var items: [InputItem] = []
        var outcomes: [Outcome] = []
        var seen = Set<String>()
        for item in FileWalker.expand(inputs) {
            switch item {
            case .error(let e): outcomes.append(Outcome(path: e.path, errors: [e.message]))
            case .file(let p): if seen.insert(p).inserted { items.append(item) }
            case .stdin: if seen.insert("-").inserted { items.append(item) }
            }
        }
        let directoryNamed = inputs.contains { p in p != "-" && FileWalker.isDirectory(p) }
        let streaming = !inPlace && !dryRun
        if streaming && (items.count + outcomes.count > 1 || directoryNamed) {
            throw ValidationError(output == nil || output == "-"
                ? "several inputs: use --in-place to rewrite them or --dry-run to see the changes."
                : "-o/--output takes one input.")
        }
        // Configuration: per-file rules, reader and headline; excluded and git-ignored files.
        let flow = Workflow(resolver: ConfigResolver(mode: configOptions.mode), baseRules: loaded.ruleSet,
                            respectGitIgnore: !noIgnore, formatOverride: reader, headlineOverride: headline)
        let prepared = flow.prepare(items, named: inputs, stdinName: stdinName)
        if !flow.errors.isEmpty {
            for e in flow.errors { writeErr("\(e.path): error: \(e.message)\n") }
            writeErr("copydesk: configuration has errors; nothing was cleaned\n")
            throw Exit(code: ExitStatus.trouble)
        }
        for s in prepared.skipped { outcomes.append(Outcome(path: s.path, skipped: s.reason)) }
        items = prepared.jobs.map(\.0)
        let plans = prepared.jobs.map(\.1)

        let mode: Mode = dryRun ? .dryRun : inPlace ? .inPlace : .output(output ?? "-")
        let jobs = items
        let cleanOptions = options
        let command = self
        let planList = plans
        let results = Mutex<[Int: Outcome]>([:])
        let next = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: max(1, min(System.coreCount, jobs.count))) { _ in
            let scratch = MatchScratch()
            while true {
                let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
                if i >= jobs.count { break }
                var fileOptions = cleanOptions
                fileOptions.format = planList[i].format
                fileOptions.headline = planList[i].headline ?? .auto
                fileOptions.rules = planList[i].rules
                let o = command.cleanOne(jobs[i], linter: linter, options: fileOptions, mode: mode, scratch: scratch)
                results.withLock { $0[i] = o }
            }
        }
        let done = results.withLock { $0 }
        outcomes += jobs.indices.compactMap { done[$0] }
        outcomes.sort { $0.path < $1.path }

        var changedCount = 0, unchanged = 0, errorCount = 0, skipped = 0
        let report = inPlace || dryRun   // per-file notes and a summary on standard error
        for o in outcomes {
            if let bytes = o.printed { writeOutBytes(bytes) }
            for e in o.errors { writeErr("\(o.path): error: \(e)\n"); errorCount += 1 }
            if let s = o.skipped { writeErr("\(o.path): skipped: \(s)\n"); skipped += 1; continue }
            for k in o.kept {
                writeErr("\(o.path):\(k.line): kept: \(k.category.rawValue) inside article text [\(k.rule)]; edit by hand\n")
            }
            if o.changed {
                changedCount += 1
                if report {
                    let cats = Cleaner.removableCategories.compactMap { c in o.byCategory[c].map { "\(c.rawValue) \($0)" } }.joined(separator: ", ")
                    writeErr("\(o.path): \(dryRun ? "would remove" : "removed") \(o.removed) line\(o.removed == 1 ? "" : "s")\(cats.isEmpty ? "" : " (findings: \(cats))")\n")
                }
            } else if o.errors.isEmpty {
                unchanged += 1
            }
        }
        if report {
            var summary = "\(changedCount) file\(changedCount == 1 ? "" : "s") \(dryRun ? "would change" : "cleaned"), \(unchanged) unchanged"
            if skipped > 0 { summary += ", \(skipped) skipped" }
            if errorCount > 0 { summary += "; \(errorCount) error\(errorCount == 1 ? "" : "s")" }
            writeErr(summary + "\n")
        }
        if errorCount > 0 { throw Exit(code: ExitStatus.trouble) }
        if dryRun && changedCount > 0 { throw Exit(code: ExitStatus.findings) }
    }

    enum Mode: Equatable { case inPlace, dryRun, output(String) }

    func cleanOne(_ item: InputItem, linter: Linter, options: Cleaner.Options, mode: Mode, scratch: MatchScratch) -> Outcome {
        let path: String
        let read: FileReader.Outcome
        var identity: AtomicFile.Identity? = nil
        switch item {
        case .file(let p):
            path = p
            identity = AtomicFile.identity(of: p)
            read = FileReader.read(p)
        case .stdin:
            path = stdinName
            read = FileReader.readStdin()
        case .error(let e):
            return Outcome(path: e.path, errors: [e.message])
        }
        var o = Outcome(path: path)
        let bytes: [UInt8]
        switch read {
        case .error(let m): o.errors.append(m); return o
        case .binary: o.skipped = "binary file (contains NUL bytes)"; return o
        case .bytes(let b): bytes = b
        }
        let readerPath = item == .stdin ? stdinName : path
        let result = Cleaner.clean(bytes, path: readerPath, linter: linter, options: options, scratch: scratch)
        o.errors += result.errors.map(\.message)
        o.changed = result.changed
        o.removed = result.removedLines.count
        o.kept = result.keptLines
        for f in result.findings where options.categories.contains(f.category) { o.byCategory[f.category, default: 0] += 1 }
        switch mode {
        case .dryRun:
            if result.changed { o.printed = UnifiedDiff.render(result.plan, original: bytes, path: path) }
        case .inPlace:
            guard result.changed else { return o }
            do throws(AtomicFile.Failure) {
                try AtomicFile.replace(path, with: result.cleaned, expected: identity)
            } catch {
                o.errors.append(error.message)
                o.changed = false
            }
        case .output(let out):
            if out == "-" {
                o.printed = result.cleaned
            } else {
                do throws(AtomicFile.Failure) {
                    try AtomicFile.write(result.cleaned, toNewOrExisting: out)
                } catch {
                    o.errors.append("\(out): \(error.message)")
                }
            }
        }
        return o
    }
}

/// Writes raw bytes to standard output, all of them, retrying on EINTR.
func writeOutBytes(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { buf in
        var off = 0
        while off < buf.count {
            let n = write(1, buf.baseAddress! + off, buf.count - off)
            if n <= 0 { if errno == EINTR { continue }; return }
            off += n
        }
    }
}
