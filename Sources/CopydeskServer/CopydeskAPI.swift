import CopydeskWorkflow
import CopydeskDefaultRules
import Dispatch
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// The routes. Each answers its own methods; any other method is a 405 with `Allow`.
enum Route: String, CaseIterable, Sendable {
    case page = "/"
    case healthz = "/healthz"
    case metrics = "/metrics"
    case openapi = "/openapi.json"
    case rules = "/v1/rules"
    case lint = "/v1/lint"
    case clean = "/v1/clean"

    var methods: [HTTPRequest.Method] {
        switch self {
        case .lint, .clean: [.post]
        default: [.get, .head]
        }
    }

    /// Needs the bearer token when the server has one. The page, the OpenAPI document and the
    /// health check disclose nothing and stay open (load balancers, the page's first load).
    var needsAuth: Bool {
        switch self {
        case .rules, .lint, .clean, .metrics: true
        case .page, .openapi, .healthz: false
        }
    }

    /// Browsers may call it from `--cors-origin`.
    var isAPI: Bool { self == .rules || self == .lint || self == .clean }
}

/// The service: routing, authentication, limits, metrics and the request log around one
/// `EngineReference`. Every request goes through `respond(to:)`, which never throws: every
/// failure becomes a JSON error response.
public final class CopydeskAPI: Sendable {
    public let engine: EngineReference
    public let options: ServeOptions
    public let metrics: ServerMetrics
    let logger: Logger
    private let token: Mutex<[UInt8]?>
    /// `GET /v1/rules` rendered once per engine (replaced on reload).
    private let rulesJSON = Mutex<(ObjectIdentifier, ByteBuffer)?>(nil)
    private static let bodyOffsetField = HTTPField.Name("Copydesk-Body-Offset")!
    private static let pageBytes = ByteBuffer(string: Page.html)
    private static let openAPIBytes = ByteBuffer(string: OpenAPIDocument.json)
    /// Where lints and cleans run (see `withTimeBudget`).
    private static let workQueue = DispatchQueue.global(qos: .userInitiated)
    private let budgetTimer: BudgetTimer

    /// - Parameter engine: the engine to start with (nil: built from `options`).
    public init(options: ServeOptions, engine: Engine? = nil, logger: Logger) throws {
        self.options = options
        self.logger = logger
        self.metrics = ServerMetrics()
        self.budgetTimer = BudgetTimer(budget: options.timeBudget)
        let first = try engine ?? CopydeskAPI.makeEngine(options)
        self.engine = EngineReference(first)
        self.token = Mutex(try options.tokenFile.map { try ServeOptions.readToken($0) })
        metrics.rules(first.ruleSet.rules.count)
    }

    /// Loads rules and configuration as `options` say; throws when a rule file or the
    /// configuration file has an error (the caller keeps what it had).
    public static func makeEngine(_ options: ServeOptions) throws -> Engine {
        let configuration: ConfigResolver.Mode = options.configFile.map { .file($0) } ?? .none
        if let c = options.configFile, !FileManager.default.isReadableFile(atPath: c) {
            throw ServeError("cannot read --config \(c)")
        }
        let engine = Engine(rulesDirectory: options.rulesDirectory, configuration: configuration, limits: options.limits)
        let problems = engine.ruleErrors.map { "\($0)" } + engine.configurationErrors.map { "\($0.path): \($0.message)" }
        if !problems.isEmpty {
            throw ServeError(problems.joined(separator: "\n"))
        }
        if engine.ruleSet.rules.isEmpty {
            throw ServeError("no rules loaded" + (options.rulesDirectory.map { " from --rules \($0)" } ?? ""))
        }
        return engine
    }

    /// SIGHUP: re-reads the rules, the configuration and the token file, all or nothing. On an
    /// error the old ones stay and the error is logged. Returns whether it reloaded.
    @discardableResult
    public func reload() -> Bool {
        do {
            let engine = try CopydeskAPI.makeEngine(options)
            let newToken = try options.tokenFile.map { try ServeOptions.readToken($0) }
            self.engine.replace(with: engine)
            token.withLock { $0 = newToken }
            metrics.rules(engine.ruleSet.rules.count)
            metrics.reload(ok: true)
            logger.info("reloaded: \(engine.ruleSet.rules.count) rules")
            return true
        } catch {
            metrics.reload(ok: false)
            logger.error("reload failed, keeping the rules and configuration in use: \(error)")
            return false
        }
    }

    // MARK: requests

    public func respond(to request: Request) async -> Response {
        let start = ContinuousClock.now
        let path = request.uri.path
        let route = Route(rawValue: path)
        var response: Response
        do {
            response = try await dispatch(request, route: route, path: path)
        } catch {
            response = error.response
        }
        if let route, route.isAPI || request.method == .options, let origin = options.corsOrigin {
            addCORS(&response, request: request, origin: origin)
        }
        if request.method == .head {
            response = response.createHeadResponse()
        }
        let elapsed = start.duration(to: .now)
        let status = response.status.code
        metrics.request(route: route?.rawValue ?? "unmatched", status: status, duration: elapsed)
        if options.logRequests {
            // Method, path (never the query: it may hold a headline), status, bytes, ms.
            let bytes = response.headers[.contentLength] ?? "0"
            logger.info("\(request.method.rawValue) \(path.utf8.count > 200 ? String(path.prefix(200)) + "…" : path) \(status) \(bytes) \(CopydeskAPI.milliseconds(elapsed))ms")
        }
        return response
    }

    /// `d` in milliseconds with two decimals ("0.42"), without Foundation's formatting.
    static func milliseconds(_ d: Duration) -> String {
        let hundredths = (d.components.seconds * 100_000 + d.components.attoseconds / 10_000_000_000_000 + 5) / 1000
        let frac = hundredths % 100
        return "\(hundredths / 100).\(frac < 10 ? "0" : "")\(frac)"
    }

    private func dispatch(_ request: Request, route: Route?, path: String) async throws(APIError) -> Response {
        guard let route else { throw .notFound(path) }
        if request.method == .options, options.corsOrigin != nil, route.isAPI {
            return Response(status: .noContent)
        }
        guard route.methods.contains(request.method) else {
            throw .methodNotAllowed(request.method, allowed: route.methods + (options.corsOrigin != nil && route.isAPI ? [.options] : []))
        }
        if route.needsAuth {
            try authenticate(request)
        }
        switch route {
        case .page:
            var r = Response(status: .ok, body: .init(byteBuffer: CopydeskAPI.pageBytes))
            r.headers[.contentType] = "text/html; charset=utf-8"
            // Self-contained: nothing but this page's own inline script and style, and calls back here.
            r.headers[.contentSecurityPolicy] = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
            r.headers[.xContentTypeOptions] = "nosniff"
            r.headers[.cacheControl] = "no-cache"
            return r
        case .openapi:
            return json(CopydeskAPI.openAPIBytes)
        case .healthz:
            let engine = self.engine.current
            return json("{\"rules\":\(engine.ruleSet.rules.count),\"status\":\"ok\",\"version\":\"\(CopydeskVersion.current)\"}\n")
        case .metrics:
            var r = Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
            r.headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return r
        case .rules:
            return json(rulesListing())
        case .lint:
            let article = try await readArticle(request)
            let engine = self.engine.current
            let linted = try await withTimeBudget { engine.lint(article) }
            metrics.findings(linted.report.findings)
            var r = json(ByteBuffer(bytes: JSONReporter().renderBytes(linted.result, context: ReportContext())))
            r.headers[CopydeskAPI.bodyOffsetField] = String(linted.bodyStart.offset)
            return r
        case .clean:
            let article = try await readArticle(request)
            let engine = self.engine.current
            let cleaned = try await withTimeBudget { engine.clean(article) }
            return json(JSONReporter.encode(CleanResponse(cleaned, path: article.path ?? Article.defaultPath)) + "\n")
        }
    }

    private func json(_ text: String) -> Response { json(ByteBuffer(string: text)) }

    private func json(_ buffer: ByteBuffer) -> Response {
        var r = Response(status: .ok, body: .init(byteBuffer: buffer))
        r.headers[.contentType] = "application/json"
        return r
    }

    private func rulesListing() -> ByteBuffer {
        let engine = self.engine.current
        let id = ObjectIdentifier(engine)
        if let (known, buffer) = rulesJSON.withLock({ $0 }), known == id { return buffer }
        let buffer = ByteBuffer(string: RuleListing.render(engine.ruleSet, format: .json))
        rulesJSON.withLock { $0 = (id, buffer) }
        return buffer
    }

    private func authenticate(_ request: Request) throws(APIError) {
        guard let expected = token.withLock({ $0 }) else { return }
        guard let header = request.headers[.authorization] else { throw .unauthorized }
        let scheme = "bearer "
        guard header.utf8.count > scheme.utf8.count, header.prefix(scheme.count).lowercased() == scheme else { throw .unauthorized }
        let given = header.utf8.dropFirst(scheme.utf8.count)
        guard constantTimeEquals(given, expected) else { throw .unauthorized }
    }

    private func addCORS(_ response: inout Response, request: Request, origin: String) {
        response.headers[.vary] = "Origin"
        guard let from = request.headers[.origin], origin == "*" || from == origin else { return }
        response.headers[.accessControlAllowOrigin] = origin == "*" ? "*" : from
        response.headers[.accessControlExposeHeaders] = "Copydesk-Body-Offset"
        if request.method == .options {
            response.headers[.accessControlAllowMethods] = "GET, POST, OPTIONS"
            response.headers[.accessControlAllowHeaders] = "Authorization, Content-Type"
            response.headers[.accessControlMaxAge] = "600"
        }
    }

    // MARK: bodies

    private func readArticle(_ request: Request) async throws(APIError) -> Article {
        let contentType = request.headers[.contentType]
        let media: String
        if contentType == "application/json" {
            media = "application/json"   // the common case, without taking the header apart
        } else {
            let parts = (contentType ?? "").split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            media = parts.first ?? ""
            for p in parts.dropFirst() where p.hasPrefix("charset=") {
                let cs = p.dropFirst("charset=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                if cs != "utf-8" && cs != "utf8" && cs != "us-ascii" { throw .unsupportedMediaType(contentType) }
            }
        }
        let format: DocumentFormat?
        switch media {
        case "application/json": format = nil
        case "text/plain": format = nil
        case "text/markdown", "text/x-markdown": format = .markdown
        case "text/html": format = .html
        default: throw .unsupportedMediaType(contentType)
        }
        let query: (headline: String?, path: String?, categories: Set<CopydeskCore.Category>?) = request.uri.query == nil ? (nil, nil, nil)
            : try ArticleRequest.query(request.uri.queryParameters.map { (String($0.key), String($0.value)) })
        var bytes = try await readBody(request)
        if media == "application/json" {
            var parsed = try ArticleRequest.decode(json: bytes.readableBytesView)
            parsed.headline = parsed.headline ?? query.headline
            parsed.path = parsed.path ?? query.path
            parsed.categories = parsed.categories ?? query.categories
            return parsed.article
        }
        // The bytes as they came: invalid UTF-8 is linted as the CLI lints such a file.
        return Article(bytes: bytes.readBytes(length: bytes.readableBytes) ?? [], format: format,
                       headline: query.headline, path: query.path, categories: query.categories)
    }

    private func readBody(_ request: Request) async throws(APIError) -> ByteBuffer {
        let limit = options.maxBodyBytes
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw .payloadTooLarge(limit: limit)
        }
        do {
            return try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw .payloadTooLarge(limit: limit)
        } catch {
            throw .badRequest("Could not read the request body.")
        }
    }

    // MARK: time budget

    /// Runs `work` (a lint or clean: synchronous, bounded by the match limits) on a Dispatch
    /// thread and answers 503 if it takes longer than the budget. The work is not interrupted
    /// (PCRE2 calls cannot be), but the match limits end it soon after; the client does not wait
    /// for it. Neither the work nor the timer runs on Swift's cooperative pool (one thread per
    /// core, which also runs the HTTP handlers): a long lint there would hold up other requests,
    /// and the timer of a request could not fire while every pool thread was linting. The
    /// budgets of all requests share one timer (`BudgetTimer`): a Dispatch timer per request
    /// (`asyncAfter`) stayed armed for the whole budget after the work was done and fired 5 s
    /// later for every request.
    private func withTimeBudget<T: Sendable>(_ work: @escaping @Sendable () -> T) async throws(APIError) -> T {
        let budget = options.timeBudget
        let timer = budgetTimer
        let result: T? = await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
            let once = ResumeOnce(continuation)
            // Whichever comes first resumes; the other finds nothing left to do.
            timer.add(after: budget) { once.resume(nil) }
            CopydeskAPI.workQueue.async { once.resume(work()) }
        }
        guard let result else {
            let s = Double(budget.components.seconds) + Double(budget.components.attoseconds) / 1e18
            throw .timeBudgetExceeded(seconds: s)
        }
        return result
    }
}

/// Resumes a continuation the first time only (the work or the timer, whichever ends first).
private final class ResumeOnce<T: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<T?, Never>?>
    init(_ c: CheckedContinuation<T?, Never>) { continuation = Mutex(c) }
    func resume(_ value: T?) { continuation.withLock { $0.take() }?.resume(returning: value) }
}

/// One Dispatch timer for the time budgets of every request in flight. Every request gets the
/// same budget, so deadlines come in the order requests arrive: a queue, whose head the timer
/// is armed for. The timer fires at most every `granularity` (a twentieth of the budget, 1 to
/// 250 ms) and runs every expiry due by then; an expiry whose work already ended does nothing.
final class BudgetTimer: @unchecked Sendable {
    private struct Entry { var deadline: DispatchTime; var expire: @Sendable () -> Void }
    private struct State { var entries: [Entry] = []; var head = 0; var armed = false }
    private let state = Mutex(State())
    private let timer: DispatchSourceTimer
    private let granularity: DispatchTimeInterval

    init(budget: Duration) {
        let ns = budget.components.seconds * 1_000_000_000 + budget.components.attoseconds / 1_000_000_000
        granularity = .nanoseconds(Int(min(max(ns / 20, 1_000_000), 250_000_000)))
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "copydesk-serve.budget"))
        timer.setEventHandler { [unowned self] in self.fire() }
        timer.activate()
    }

    deinit { timer.cancel() }

    /// Calls `expire` once `budget` has passed (and does not keep it once it is run).
    func add(after budget: Duration, _ expire: @escaping @Sendable () -> Void) {
        let ns = budget.components.seconds * 1_000_000_000 + budget.components.attoseconds / 1_000_000_000
        let deadline = DispatchTime.now() + .nanoseconds(Int(ns))
        let arm = state.withLock { s -> Bool in
            s.entries.append(Entry(deadline: deadline, expire: expire))
            if s.armed { return false }
            s.armed = true
            return true
        }
        if arm { timer.schedule(deadline: deadline, leeway: granularity) }
    }

    private func fire() {
        let now = DispatchTime.now()
        var due: [@Sendable () -> Void] = []
        let next: DispatchTime? = state.withLock { s in
            while s.head < s.entries.count, s.entries[s.head].deadline <= now {
                due.append(s.entries[s.head].expire)
                s.head += 1
            }
            if s.head == s.entries.count {
                s.entries.removeAll(keepingCapacity: s.entries.count < 4096)
                s.head = 0
                s.armed = false
                return nil
            }
            if s.head > 1024 && s.head * 2 > s.entries.count {
                s.entries.removeFirst(s.head)
                s.head = 0
            }
            return s.entries[s.head].deadline
        }
        for e in due { e() }
        if let next {
            timer.schedule(deadline: max(next, now + granularity), leeway: granularity)
        }
    }
}

extension Error {
    var response: Response {
        let e = self as? APIError ?? APIError(status: .internalServerError, code: "internal", message: "Internal error.")
        var r = Response(status: e.status, body: .init(byteBuffer: ByteBuffer(string: e.json)))
        r.headers[.contentType] = "application/json"
        for (name, value) in e.headers { r.headers[name] = value }
        return r
    }
}

/// `POST /v1/clean`'s answer.
struct CleanResponse: Encodable {
    struct Kept: Encodable { var line: Int; var rule: String; var category: String }
    var version = 1
    var tool = JSONReporter.Tool(name: "copydesk", version: CopydeskVersion.current)
    var path: String
    var changed: Bool
    /// The cleaned body (a separate headline is not part of it).
    var cleaned: String
    /// Unified diff from the body to the cleaned body ("" when nothing changed).
    var diff: String
    var removedLines: [Int]
    var keptLines: [Kept]
    var findings: [Finding]
    var errors: [FileError]

    init(_ c: Engine.Cleaned, path: String) {
        self.path = path
        changed = c.changed
        cleaned = String(decoding: c.cleaned, as: UTF8.self)
        diff = String(decoding: c.diff, as: UTF8.self)
        removedLines = c.removedLines
        keptLines = c.keptLines.map { Kept(line: $0.line, rule: $0.rule, category: $0.category.rawValue) }
        findings = c.findings
        errors = c.errors
    }
}
