import ArgumentParser
import CopydeskWorkflow
#if canImport(Glibc)
import Glibc
#endif

enum RecordsFormat: String, ExpressibleByArgument, CaseIterable { case jsonl }

/// `--records jsonl` and the fields it reads (shared by `lint` and `clean`).
struct RecordsOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Read one article per record: jsonl (JSON Lines, one object per line; gzip input such as .jsonl.gz is decompressed). PATHs are record files, - standard input.", valueName: "FORMAT"))
    var records: RecordsFormat?

    @Option(name: .customLong("id-field"), help: ArgumentHelp("Records: the field that names a record in the output (any JSON value, copied as written).", valueName: "FIELD"))
    var idField = "id"

    @Option(name: .customLong("text-field"), help: ArgumentHelp("Records: the field with the article text (read with --reader, default plain text).", valueName: "FIELD"))
    var textField = "text"

    @Option(name: .customLong("title-field"), help: ArgumentHelp("Records: the field with the headline, linted as the article's first line (null or absent: none).", valueName: "FIELD"))
    var titleField = "title"

    @Option(name: .customLong("html-field"), help: ArgumentHelp("Records: the field with the article as HTML; a record that has it is read with the HTML reader instead of the text field.", valueName: "FIELD"))
    var htmlField = "html"

    var fields: Records.Fields { Records.Fields(id: idField, text: textField, title: titleField, html: htmlField) }

    /// The inputs: PATHs, else standard input when it is not a terminal.
    func inputs(_ paths: [String]) throws -> [String] {
        if !paths.isEmpty { return paths }
        guard isatty(0) != 1 else { throw ValidationError("--records: give the record files, or pipe them to standard input (-).") }
        return ["-"]
    }
}

/// Standard output through a 1 MiB buffer (records mode writes many small lines).
final class BufferedOutput {
    private var buffer: [UInt8] = []
    init() { buffer.reserveCapacity(1 << 20) }
    func write(_ bytes: UnsafeRawBufferPointer) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 20 { flush() }
    }
    func write(_ bytes: [UInt8]) { bytes.withUnsafeBytes { write($0) } }
    func write(_ s: String) { var s = s; s.withUTF8 { write(UnsafeRawBufferPointer($0)) } }
    func flush() {
        buffer.withUnsafeBytes { writeOutBytes($0) }
        buffer.removeAll(keepingCapacity: true)
    }
}

extension Lint {
    /// `copydesk lint --records jsonl`: one article per record, the output in input order.
    func runRecords(_ recordOptions: RecordsOptions) throws {
        var unsupported: [String] = []
        if workflow.output != nil { unsupported.append("-o/--output") }
        if !workflow.reports.isEmpty { unsupported.append("--report") }
        if workflow.baseline != nil || workflow.writeBaseline != nil { unsupported.append("baselines") }
        if workflow.configOptions.config != nil { unsupported.append("--config") }
        if headline != nil { unsupported.append("--headline (a record's headline is its title field)") }
        if stats { unsupported.append("--stats") }
        if stdinName != "<stdin>" { unsupported.append("--stdin-filename") }
        if !unsupported.isEmpty { throw ValidationError("--records: not supported with records: \(unsupported.joined(separator: ", ")).") }
        guard [.jsonl, .json, .text].contains(format) else {
            throw ValidationError("--records: --format \(format.rawValue) is not supported with records (use jsonl, json or text).")
        }
        let inputs = try recordOptions.inputs(paths)
        let loaded = ruleOptions.load()
        let engine = Engine(ruleSet: loaded.ruleSet, ruleErrors: loaded.errors, prefilter: !noPrefilter)
        let ruleErrors = loaded.errors.map { FileError(path: $0.file, message: ruleErrorMessage($0)) }
        for e in ruleErrors { writeErr("\(e.path): error: \(e.message)\n") }
        let options = Records.Options(fields: recordOptions.fields, reader: reader ?? .text)
        let out = BufferedOutput()
        var result: LintResult
        var inputErrors: [FileError]
        if format == .jsonl {
            (result, inputErrors) = Records.run(paths: inputs, engine: engine, options: options, render: Records.jsonLine) { _, bytes in out.write(bytes) }
        } else {
            let reporter: any StreamingReporter = format == .json ? JSONReporter() : TextReporter()
            let context = ReportContext(color: format == .text && useColor(color, fd: 1), ruleSet: engine.ruleSet)
            let stream = ReportStream(reporter: reporter, context: context, write: { out.write($0) })
            stream.start()
            (result, inputErrors) = Records.run(paths: inputs, engine: engine, options: options,
                                                render: { Array(reporter.part(for: $0.report, lineText: $0.lineText, context: context).utf8) }) { _, bytes in
                stream.add(String(decoding: bytes, as: UTF8.self))
            }
            result.errors.append(contentsOf: ruleErrors)
            stream.finish(result)
        }
        // Inputs that could not be read are not records: they go to standard error.
        for e in inputErrors { writeErr("copydesk: \(e.path): \(e.message)\n") }
        if format == .jsonl { out.write(Records.summaryLine(result, errors: result.errors.count + ruleErrors.count)) }
        out.flush()
        if !result.errors.isEmpty || !ruleErrors.isEmpty { throw Exit(code: ExitStatus.trouble) }
        if result.hasFailingFindings(fallback: failOn.map(FailLevel.init) ?? .error) { throw Exit(code: ExitStatus.findings) }
    }
}

extension Clean {
    /// `copydesk clean --records jsonl`: the records again, on standard output, with the body
    /// field cleaned and every other byte of each line kept.
    func runRecords(_ recordOptions: RecordsOptions) throws {
        var unsupported: [String] = []
        if inPlace { unsupported.append("--in-place") }
        if dryRun { unsupported.append("--dry-run") }
        if let output, output != "-" { unsupported.append("-o FILE (redirect standard output)") }
        if headline != nil { unsupported.append("--headline") }
        if configOptions.config != nil { unsupported.append("--config") }
        if !unsupported.isEmpty { throw ValidationError("--records: not supported with records: \(unsupported.joined(separator: ", ")).") }
        let inputs = try recordOptions.inputs(paths)
        let loaded = ruleOptions.load()
        if !loaded.errors.isEmpty {
            for e in loaded.errors { writeErr("copydesk: \(e)\n") }
            writeErr("copydesk: rule files have errors; nothing was cleaned\n")
            throw Exit(code: ExitStatus.trouble)
        }
        let engine = Engine(ruleSet: loaded.ruleSet, ruleErrors: loaded.errors)
        let options = Records.Options(fields: recordOptions.fields, reader: reader ?? .text)
        let out = BufferedOutput()
        var changed = 0, unchanged = 0, errors = 0, removed = 0, kept = 0
        let inputErrors = Records.runClean(paths: inputs, engine: engine, options: options, categories: try categories()) { c in
            out.write(c.output)
            for e in c.errors { writeErr("\(c.source == "-" ? "<stdin>" : c.source): error: \(e)\n"); errors += 1 }
            if c.changed { changed += 1; removed += c.removedLines } else if c.errors.isEmpty { unchanged += 1 }
            kept += c.keptLines.count
        }
        out.flush()
        for e in inputErrors { writeErr("copydesk: \(e.path): \(e.message)\n"); errors += 1 }
        var summary = "\(changed) record\(changed == 1 ? "" : "s") cleaned (\(removed) line\(removed == 1 ? "" : "s") removed), \(unchanged) unchanged"
        if kept > 0 { summary += "; \(kept) line\(kept == 1 ? "" : "s") with junk inside article text kept for an editor" }
        if errors > 0 { summary += "; \(errors) error\(errors == 1 ? "" : "s")" }
        writeErr(summary + "\n")
        if errors > 0 { throw Exit(code: ExitStatus.trouble) }
    }
}
