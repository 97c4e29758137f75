import CopydeskWorkflow
import CopydeskTestSupport
import CopydeskServer
import Foundation
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Real HTTP/1.1 over loopback, one connection per request (`Connection: close`), bytes exactly as
/// given (bad JSON, invalid UTF-8, any header). The socket calls run on a thread of their own, not
/// on Swift's cooperative pool, which the server in this same process needs.
struct HTTPTestClient: Sendable {
    let port: Int

    struct Response: Sendable {
        var status: Int
        var headers: [(String, String)]
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:] }
        /// `error.code` of a JSON error.
        var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
    }

    func send(_ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8]? = nil) async throws -> Response {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        if let body, !headers.contains(where: { ["content-length", "transfer-encoding"].contains($0.0.lowercased()) }) { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        let request = Array(head.utf8) + (body ?? [])
        let port = self.port
        let raw: [UInt8] = try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try HTTPTestClient.exchange(port: port, request: request) })
            }
            thread.start()
        }
        return try HTTPTestClient.parse(raw, method: method)
    }

    func get(_ target: String, headers: [(String, String)] = []) async throws -> Response {
        try await send("GET", target, headers: headers)
    }

    func post(_ target: String, contentType: String? = "application/json", body: String, headers: [(String, String)] = []) async throws -> Response {
        try await send("POST", target, headers: (contentType.map { [("Content-Type", $0)] } ?? []) + headers, body: Array(body.utf8))
    }

    func postJSON(_ target: String, _ object: [String: Any], headers: [(String, String)] = []) async throws -> Response {
        let data = try JSONSerialization.data(withJSONObject: object)
        return try await send("POST", target, headers: [("Content-Type", "application/json")] + headers, body: Array(data))
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    private static func exchange(port: Int, request: [UInt8]) throws -> [UInt8] {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(errno)") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 120, tv_usec: 0)   // generous: the whole suite runs in parallel on 2 cores
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure(description: "connect: \(errno)") }
        // Send what the server takes; it may answer (413) and close before reading everything.
        var sent = 0
        while sent < request.count {
            let n = request[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }
            sent += n
        }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 { out += buffer[0..<n]; continue }
            if n == 0 || errno == ECONNRESET { break }
            if errno == EINTR { continue }
            throw Failure(description: "recv: \(errno)")
        }
        return out
    }

    private static func parse(_ raw: [UInt8], method: String) throws -> Response {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = raw.indices.first(where: { raw[$0...].starts(with: separator) }) else {
            throw Failure(description: "no response head in \(raw.count) bytes")
        }
        let lines = String(decoding: raw[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw Failure(description: "bad status line \(lines[0])") }
        var headers: [(String, String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var body = Array(raw[(end + 4)...])
        if let length = headers.first(where: { $0.0.lowercased() == "content-length" }).flatMap({ Int($0.1) }), method != "HEAD" {
            guard body.count >= length else { throw Failure(description: "short body: \(body.count) of \(length)") }
            body = Array(body.prefix(length))
        } else if headers.contains(where: { $0.0.lowercased() == "transfer-encoding" && $0.1.lowercased().contains("chunked") }) {
            body = dechunk(body)
        }
        return Response(status: status, headers: headers, body: body)
    }

    private static func dechunk(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < data.count {
            guard let lineEnd = (i..<data.count - 1).first(where: { data[$0] == 13 && data[$0 + 1] == 10 }) else { break }
            let size = Int(String(decoding: data[i..<lineEnd], as: UTF8.self).split(separator: ";")[0], radix: 16) ?? 0
            if size == 0 { break }
            out += data[(lineEnd + 2)..<min(data.count, lineEnd + 2 + size)]
            i = lineEnd + 2 + size + 2
        }
        return out
    }
}

/// Collects log lines (to check what the request log says, and what it never says).
final class LogCollector: Sendable {
    let lines = Mutex<[String]>([])

    var logger: Logger {
        var logger = Logger(label: "copydesk-serve-test") { _ in Handler(collector: self) }
        logger.logLevel = .info
        return logger
    }

    struct Handler: LogHandler {
        let collector: LogCollector
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            collector.lines.withLock { $0.append("\(event.level) \(event.message)") }
        }
    }
}

/// The built-in rules, compiled once for every test.
let sharedEngine = Engine(rulesDirectory: nil, configuration: .none, limits: ServeOptions().limits)

/// Starts a server on a free loopback port, runs `body` with a client, stops the server.
func withServer(_ configure: (inout ServeOptions) -> Void = { _ in }, engine: Engine? = sharedEngine, logs: LogCollector = LogCollector(),
                _ body: (HTTPTestClient, CopydeskAPI) async throws -> Void) async throws {
    var options = ServeOptions()
    options.port = 0
    configure(&options)
    let api = try CopydeskAPI(options: options, engine: engine, logger: logs.logger)
    let server = try await CopydeskServer.start(api: api)
    do {
        try await body(HTTPTestClient(port: server.port), api)
    } catch {
        try await server.stop()
        throw error
    }
    try await server.stop()
}

func fixture(_ relative: String) -> String {
    (try? String(contentsOf: packageRoot.appendingPathComponent(relative), encoding: .utf8)) ?? ""
}
