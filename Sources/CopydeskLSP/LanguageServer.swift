import Foundation
import Dispatch
import Synchronization
import CopydeskWorkflow
import CopydeskDefaultRules

/// JSON-RPC error codes (JSON-RPC 2.0 and LSP).
public enum ErrorCode {
    public static let parseError = -32700
    public static let invalidRequest = -32600
    public static let methodNotFound = -32601
    public static let invalidParams = -32602
    public static let internalError = -32603
    public static let serverNotInitialized = -32002
}

struct ResponseError: Error {
    var code: Int
    var message: String
    static func invalidParams(_ m: String) -> ResponseError { ResponseError(code: ErrorCode.invalidParams, message: m) }
}

/// `copydesk lsp`: the Language Server Protocol (3.17) over one long-lived `Engine`.
///
/// Messages are handled in order on one serial queue, which owns all state (open documents, the
/// engine, the negotiated encoding); reading the input happens elsewhere, so a lint never stalls
/// reading. Linting after a change is debounced (see `scheduleLint`) and runs off the queue;
/// opening and saving lint at once.
public final class LanguageServer: @unchecked Sendable {
    public struct Options: Sendable {
        /// Rule files folder (`--rules`); `initializationOptions.rules` overrides it.
        public var rulesDirectory: String?
        /// Delay from a change to its lint (`initializationOptions.debounceMs` overrides it).
        public var debounceMilliseconds: Int
        public init(rulesDirectory: String? = nil, debounceMilliseconds: Int = 15) {
            self.rulesDirectory = rulesDirectory
            self.debounceMilliseconds = debounceMilliseconds
        }
    }

    struct OpenDocument {
        var uri: String
        var path: String?
        var languageId: String
        var version: Int
        var bytes: [UInt8]
        var table: LineTable
        /// Findings of the last lint and the version they belong to.
        var findings: [Finding] = []
        var lintedVersion: Int? = nil
        /// The reader the last lint used.
        var format: DocumentFormat = .text
        /// 1-based lines `clean` removes, for `lintedVersion` (worked out on the first code action).
        var cleanRemoves: Set<Int>? = nil

        mutating func setText(_ bytes: [UInt8]) {
            self.bytes = bytes
            table = LineTable(bytes)
            lintedVersion = nil
            cleanRemoves = nil
        }
    }

    public static let name = "copydesk"

    private let queue = DispatchQueue(label: "copydesk.lsp.server")
    private let output: @Sendable (Data) -> Void
    private let exitHandler: @Sendable (Int32) -> Void
    private let log: @Sendable (String) -> Void
    private let reader = Mutex(MessageReader())
    private let options: Options

    // State, touched on `queue` only.
    private var engine: Engine? = nil
    private var ruleSet: RuleLoader.Result? = nil
    private var rulesDirectory: String? = nil
    private var debounce: Int
    private var encoding: PositionEncoding = .utf16
    private var initialized = false
    private var shutdownRequested = false
    private var exited = false
    private var documents: [String: OpenDocument] = [:]
    /// Debounced lints waiting: when the first change still waiting came, and the scheduled lint.
    private var pending: [String: (first: DispatchTime, item: DispatchWorkItem)] = [:]
    private var shownMessages = Set<String>()
    private var nextRequestID = 1
    private var rootPath: String? = nil
    private var watchRegistration = false

    /// - Parameters:
    ///   - output: receives each outgoing message, already framed (`Content-Length` header + JSON).
    ///   - exit: called once for the `exit` notification or the end of input, with the status
    ///     LSP asks for (0 after `shutdown`, else 1).
    ///   - log: diagnostics for people (stderr in `copydesk lsp`); stdout carries the protocol.
    public init(options: Options = Options(), output: @escaping @Sendable (Data) -> Void,
                exit: @escaping @Sendable (Int32) -> Void, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.options = options
        self.output = output
        self.exitHandler = exit
        self.log = log
        self.debounce = options.debounceMilliseconds
    }

    // MARK: input

    /// Bytes from the stream, in any chunking. Call from one reader at a time.
    public func receive<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        let items = reader.withLock { $0.append(bytes) }
        for item in items {
            switch item {
            case .message(let data):
                queue.async { self.process(data) }
            case .badHeader(let why):
                queue.async {
                    self.log("copydesk lsp: bad message header: \(why)")
                    self.sendError(id: .null, code: ErrorCode.parseError, message: "Bad message header: \(why)")
                }
            }
        }
    }

    /// The input ended (the client went away): exit as LSP says (0 only after `shutdown`).
    public func endOfInput() {
        queue.async { self.exit() }
    }

    /// One message body (for tests and other transports).
    public func receiveMessage(_ data: Data) {
        queue.async { self.process(data) }
    }

    /// Waits until every message received so far has been handled (pending debounced lints
    /// excepted).
    public func waitUntilIdle() {
        queue.sync {}
    }

    // MARK: output

    private func send(_ message: JSON) {
        output(MessageReader.frame(message.encoded()))
    }

    private func sendResult(id: JSON, _ result: JSON) {
        send(["jsonrpc": "2.0", "id": id, "result": result])
    }

    private func sendError(id: JSON, code: Int, message: String) {
        send(["jsonrpc": "2.0", "id": id, "error": ["code": .int(code), "message": .string(message)]])
    }

    private func notify(_ method: String, _ params: JSON) {
        send(["jsonrpc": "2.0", "method": .string(method), "params": params])
    }

    private func request(_ method: String, _ params: JSON) {
        let id = nextRequestID
        nextRequestID += 1
        send(["jsonrpc": "2.0", "id": .int(id), "method": .string(method), "params": params])
    }

    /// `window/showMessage` (1 error, 2 warning, 3 info), each distinct text once per engine.
    private func showMessage(_ type: Int, _ text: String) {
        guard shownMessages.insert(text).inserted else { return }
        log("copydesk lsp: " + text)
        notify("window/showMessage", ["type": .int(type), "message": .string(text)])
    }

    // MARK: dispatch

    private func process(_ data: Data) {
        guard !exited else { return }
        let message: JSON
        do {
            message = try JSON.parse(data)
        } catch {
            sendError(id: .null, code: ErrorCode.parseError, message: "Parse error: the message is not JSON")
            return
        }
        process(message)
    }

    private func process(_ message: JSON) {
        guard case .object(let o) = message else {
            sendError(id: .null, code: ErrorCode.invalidRequest, message: "Invalid Request: a message must be a JSON object")
            return
        }
        let id = o["id"]
        if let id, id.int == nil && id.string == nil && !id.isNull {
            sendError(id: .null, code: ErrorCode.invalidRequest, message: "Invalid Request: id must be a number or a string")
            return
        }
        guard let methodValue = o["method"] else {
            // A response to one of our requests (client/registerCapability): nothing to do.
            if id != nil && (o["result"] != nil || o["error"] != nil) { return }
            sendError(id: id ?? .null, code: ErrorCode.invalidRequest, message: "Invalid Request: no method")
            return
        }
        guard let method = methodValue.string else {
            sendError(id: id ?? .null, code: ErrorCode.invalidRequest, message: "Invalid Request: method must be a string")
            return
        }
        let params = o["params"] ?? .null
        if let id {
            handleRequest(id: id, method: method, params: params)
        } else {
            handleNotification(method: method, params: params)
        }
    }

    private func handleRequest(id: JSON, method: String, params: JSON) {
        if shutdownRequested {
            sendError(id: id, code: ErrorCode.invalidRequest, message: "Invalid Request: the server is shutting down")
            return
        }
        if !initialized && method != "initialize" {
            sendError(id: id, code: ErrorCode.serverNotInitialized, message: "Server not initialized")
            return
        }
        do {
            let result: JSON
            switch method {
            case "initialize": result = try initialize(params)
            case "shutdown": result = shutdown()
            case "textDocument/codeAction": result = try codeAction(params)
            case "textDocument/hover": result = try hover(params)
            default:
                sendError(id: id, code: ErrorCode.methodNotFound, message: "Method not found: \(method)")
                return
            }
            sendResult(id: id, result)
        } catch let e as ResponseError {
            sendError(id: id, code: e.code, message: e.message)
        } catch {
            sendError(id: id, code: ErrorCode.internalError, message: "\(error)")
        }
    }

    private func handleNotification(method: String, params: JSON) {
        if method == "exit" { exit(); return }
        guard initialized, !shutdownRequested else { return }
        do {
            switch method {
            case "initialized": registerWatchers()
            case "textDocument/didOpen": try didOpen(params)
            case "textDocument/didChange": try didChange(params)
            case "textDocument/didSave": try didSave(params)
            case "textDocument/didClose": try didClose(params)
            case "workspace/didChangeWatchedFiles": didChangeWatchedFiles(params)
            case "workspace/didChangeConfiguration": break
            default: break   // `$/…` and unknown notifications are ignored, as LSP asks.
            }
        } catch let e as ResponseError {
            log("copydesk lsp: \(method): \(e.message)")
        } catch {
            log("copydesk lsp: \(method): \(error)")
        }
    }

    private func exit() {
        guard !exited else { return }
        exited = true
        exitHandler(shutdownRequested ? 0 : 1)
    }

    // MARK: lifecycle

    private func initialize(_ params: JSON) throws -> JSON {
        if initialized { throw ResponseError(code: ErrorCode.invalidRequest, message: "initialize was already sent") }
        // Position encoding: the first of the client's choices that the server speaks; UTF-16
        // (LSP's default) when the client lists none.
        let offered = params["capabilities"]?["general"]?["positionEncodings"]?.array?.compactMap(\.string) ?? []
        encoding = offered.lazy.compactMap { PositionEncoding(rawValue: $0) }.first { $0 != .utf32 } ?? .utf16
        watchRegistration = params["capabilities"]?["workspace"]?["didChangeWatchedFiles"]?["dynamicRegistration"]?.bool ?? false
        if let uri = params["rootUri"]?.string, let p = LanguageServer.path(ofURI: uri) {
            rootPath = p
        } else if let p = params["rootPath"]?.string {
            rootPath = p
        } else if let uri = params["workspaceFolders"]?[0]?["uri"]?.string {
            rootPath = LanguageServer.path(ofURI: uri)
        }
        let opts = params["initializationOptions"]
        rulesDirectory = options.rulesDirectory
        if let dir = opts?["rules"]?.string ?? opts?["rulesDirectory"]?.string, !dir.isEmpty {
            rulesDirectory = dir.hasPrefix("/") || rootPath == nil ? dir : rootPath! + "/" + dir
        }
        if let ms = opts?["debounceMs"]?.int, ms >= 0, ms <= 10_000 { debounce = ms }
        initialized = true
        loadEngine(initial: true)
        return [
            "capabilities": [
                "positionEncoding": .string(encoding.rawValue),
                "textDocumentSync": [
                    "openClose": true,
                    "change": 2,   // incremental (full-text changes are taken too)
                    "save": ["includeText": false],
                ],
                "codeActionProvider": ["codeActionKinds": ["quickfix"]],
                "hoverProvider": true,
            ],
            "serverInfo": ["name": .string(LanguageServer.name), "version": .string(CopydeskVersion.current)],
        ]
    }

    private func shutdown() -> JSON {
        shutdownRequested = true
        for uri in documents.keys.sorted() { publish(uri: uri, version: nil, diagnostics: []) }
        documents.removeAll()
        for p in pending.values { p.item.cancel() }
        pending.removeAll()
        return .null
    }

    private func registerWatchers() {
        guard watchRegistration else { return }
        var watchers: [JSON] = [["globPattern": "**/.copydesk.yml"]]
        if let dir = rulesDirectory { watchers.append(["globPattern": .string(dir + "/*.yml")]) }
        request("client/registerCapability", ["registrations": [[
            "id": "copydesk-watched-files",
            "method": "workspace/didChangeWatchedFiles",
            "registerOptions": ["watchers": .array(watchers)],
        ]]])
    }

    /// (Re)builds the engine: rules from the rules folder (a bad rule file keeps the previous
    /// rules), configuration resolved afresh for every document path.
    private func loadEngine(initial: Bool) {
        var rules = ruleSet
        if let dir = rulesDirectory {
            let loaded = RuleLoader.load(directory: dir)
            let problems = loaded.errors.map(\.description)
            if problems.isEmpty || rules == nil {
                rules = loaded
                if !problems.isEmpty {
                    showMessage(1, "copydesk: problems in the rule files (the rules that loaded are used): " + problems.joined(separator: "; "))
                }
            } else {
                showMessage(1, "copydesk: rule files not reloaded, the previous rules stay: " + problems.joined(separator: "; "))
            }
        } else if rules == nil {
            rules = RuleLoader.loadDefault()
        }
        ruleSet = rules
        let r = rules ?? RuleLoader.loadDefault()
        engine = Engine(ruleSet: r.ruleSet, ruleErrors: r.errors, configuration: .discover)
        // Messages about the configuration are shown again for the new engine.
        shownMessages = shownMessages.filter { $0.hasPrefix("copydesk: rule files") || $0.hasPrefix("copydesk: problems in the rule files") }
    }

    private func didChangeWatchedFiles(_ params: JSON) {
        let changes = params["changes"]?.array ?? []
        let paths = changes.compactMap { $0["uri"]?.string.flatMap(LanguageServer.path(ofURI:)) }
        let relevant = paths.isEmpty || paths.contains { p in
            p.hasSuffix("/.copydesk.yml") || (rulesDirectory.map { p.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") && p.hasSuffix(".yml") } ?? false)
        }
        guard relevant else { return }
        // Rule messages may repeat for a new problem; clear those shown before.
        shownMessages.removeAll()
        loadEngine(initial: false)
        for uri in documents.keys.sorted() { lintAndPublish(uri) }
    }

    // MARK: documents

    static func path(ofURI uri: String) -> String? {
        guard uri.hasPrefix("file:"), let url = URL(string: uri), url.isFileURL else { return nil }
        let p = url.path
        return p.isEmpty ? nil : p
    }

    private func textDocument(_ params: JSON) throws -> (uri: String, doc: OpenDocument) {
        guard let uri = params["textDocument"]?["uri"]?.string else { throw ResponseError.invalidParams("textDocument.uri is missing") }
        guard let doc = documents[uri] else { throw ResponseError.invalidParams("document not open: \(uri)") }
        return (uri, doc)
    }

    private func didOpen(_ params: JSON) throws {
        guard let td = params["textDocument"], let uri = td["uri"]?.string, let text = td["text"]?.string else {
            throw ResponseError.invalidParams("textDocument.uri and textDocument.text are required")
        }
        let bytes = Array(text.utf8)
        documents[uri] = OpenDocument(uri: uri, path: LanguageServer.path(ofURI: uri), languageId: td["languageId"]?.string ?? "",
                                      version: td["version"]?.int ?? 0, bytes: bytes, table: LineTable(bytes))
        lintAndPublish(uri)
    }

    private func didChange(_ params: JSON) throws {
        var (uri, doc) = try textDocument(params)
        guard let changes = params["contentChanges"]?.array else { throw ResponseError.invalidParams("contentChanges is missing") }
        var bytes = doc.bytes
        var table = doc.table
        for change in changes {
            guard let text = change["text"]?.string else { throw ResponseError.invalidParams("a content change has no text") }
            if let rangeJSON = change["range"] {
                guard let range = LSPRange(rangeJSON) else { throw ResponseError.invalidParams("bad range in a content change") }
                let r = table.byteRange(of: range, encoding: encoding)
                bytes.replaceSubrange(r, with: Array(text.utf8))
            } else {
                bytes = Array(text.utf8)
            }
            if changes.count > 1 { table = LineTable(bytes) }
        }
        if let v = params["textDocument"]?["version"]?.int { doc.version = v }
        doc.setText(bytes)
        documents[uri] = doc
        scheduleLint(uri)
    }

    private func didSave(_ params: JSON) throws {
        let (uri, _) = try textDocument(params)
        pending.removeValue(forKey: uri)?.item.cancel()
        lintAndPublish(uri)
    }

    private func didClose(_ params: JSON) throws {
        guard let uri = params["textDocument"]?["uri"]?.string else { throw ResponseError.invalidParams("textDocument.uri is missing") }
        documents[uri] = nil
        pending.removeValue(forKey: uri)?.item.cancel()
        publish(uri: uri, version: nil, diagnostics: [])
    }

    // MARK: linting

    /// Debounce: each change pushes the lint to `debounce` after it (so a burst of typing is
    /// linted once, right after its last keystroke), but never past `maxWait` after the first
    /// change still waiting, so steady typing still gets diagnostics. The lint itself runs off
    /// the message queue (the engine is thread-safe), so changes arriving meanwhile are taken at
    /// once; a result for a text that has changed since is dropped (its own lint is scheduled).
    private func scheduleLint(_ uri: String) {
        let now = DispatchTime.now()
        let first = pending[uri]?.first ?? now
        pending[uri]?.item.cancel()
        let deadline = min(now + .milliseconds(debounce), first + .milliseconds(max(debounce, LanguageServer.maxWaitMilliseconds)))
        let item = DispatchWorkItem { [self] in
            guard pending.removeValue(forKey: uri) != nil, !exited else { return }
            lintInBackground(uri)
        }
        pending[uri] = (first, item)
        queue.asyncAfter(deadline: deadline, execute: item)
    }

    /// Longest wait from the first unlinted change to its lint while changes keep coming.
    static let maxWaitMilliseconds = 300

    private func lintInBackground(_ uri: String) {
        guard let doc = documents[uri], let engine else { return }
        let article = article(doc)
        let version = doc.version
        let table = doc.table
        let encoding = encoding
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            let linted = engine.lint(article)
            let diagnostics = linted.report.findings.map { DiagnosticMapping.diagnostic($0, table: table, encoding: encoding) }
            queue.async { [self] in
                // Dropped if the text changed meanwhile or the engine was replaced.
                guard var current = documents[uri], current.version == version, current.bytes == article.bytes,
                      self.engine === engine, !exited, !shutdownRequested else { return }
                current.findings = linted.report.findings
                current.lintedVersion = version
                current.format = linted.format
                documents[uri] = current
                for e in linted.report.errors { showMessage(2, "copydesk: \(e.path): \(e.message)") }
                for e in engine.configurationErrors { showMessage(1, "copydesk: configuration: \(e.path): \(e.message)") }
                publish(uri: uri, version: version, diagnostics: diagnostics)
            }
        }
    }

    /// The format from the language id, when the path does not tell (an untitled buffer, an
    /// unusual extension).
    private static func format(of doc: OpenDocument) -> DocumentFormat? {
        if let p = doc.path?.lowercased(), [".md", ".markdown", ".html", ".htm", ".txt"].contains(where: { p.hasSuffix($0) }) { return nil }
        switch doc.languageId {
        case "markdown", "mdx": return .markdown
        case "html": return .html
        case "plaintext", "text": return .text
        default: return nil
        }
    }

    private func article(_ doc: OpenDocument) -> Article {
        Article(bytes: doc.bytes, format: LanguageServer.format(of: doc), path: doc.path)
    }

    /// Lints the document (if its current text was not linted yet) and returns it.
    @discardableResult
    private func ensureLinted(_ uri: String) -> OpenDocument? {
        guard var doc = documents[uri], let engine else { return nil }
        if doc.lintedVersion == doc.version && doc.lintedVersion != nil { return doc }
        let linted = engine.lint(article(doc))
        doc.findings = linted.report.findings
        doc.lintedVersion = doc.version
        doc.format = linted.format
        documents[uri] = doc
        for e in linted.report.errors { showMessage(2, "copydesk: \(e.path): \(e.message)") }
        for e in engine.configurationErrors { showMessage(1, "copydesk: configuration: \(e.path): \(e.message)") }
        publish(uri: uri, version: doc.version, diagnostics: doc.findings.map {
            DiagnosticMapping.diagnostic($0, table: doc.table, encoding: encoding)
        })
        return doc
    }

    private func lintAndPublish(_ uri: String) {
        documents[uri]?.lintedVersion = nil
        ensureLinted(uri)
    }

    private func publish(uri: String, version: Int?, diagnostics: [JSON]) {
        var p: [String: JSON] = ["uri": .string(uri), "diagnostics": .array(diagnostics)]
        if let version { p["version"] = .int(version) }
        notify("textDocument/publishDiagnostics", .object(p))
    }

    // MARK: requests

    private func findings(in doc: OpenDocument, touching r: Range<Int>) -> [Finding] {
        doc.findings.filter { f in
            let b = f.byteRange
            if r.isEmpty { return b.lowerBound <= r.lowerBound && r.lowerBound <= b.upperBound }
            return b.lowerBound < r.upperBound && r.lowerBound < max(b.upperBound, b.lowerBound + 1)
        }
    }

    private func codeAction(_ params: JSON) throws -> JSON {
        let (uri, _) = try textDocument(params)
        guard let range = LSPRange(params["range"]) else { throw ResponseError.invalidParams("range is missing or malformed") }
        if let only = params["context"]?["only"]?.array?.compactMap(\.string), !only.contains(where: { "quickfix".hasPrefix($0) }) {
            return []
        }
        guard var doc = ensureLinted(uri), let engine else { return [] }
        let hits = findings(in: doc, touching: doc.table.byteRange(of: range, encoding: encoding))
        guard !hits.isEmpty else { return [] }
        if doc.cleanRemoves == nil && hits.contains(where: { Cleaner.removableCategories.contains($0.category) }) {
            doc.cleanRemoves = Set(engine.clean(article(doc)).removedLines)
            documents[uri] = doc
        }
        let actions = CodeActions.actions(for: hits, in: doc.bytes, table: doc.table, format: doc.format, cleanRemoves: doc.cleanRemoves ?? [])
        return .array(actions.map { a in
            let edits: [JSON] = a.edits.map { e in
                ["range": doc.table.range(ofBytes: e.range, encoding: encoding).json, "newText": .string(e.newText)]
            }
            return [
                "title": .string(a.title),
                "kind": "quickfix",
                "diagnostics": [DiagnosticMapping.diagnostic(a.finding, table: doc.table, encoding: encoding)],
                "isPreferred": .bool(a.preferred),
                "edit": ["changes": .object([uri: .array(edits)])],
            ]
        })
    }

    private func hover(_ params: JSON) throws -> JSON {
        let (uri, _) = try textDocument(params)
        guard let position = Position(params["position"]) else { throw ResponseError.invalidParams("position is missing or malformed") }
        guard let doc = ensureLinted(uri), let engine else { return .null }
        let at = doc.table.offset(of: position, encoding: encoding)
        let hits = doc.findings.filter { $0.byteRange.lowerBound <= at && at < max($0.byteRange.upperBound, $0.byteRange.lowerBound + 1) }
        guard let first = hits.first else { return .null }
        var seen = Set<String>()
        let parts = hits.filter { seen.insert($0.rule).inserted }.map { DiagnosticMapping.hover(rule: engine.rule(id: $0.rule), finding: $0) }
        return [
            "contents": ["kind": "markdown", "value": .string(parts.joined(separator: "\n---\n\n"))],
            "range": doc.table.range(ofBytes: first.byteRange, encoding: encoding).json,
        ]
    }
}
