import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a language server on stdin/stdout; logs go to stderr. Returns only by exiting the process.
public enum LSPStdio {
    public static func run(options: LanguageServer.Options) -> Never {
        signal(SIGPIPE, SIG_IGN)
        let outLock = Mutex(())
        let server = LanguageServer(
            options: options,
            output: { data in outLock.withLock { _ in writeAll(1, data) } },
            exit: { code in
                // Take the output lock so no message is cut off half-written.
                outLock.withLock { _ in exitProcess(code) }
            },
            log: { line in writeAll(2, Data((line + "\n").utf8)) }
        )
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            server.receive(buffer[0..<n])
        }
        server.endOfInput()
        // The server's queue calls exit; wait for it.
        while true { sleep(60) }
    }

    static func writeAll(_ fd: Int32, _ data: Data) {
        data.withUnsafeBytes { raw in
            guard var p = raw.baseAddress else { return }
            var left = raw.count
            while left > 0 {
                let w = write(fd, p, left)
                if w < 0 { if errno == EINTR { continue }; return }
                p += w
                left -= w
            }
        }
    }
}

private func exitProcess(_ code: Int32) { exit(code) }
