import Dispatch
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The server's log handler: one line per event on stderr, written by a serial queue so a
/// request never waits for the terminal or the disk (swift-log's StreamLogHandler writes under a
/// lock on the calling thread: with a line per request that held back Swift's cooperative
/// threads, which serve the requests, and cost a third of the throughput in `.ci/bench-serve`).
///
/// Format: `2026-12-04T16:08:38Z info copydesk-serve: message key=value`.
public struct StderrLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private static let queue = DispatchQueue(label: "copydesk-serve.log")

    public init(label: String) { self.label = label }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = StderrLogHandler.timestamp() + " \(event.level) \(label): \(event.message)"
        if !metadata.isEmpty || !(event.metadata?.isEmpty ?? true) {
            let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
            for (k, v) in all.sorted(by: { $0.key < $1.key }) { line += " \(k)=\(v)" }
        }
        line += "\n"
        // Lines gather in one buffer; the queue is woken only when it was empty, and writes all
        // that gathered in one `write` (under load, many lines per call).
        let wake = StderrLogHandler.pending.withLock { buffer in
            let wasEmpty = buffer.isEmpty
            buffer.append(contentsOf: line.utf8)
            return wasEmpty
        }
        if wake { StderrLogHandler.queue.async { StderrLogHandler.drain() } }
    }

    private static let pending = Mutex<[UInt8]>([])

    private static func drain() {
        let bytes = pending.withLock { buffer in
            let taken = buffer
            buffer.removeAll(keepingCapacity: true)
            return taken
        }
        bytes.withUnsafeBufferPointer { buf in
            var off = 0
            while off < buf.count {
                let n = write(2, buf.baseAddress! + off, buf.count - off)
                if n <= 0 { if errno == EINTR { continue }; return }
                off += n
            }
        }
    }

    /// Waits until every line logged so far is written (before the process exits).
    public static func flush() { queue.sync {} }

    static func timestamp() -> String {
        var t = time(nil)
        var tm = tm()
        gmtime_r(&t, &tm)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(tm.tm_year + 1900)-\(two(tm.tm_mon + 1))-\(two(tm.tm_mday))T\(two(tm.tm_hour)):\(two(tm.tm_min)):\(two(tm.tm_sec))Z"
    }
}
