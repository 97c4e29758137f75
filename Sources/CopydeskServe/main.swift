import ArgumentParser
import CopydeskWorkflow
import CopydeskServer
import Foundation
import Logging
import NIOCore
import NIOPosix

/// `copydesk-serve` (run as `copydesk serve`): parse the flags, build, run. Everything else is in
/// CopydeskServer, which the tests drive.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copydesk serve",
        abstract: "Serve the linter over HTTP: an API for CMS pre-publish checks and a page to paste an article into.",
        discussion: """
            Routes: POST /v1/lint (JSON {"text"|"markdown"|"html", "headline", "path", "categories"}, or a raw \
            text/plain, text/markdown or text/html body with ?headline=&path=&categories=), POST /v1/clean, \
            GET /v1/rules, GET /healthz, GET /metrics (Prometheus), GET /openapi.json, GET / (the page).

            Loopback only by default. Binding another address needs --token-file (clients send \
            `Authorization: Bearer TOKEN` to /v1/* and /metrics) or --insecure-no-auth. No route reads \
            a file named in a request.

            Signals: SIGTERM/SIGINT stop accepting connections and finish the requests in flight; \
            SIGHUP re-reads the rules, the --config file and the token file (on an error the old ones \
            stay and the error is logged). One log line per request on stderr: method, path, status, \
            bytes, milliseconds (never the article).

            Exit status: 0 after a clean shutdown, 2 on a usage, rule-file or configuration error.
            """,
        version: CopydeskVersion.current
    )

    @Option(help: ArgumentHelp("Address to listen on.", valueName: "HOST"))
    var host = "127.0.0.1"

    @Option(help: ArgumentHelp("Port to listen on (0: any free port).", valueName: "PORT"))
    var port = ServeOptions.defaultPort

    @Option(help: ArgumentHelp("One .copydesk.yml for every request (its overrides match the request's path). Without it no configuration applies.", valueName: "FILE"))
    var config: String?

    @Option(help: ArgumentHelp("Use the rule files (*.yml) in DIR instead of the built-in rules.", valueName: "DIR"))
    var rules: String?

    @Option(name: .customLong("token-file"), help: ArgumentHelp("Require `Authorization: Bearer TOKEN` on /v1/* and /metrics; TOKEN is this file's content (16+ printable characters).", valueName: "FILE"))
    var tokenFile: String?

    @Option(name: .customLong("max-body-bytes"), help: ArgumentHelp("Largest request body; larger ones get 413.", valueName: "N"))
    var maxBodyBytes = 2_000_000

    @Option(name: .customLong("cors-origin"), help: ArgumentHelp("Let browser pages from ORIGIN (e.g. https://cms.example.com, or *) call /v1/*. Off by default.", valueName: "ORIGIN"))
    var corsOrigin: String?

    @Flag(name: .customLong("insecure-no-auth"), help: "Allow a non-loopback --host without --token-file.")
    var insecureNoAuth = false

    @Option(name: .customLong("time-budget-ms"), help: ArgumentHelp("Longest one lint or clean may take before the request gets 503.", valueName: "MS"))
    var timeBudgetMs = 5000

    @Option(name: .customLong("log-level"), help: ArgumentHelp("trace, debug, info (one line per request), notice, warning, error.", valueName: "LEVEL"))
    var logLevel = "info"

    /// `.ci/bench-serve`: the in-process figure for the same article wrk posts.
    @Option(name: .customLong("bench-lint"), help: ArgumentHelp("Time in-process lints of the JSON request in FILE and exit.", valueName: "FILE", visibility: .hidden))
    var benchLint: String?

    @Option(name: .customLong("bench-runs"), help: ArgumentHelp(visibility: .hidden))
    var benchRuns = 2000

    func run() async throws {
        if let benchLint {
            try ServeBenchmark.run(requestFile: benchLint, runs: benchRuns)
            return
        }
        var options = ServeOptions()
        options.host = host
        options.port = port
        options.configFile = config
        options.rulesDirectory = rules
        options.tokenFile = tokenFile
        options.maxBodyBytes = maxBodyBytes
        options.corsOrigin = corsOrigin
        options.insecureNoAuth = insecureNoAuth
        options.timeBudget = .milliseconds(max(1, timeBudgetMs))
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        let problems = options.problems()
        guard problems.isEmpty else { throw ValidationError(problems.joined(separator: "\n")) }
        LoggingSystem.bootstrap { label in
            var h = StderrLogHandler(label: label)
            h.logLevel = level
            return h
        }
        defer { StderrLogHandler.flush() }
        var logger = Logger(label: "copydesk-serve")
        logger.logLevel = level
        options.logRequests = level <= .info
        do {
            try await CopydeskServer.run(options: options, logger: logger)
        } catch let e as ServeError {
            StderrLogHandler.flush()
            FileHandle.standardError.write(Data("copydesk serve: \(e)\n".utf8))
            throw ExitCode(2)
        }
    }
}

// Swift Concurrency's jobs run on SwiftNIO's event loops (the threads that do the sockets'
// I/O) instead of a pool of their own, so a request is not handed between the two pools at each
// read and write. The lints still run on Dispatch threads (see `CopydeskAPI.withTimeBudget`).
// COPYDESK_SERVE_EXECUTOR=swift keeps Swift's own pool (for comparison).
if ProcessInfo.processInfo.environment["COPYDESK_SERVE_EXECUTOR"] != "swift" {
    NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
}

// Usage errors exit 2, as the copydesk CLI's do (not ArgumentParser's 64).
do {
    var command = try Serve.parseAsRoot()
    if let serve = command as? Serve {
        try await serve.run()
    } else {
        try command.run()
    }
} catch {
    let code = Serve.exitCode(for: error)
    if code == .success {
        print(Serve.fullMessage(for: error))
        exit(0)
    }
    if code.rawValue == 2 { exit(2) }
    FileHandle.standardError.write(Data("copydesk serve: \(Serve.fullMessage(for: error))\n".utf8))
    exit(2)
}
