import Foundation

/// The base protocol's framing: `Content-Length: N\r\n` (other header fields such as
/// `Content-Type` allowed and ignored), a blank line, then N bytes of JSON.
///
/// `MessageReader` takes bytes as they arrive (any chunking: a header split over reads, several
/// messages in one read) and hands back whole message bodies. A bad header block is reported as
/// an error and skipped, so the stream carries on with the next message.
public struct MessageReader: Sendable {
    public enum Item: Sendable, Equatable {
        /// One message body (JSON text, not yet parsed).
        case message(Data)
        /// A header block that could not be used; it was dropped.
        case badHeader(String)
    }

    /// Largest message accepted (a 64 MiB body is far beyond any article).
    public static let maxContentLength = 64 << 20
    /// A header block longer than this without its blank line is garbage.
    public static let maxHeaderLength = 8 << 10

    private var buffer: [UInt8] = []
    private var start = 0
    private var pendingLength: Int? = nil
    /// After a bad header: skipping bytes up to the next `Content-Length`.
    private var resyncing = false

    public init() {}

    /// Bytes received but not yet part of a whole message.
    public var bufferedCount: Int { buffer.count - start }

    /// Adds bytes from the stream and returns every message (or header error) now complete.
    public mutating func append<S: Sequence>(_ bytes: S) -> [Item] where S.Element == UInt8 {
        buffer.append(contentsOf: bytes)
        var out: [Item] = []
        while true {
            if resyncing && !resync() { break }
            if let length = pendingLength {
                guard buffer.count - start >= length else { break }
                out.append(.message(Data(buffer[start..<(start + length)])))
                start += length
                pendingLength = nil
                continue
            }
            guard let end = headerEnd() else {
                if buffer.count - start > MessageReader.maxHeaderLength {
                    out.append(.badHeader("no end of header within \(MessageReader.maxHeaderLength) bytes"))
                    start += 1
                    resyncing = true
                    continue
                }
                break
            }
            let header = String(decoding: buffer[start..<end.headerEnd], as: UTF8.self)
            start = end.bodyStart
            switch MessageReader.contentLength(header) {
            case .success(let n): pendingLength = n
            case .failure(let e):
                out.append(.badHeader(e.message))
                // The body that followed (if any) has no usable length: skip to the next header.
                resyncing = true
            }
        }
        // Drop consumed bytes now and then (not on every message: that would copy each time).
        if start > 0 && (start == buffer.count || start > 1 << 16) {
            buffer.removeFirst(start)
            start = 0
        }
        return out
    }

    /// The blank line ending the header block: `\r\n\r\n` (a bare `\n\n` is accepted too).
    private func headerEnd() -> (headerEnd: Int, bodyStart: Int)? {
        var i = start
        let n = buffer.count
        while i < n {
            if buffer[i] == 0x0A {
                if i + 1 < n && buffer[i + 1] == 0x0A { return (i, i + 2) }
                if i + 2 < n && buffer[i + 1] == 0x0D && buffer[i + 2] == 0x0A { return (i, i + 3) }
            }
            i += 1
        }
        return nil
    }

    /// Skips to the next `Content-Length` (case-insensitive): true when found (reading goes on
    /// from there); false when the buffer ran out (the last bytes are kept, as they may be the
    /// beginning of one).
    private mutating func resync() -> Bool {
        let needle = Array("content-length".utf8)
        var i = start
        while i + needle.count <= buffer.count {
            var k = 0
            while k < needle.count && (buffer[i + k] | 0x20) == needle[k] { k += 1 }
            if k == needle.count { start = i; resyncing = false; return true }
            i += 1
        }
        start = max(start, buffer.count - (needle.count - 1))
        return false
    }

    struct HeaderError: Error { var message: String }

    /// The Content-Length of a header block (lines separated by CRLF or LF).
    static func contentLength(_ header: String) -> Result<Int, HeaderError> {
        var length: Int? = nil
        for raw in header.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) {
            guard let colon = raw.firstIndex(of: ":") else {
                return .failure(HeaderError(message: "header line without a colon: \(raw.prefix(80))"))
            }
            let name = raw[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = raw[raw.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name == "content-length" {
                guard let n = Int(value), n >= 0 else {
                    return .failure(HeaderError(message: "Content-Length is not a number: \(value.prefix(40))"))
                }
                guard n <= maxContentLength else {
                    return .failure(HeaderError(message: "Content-Length \(n) is over the limit of \(maxContentLength) bytes"))
                }
                length = n
            }
        }
        guard let length else { return .failure(HeaderError(message: "no Content-Length header")) }
        return .success(length)
    }

    /// One message framed for the stream.
    public static func frame(_ body: Data) -> Data {
        var out = Data("Content-Length: \(body.count)\r\n\r\n".utf8)
        out.append(body)
        return out
    }
}
