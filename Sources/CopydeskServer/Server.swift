import CopydeskWorkflow
import Hummingbird
import Logging
import ServiceLifecycle
import UnixSignals

/// Hands every request to the `CopydeskAPI` (a router would add nothing for seven fixed paths,
/// and doing the matching here gives 404 and 405 the same JSON errors as the rest).
struct APIResponder: HTTPResponder {
    typealias Context = BasicRequestContext
    let api: CopydeskAPI
    func respond(to request: Request, context: BasicRequestContext) async throws -> Response {
        await api.respond(to: request)
    }
}

/// SIGHUP: reload rules, configuration and token (a broken rule file keeps the old rules).
struct ReloadOnHangup: Service {
    let api: CopydeskAPI
    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            api.reload()
        }
    }
}

public enum CopydeskServer {
    /// The Hummingbird application over `api`, bound to `options.host`/`options.port`.
    /// `onRunning` gets the bound port once the server listens (port 0 picks a free one).
    public static func makeApplication(
        api: CopydeskAPI, reloadOnHangup: Bool = false,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        var app = Application(
            responder: APIResponder(api: api),
            configuration: ApplicationConfiguration(
                address: .hostname(api.options.host, port: api.options.port), serverName: "copydesk/\(CopydeskVersion.current)"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: api.logger
        )
        if reloadOnHangup { app.addServices(ReloadOnHangup(api: api)) }
        return app
    }

    /// Runs until SIGTERM or SIGINT, then stops accepting connections and lets the requests in
    /// flight finish (swift-service-lifecycle's graceful shutdown). SIGHUP reloads.
    public static func run(options: ServeOptions, logger: Logger) async throws {
        let api = try CopydeskAPI(options: options, logger: logger)
        let app = makeApplication(api: api, reloadOnHangup: true) { port in
            let auth = options.tokenFile != nil ? "bearer token required" : "no authentication"
            logger.notice("copydesk serve: http://\(options.host.contains(":") ? "[\(options.host)]" : options.host):\(port)/ (\(api.engine.current.ruleSet.rules.count) rules, \(auth))")
        }
        let group = ServiceGroup(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
        logger.notice("copydesk serve: stopped")
    }
}

/// A server started in this process (tests, embedding): its port, and a way to stop it.
public final class RunningServer: Sendable {
    public let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    init(port: Int, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.group = group
        self.task = task
    }

    /// Graceful shutdown: stop accepting, finish the requests in flight, return when stopped.
    public func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }
}

extension CopydeskServer {
    /// Starts `api` on its options' host and port (0: a free port) without trapping signals and
    /// returns once it listens.
    public static func start(api: CopydeskAPI) async throws -> RunningServer {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = makeApplication(api: api) { port in continuation.yield(port) }
        let group = ServiceGroup(services: [app], logger: api.logger)
        let task = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        var it = ports.makeAsyncIterator()
        guard let port = await it.next() else {
            try await task.value
            throw ServeError("the server stopped before it listened")
        }
        return RunningServer(port: port, group: group, task: task)
    }
}
