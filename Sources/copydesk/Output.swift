import ArgumentParser
import CopydeskCore
import CopydeskWorkflow
#if canImport(Glibc)
import Glibc
#endif

/// Writes to standard output, all of it, retrying on EINTR.
func writeOut(_ s: String) {
    var s = s
    s.withUTF8 { buf in
        var off = 0
        while off < buf.count {
            let n = write(1, buf.baseAddress! + off, buf.count - off)
            if n <= 0 { if errno == EINTR { continue }; return }
            off += n
        }
    }
}

/// Writes bytes to standard output, all of them, retrying on EINTR.
func writeOutBytes(_ buf: UnsafeRawBufferPointer) {
    guard let base = buf.baseAddress else { return }
    var off = 0
    while off < buf.count {
        let n = write(1, base + off, buf.count - off)
        if n <= 0 { if errno == EINTR { continue }; return }
        off += n
    }
}

func writeErr(_ s: String) {
    var s = s
    s.withUTF8 { buf in _ = write(2, buf.baseAddress!, buf.count) }
}

func useColor(_ choice: ColorChoice, fd: Int32) -> Bool {
    switch choice {
    case .always: return true
    case .never: return false
    case .auto:
        if let v = getenv("NO_COLOR"), v.pointee != 0 { return false }
        if let t = getenv("TERM"), String(cString: t) == "dumb" { return false }
        return isatty(fd) == 1
    }
}

