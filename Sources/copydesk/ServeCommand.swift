import ArgumentParser
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `copydesk serve …` runs the `copydesk-serve` executable found next to this one (git-style:
/// `git foo` runs `git-foo`), with the arguments as given. The server is a separate product so
/// that Hummingbird and SwiftNIO, which more than double a clean build, stay out of the CLI's
/// build: `swift build -c release --product copydesk-serve` builds it.
///
/// main.swift hands `serve` here before parsing, so every flag (`--help` too) reaches
/// copydesk-serve; this command is registered for `copydesk --help` and as the fallback help.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the linter over HTTP for CMS pre-publish checks, with a page to paste an article into (runs copydesk-serve).",
        discussion: """
            Options (see `copydesk serve --help` once copydesk-serve is built):
              --host HOST            address to listen on (default 127.0.0.1; another address needs --token-file or --insecure-no-auth)
              --port PORT            default 8750 (0: any free port)
              --config FILE          one .copydesk.yml for every request
              --rules DIR            rule files instead of the built-in rules
              --token-file FILE      require `Authorization: Bearer TOKEN` on /v1/* and /metrics
              --max-body-bytes N     default 2000000 (larger bodies get 413)
              --cors-origin ORIGIN   let pages from ORIGIN call the API (off by default)
              --insecure-no-auth     allow a non-loopback --host without a token
              --time-budget-ms MS    longest one lint may take (default 5000; then 503)
              --log-level LEVEL      info logs one line per request

            Routes: POST /v1/lint, POST /v1/clean, GET /v1/rules, GET /healthz, GET /metrics, \
            GET /openapi.json, GET / (the page). See docs/serve.md.
            """
    )

    @Argument(parsing: .captureForPassthrough, help: "Options for copydesk-serve.")
    var arguments: [String] = []

    func run() throws {
        SiblingLauncher.serve.exec(arguments)
    }
}

/// Runs a sibling executable (`copydesk-serve`, `copydesk-mcp`) in place of this process.
struct SiblingLauncher {
    let command: String
    let binaryName: String
    let help: any ParsableCommand.Type
    let why: String

    static let serve = SiblingLauncher(command: "serve", binaryName: "copydesk-serve", help: Serve.self,
                                       why: "the HTTP server is a separate product so that its dependencies stay out of the CLI's build")
    static let mcp = SiblingLauncher(command: "mcp", binaryName: "copydesk-mcp", help: MCPCommand.self,
                                     why: "the MCP server is a separate product so that the MCP SDK's networking libraries are not loaded by every copydesk run")

    /// `copydesk-serve` beside the running executable (symlinks resolved, then as invoked), else on PATH.
    func findBinary() -> String? {
        var candidates: [String] = []
        #if os(Linux)
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if n > 0 {
            let exe = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            candidates.append(Self.directory(of: exe) + "/" + binaryName)
        }
        #endif
        let argv0 = CommandLine.arguments.first ?? ""
        if argv0.contains("/") {
            if let real = realpath(argv0, nil) {
                candidates.append(Self.directory(of: String(cString: real)) + "/" + binaryName)
                free(real)
            }
            candidates.append(Self.directory(of: argv0) + "/" + binaryName)
        }
        if let path = getenv("PATH") {
            for dir in String(cString: path).split(separator: ":") where !dir.isEmpty {
                candidates.append(String(dir) + "/" + binaryName)
            }
        }
        return candidates.first { access($0, X_OK) == 0 }
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Replaces this process with the sibling (same pid, so signals reach the server), or
    /// explains how to build it.
    func exec(_ arguments: [String]) -> Never {
        guard let binary = findBinary() else {
            if arguments.contains("--help") || arguments.contains("-h") || arguments.contains("help") {
                writeOut(Copydesk.helpMessage(for: help) + "\n")
                writeOut("\n" + missingMessage + "\n")
                exit(ExitStatus.clean)
            }
            writeErr("copydesk: " + missingMessage + "\n")
            exit(ExitStatus.trouble)
        }
        let argv = [binary] + arguments
        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) }
        cArgs.append(nil)
        execv(binary, cArgs)
        writeErr("copydesk: cannot run \(binary): \(String(cString: strerror(errno)))\n")
        exit(ExitStatus.trouble)
    }

    var missingMessage: String {
        """
        `copydesk \(command)` runs the \(binaryName) executable, which is not next to copydesk (nor on PATH). \
        Build it beside copydesk with:
          swift build -c release --product \(binaryName)
        (\(why)).
        """
    }
}
