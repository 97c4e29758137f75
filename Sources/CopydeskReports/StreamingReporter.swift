#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CopydeskCore

/// A report format that can be written file by file: the report is an opening, one part per
/// linted file (in path order, empty parts left out, joined by `partSeparator`) and a closing.
/// `render` of such a reporter is exactly `opening + parts + closing`, so streamed output and
/// rendered output are the same bytes.
public protocol StreamingReporter: Reporter {
    /// One linted file's part ("" when the file contributes nothing). Runs on worker threads.
    func part(for file: FileReport, lineText: [Int: String], context: ReportContext) -> String
    /// Between two non-empty parts.
    var partSeparator: String { get }
    /// The text before and after the parts. `result` holds every error and skipped file and
    /// the counts (`totals`); its `files` may be empty.
    func frame(_ result: LintResult, context: ReportContext) -> (opening: String, closing: String)
    /// Whether the opening depends on the whole run (then parts wait until the run is over).
    var openingDependsOnRun: Bool { get }
}

extension StreamingReporter {
    /// The whole report from a collected result, through the same parts as a stream.
    public func renderByParts(_ result: LintResult, context: ReportContext) -> String {
        let parts = result.files.map { part(for: $0, lineText: result.lineText[$0.path] ?? [:], context: context) }.filter { !$0.isEmpty }
        let (opening, closing) = frame(result, context: context)
        return opening + parts.joined(separator: partSeparator) + closing
    }
}

extension ReportFormat {
    /// The format's reporter when it can stream.
    public var streamingReporter: (any StreamingReporter)? {
        // Not a cast of `reporter`: a dynamic cast to a protocol costs a millisecond at start-up.
        if self == .text { return TextReporter() }
        if self == .json { return JSONReporter() }
        return nil
    }
}

/// Writes a streaming report as a run goes: parts go out as soon as they come, unless the
/// opening depends on the run (JSON: errors come first), in which case they wait in a spill
/// buffer (memory up to `memoryLimit`, then an anonymous temporary file) so memory stays flat.
public final class ReportStream {
    let reporter: any StreamingReporter
    let context: ReportContext
    let write: (UnsafeRawBufferPointer) -> Void
    private var parts = 0
    private var spill: SpillBuffer?

    public init(reporter: any StreamingReporter, context: ReportContext, memoryLimit: Int = 4 << 20,
                write: @escaping (UnsafeRawBufferPointer) -> Void) {
        self.reporter = reporter
        self.context = context
        self.write = write
        if reporter.openingDependsOnRun { spill = SpillBuffer(memoryLimit: memoryLimit) }
    }

    /// Adds one file's part (empty parts are left out).
    public func add(_ part: String) {
        guard !part.isEmpty else { return }
        var text = parts > 0 ? reporter.partSeparator + part : part
        parts += 1
        text.withUTF8 { buf in
            if let spill { spill.append(UnsafeRawBufferPointer(buf)) } else { write(UnsafeRawBufferPointer(buf)) }
        }
    }

    /// Writes what is left: the opening and the held parts (if they waited), and the closing.
    public func finish(_ result: LintResult) {
        let (opening, closing) = reporter.frame(result, context: context)
        if let spill {
            emit(opening)
            spill.drain(write)
        }
        emit(closing)
    }

    /// The opening when it does not depend on the run: written before the first part.
    public func start() {
        guard spill == nil else { return }
        // The opening of such a reporter does not look at the result.
        emit(reporter.frame(LintResult(), context: context).opening)
    }

    private func emit(_ s: String) {
        var s = s
        s.withUTF8 { write(UnsafeRawBufferPointer($0)) }
    }
}

/// Bytes held for later: in memory up to a limit, then in an unnamed temporary file.
final class SpillBuffer {
    let memoryLimit: Int
    private var memory: [UInt8] = []
    private var file: UnsafeMutablePointer<FILE>? = nil
    /// Set when the file could not take more (a full disk): the rest stays in memory.
    private var fileFull = false

    init(memoryLimit: Int) { self.memoryLimit = memoryLimit }

    deinit { if let file { fclose(file) } }

    func append(_ bytes: UnsafeRawBufferPointer) {
        if file == nil && memory.count + bytes.count > memoryLimit, let f = tmpfile() {
            file = f
            memory.withUnsafeBytes { writeAll($0) }
            memory = []
        }
        if file != nil && !fileFull { writeAll(bytes) } else { memory.append(contentsOf: bytes) }
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) {
        guard let file, let base = bytes.baseAddress, bytes.count > 0 else { return }
        let n = fwrite(base, 1, bytes.count, file)
        if n < bytes.count {
            // A full disk: what did not fit, and everything after it, stays in memory.
            fileFull = true
            memory.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[n...]))
        }
    }

    /// Hands everything over in order (file first, then what stayed in memory) and empties the buffer.
    func drain(_ write: (UnsafeRawBufferPointer) -> Void) {
        if let file {
            fflush(file)
            rewind(file)
            var chunk = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress!, 1, $0.count, file) }
                if n <= 0 { break }
                chunk.withUnsafeBytes { write(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            }
            fclose(file)
            self.file = nil
        }
        memory.withUnsafeBytes { if $0.count > 0 { write($0) } }
        memory = []
    }
}
