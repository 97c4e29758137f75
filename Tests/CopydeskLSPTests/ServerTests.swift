import Foundation
import Testing
import Synchronization
@testable import CopydeskLSP
import CopydeskWorkflow
import CopydeskDefaultRules
import CopydeskTestSupport

let seedText = (try? String(contentsOf: packageRoot.appendingPathComponent("Fixtures/seed-article/article.txt"), encoding: .utf8)) ?? ""

/// A language server driven in memory: messages in, framed messages out (parsed back with the
/// same reader a client would use).
final class Client: @unchecked Sendable {
    final class Box: Sendable {
        let inbox = Mutex<[JSON]>([])
        let exitCode = Mutex<Int32?>(nil)
        let outReader = Mutex(MessageReader())
    }
    let box = Box()
    var server: LanguageServer!
    var nextID = 1

    init(options: LanguageServer.Options = .init(debounceMilliseconds: 0)) {
        server = LanguageServer(options: options, output: { [box] data in
            let items = box.outReader.withLock { $0.append(data) }
            for case .message(let body) in items {
                let json = (try? JSON.parse(body)) ?? .null
                box.inbox.withLock { $0.append(json) }
            }
        }, exit: { [box] code in box.exitCode.withLock { $0 = code } })
    }

    var exitCode: Int32? { box.exitCode.withLock { $0 } }

    func send(_ message: JSON) { server.receiveMessage(message.encoded()) }
    func raw(_ bytes: String) { server.receive(Array(bytes.utf8)) }

    func notify(_ method: String, _ params: JSON = [:]) {
        send(["jsonrpc": "2.0", "method": .string(method), "params": params])
    }

    /// Sends a request and waits for its response.
    @discardableResult
    func request(_ method: String, _ params: JSON = [:]) -> JSON {
        let id = nextID
        nextID += 1
        send(["jsonrpc": "2.0", "id": .int(id), "method": .string(method), "params": params])
        return wait { $0["id"] == .int(id) } ?? .null
    }

    /// Waits (up to 10 s) for a message matching `match`, and takes it out of the inbox.
    func wait(_ match: (JSON) -> Bool) -> JSON? {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let m = box.inbox.withLock({ box -> JSON? in
                guard let i = box.firstIndex(where: match) else { return nil }
                return box.remove(at: i)
            }) { return m }
            usleep(1000)
        }
        return nil
    }

    func diagnostics(_ uri: String, version: Int? = nil) -> [JSON]? {
        wait { m in
            m["method"]?.string == "textDocument/publishDiagnostics" && m["params"]?["uri"]?.string == uri
                && (version == nil || m["params"]?["version"]?.int == version)
        }?["params"]?["diagnostics"]?.array
    }

    func messages() -> [JSON] { box.inbox.withLock { $0 } }

    func initialize(encodings: [String]? = nil, options: JSON? = nil, root: String? = nil) -> JSON {
        var caps: [String: JSON] = ["workspace": ["didChangeWatchedFiles": ["dynamicRegistration": true]]]
        if let encodings { caps["general"] = ["positionEncodings": .array(encodings.map { .string($0) })] }
        var params: [String: JSON] = ["processId": .null, "capabilities": .object(caps)]
        if let options { params["initializationOptions"] = options }
        if let root { params["rootUri"] = .string("file://" + root) }
        let r = request("initialize", .object(params))
        notify("initialized")
        return r
    }

    func open(_ uri: String, _ text: String, language: String = "plaintext", version: Int = 1) {
        notify("textDocument/didOpen", ["textDocument": ["uri": .string(uri), "languageId": .string(language), "version": .int(version), "text": .string(text)]])
    }
}

/// Applies LSP text edits (non-overlapping) to a text.
func apply(_ edits: [JSON], to text: String, encoding: PositionEncoding = .utf16) -> String {
    let table = LineTable(text)
    var bytes = Array(text.utf8)
    let ranges = edits.map { e in (table.byteRange(of: LSPRange(e["range"])!, encoding: encoding), Array((e["newText"]?.string ?? "").utf8)) }
    for (r, t) in ranges.sorted(by: { $0.0.lowerBound > $1.0.lowerBound }) { bytes.replaceSubrange(r, with: t) }
    return String(decoding: bytes, as: UTF8.self)
}

func range(_ d: JSON) -> [Int] {
    [d["range"]!["start"]!["line"]!.int!, d["range"]!["start"]!["character"]!.int!, d["range"]!["end"]!["line"]!.int!, d["range"]!["end"]!["character"]!.int!]
}

@Suite("LSP server")
struct ServerTests {
    static let engine = Engine()

    @Test func initializeNegotiatesEncodingAndCapabilities() {
        let c = Client()
        let r = c.initialize()
        let caps = r["result"]?["capabilities"]
        #expect(caps?["positionEncoding"] == "utf-16")
        #expect(caps?["textDocumentSync"]?["change"] == 2)
        #expect(caps?["hoverProvider"] == true)
        #expect(caps?["codeActionProvider"]?["codeActionKinds"] == ["quickfix"])
        #expect(r["result"]?["serverInfo"]?["name"] == "copydesk")
        // Watchers for .copydesk.yml are registered with a client that can.
        #expect(c.wait { $0["method"]?.string == "client/registerCapability" } != nil)

        let c8 = Client()
        #expect(c8.initialize(encodings: ["utf-8", "utf-16"])["result"]?["capabilities"]?["positionEncoding"] == "utf-8")
        let c16 = Client()
        #expect(c16.initialize(encodings: ["utf-32", "utf-16", "utf-8"])["result"]?["capabilities"]?["positionEncoding"] == "utf-16")
    }

    @Test func seedArticleDiagnosticsMatchTheEngine() throws {
        let c = Client()
        _ = c.initialize()
        c.open("file:///tmp/seed.txt", seedText)
        let diags = try #require(c.diagnostics("file:///tmp/seed.txt", version: 1))
        let findings = ServerTests.engine.lint(Article(text: seedText, path: "/tmp/seed.txt")).report.findings
        #expect(diags.count == findings.count)
        #expect(diags.count == 6)
        let table = LineTable(seedText)
        for (d, f) in zip(diags, findings) {
            #expect(d["code"]?.string == f.rule)
            #expect(d["source"] == "copydesk")
            #expect(d["message"]?.string == f.message)
            #expect(d["severity"]?.int == DiagnosticMapping.severity(f.severity))
            let r = LSPRange(d["range"])!
            #expect(table.byteRange(of: r, encoding: .utf16) == f.byteRange)
        }
        #expect(diags.contains { $0["code"] == "ads.save-percent" && $0["severity"] == 1 })
        // Closing clears them.
        c.notify("textDocument/didClose", ["textDocument": ["uri": "file:///tmp/seed.txt"]])
        #expect(c.diagnostics("file:///tmp/seed.txt") == [])
    }

    @Test func columnsAfterEmojiAndCurlyQuotes() throws {
        let text = "Intro 🎉🎉 “quoted” text.\n\n🎉 “Ad” Use promo code SAVE20 at checkout.\n"
        for (enc, start) in [("utf-16", 12), ("utf-8", 18)] {
            let c = Client()
            _ = c.initialize(encodings: [enc])
            c.open("file:///tmp/e.txt", text)
            let d = try #require(c.diagnostics("file:///tmp/e.txt")?.first { $0["code"] == "ads.promo-code" })
            // 🎉 = 2 UTF-16 units / 4 bytes; “ and ” = 1 unit / 3 bytes.
            #expect(range(d) == [2, start, 2, start + "promo code SAVE20".utf8.count], "\(enc)")
        }
    }

    @Test func multiLineSpans() throws {
        // A paragraph-scope finding may cross lines; its range must too.
        let text = "Some text.\n\nBy completing the poll, you agree to receive\nemails from us and our partners.\n"
        let c = Client()
        _ = c.initialize()
        c.open("file:///tmp/m.txt", text)
        let diags = try #require(c.diagnostics("file:///tmp/m.txt"))
        let findings = ServerTests.engine.lint(Article(text: text, path: "/tmp/m.txt")).report.findings
        #expect(diags.count == findings.count)
        let table = LineTable(text)
        for (d, f) in zip(diags, findings) {
            let r = table.range(ofBytes: f.byteRange, encoding: .utf16)
            #expect(range(d) == [r.start.line, r.start.character, r.end.line, r.end.character])
        }
    }

    @Test func incrementalAndFullChanges() throws {
        let c = Client()
        _ = c.initialize()
        let uri = "file:///tmp/inc.txt"
        c.open(uri, "The council met on Tuesday.\n")
        #expect(c.diagnostics(uri, version: 1) == [])
        // Insert a promo line at the end (incremental).
        c.notify("textDocument/didChange", ["textDocument": ["uri": .string(uri), "version": 2], "contentChanges": [
            ["range": ["start": ["line": 1, "character": 0], "end": ["line": 1, "character": 0]], "text": "\n🎉 Use promo code SAVE20 at checkout.\n"],
        ]])
        let d2 = try #require(c.diagnostics(uri, version: 2))
        let promo = try #require(d2.first { $0["code"] == "ads.promo-code" })
        #expect(range(promo)[0] == 2 && range(promo)[1] == 7)
        // Two edits in one notification: replace the emoji with text, then delete the first line.
        c.notify("textDocument/didChange", ["textDocument": ["uri": .string(uri), "version": 3], "contentChanges": [
            ["range": ["start": ["line": 2, "character": 0], "end": ["line": 2, "character": 2]], "text": "Hey!"],
            ["range": ["start": ["line": 0, "character": 0], "end": ["line": 2, "character": 0]], "text": ""],
        ]])
        let d3 = try #require(c.diagnostics(uri, version: 3))
        let p3 = try #require(d3.first { $0["code"] == "ads.promo-code" })
        #expect(range(p3)[0] == 0 && range(p3)[1] == 9)
        // Full sync (no range) replaces everything.
        c.notify("textDocument/didChange", ["textDocument": ["uri": .string(uri), "version": 4], "contentChanges": [["text": "Clean text.\n"]]])
        #expect(c.diagnostics(uri, version: 4) == [])
    }

    @Test func debouncedLintUsesTheLatestText() throws {
        let c = Client(options: .init(debounceMilliseconds: 30))
        _ = c.initialize()
        let uri = "file:///tmp/deb.txt"
        c.open(uri, "")
        _ = c.diagnostics(uri, version: 1)
        for v in 2...20 {
            c.notify("textDocument/didChange", ["textDocument": ["uri": .string(uri), "version": .int(v)],
                                               "contentChanges": [["text": .string(v == 20 ? "Use promo code SAVE20 at checkout.\n" : "Draft \(v).\n")]]])
        }
        // Diagnostics for the last version arrive, with its finding.
        let d = try #require(c.diagnostics(uri, version: 20))
        #expect(d.contains { $0["code"] == "ads.promo-code" })
    }

    func actions(_ c: Client, _ uri: String, line: Int, character: Int) -> [JSON] {
        c.request("textDocument/codeAction", ["textDocument": ["uri": .string(uri)],
                                              "range": ["start": ["line": .int(line), "character": .int(character)], "end": ["line": .int(line), "character": .int(character)]],
                                              "context": ["diagnostics": []]])["result"]?.array ?? []
    }

    @Test func removeThisLineMatchesClean() throws {
        let c = Client()
        _ = c.initialize()
        let uri = "file:///tmp/seed-ca.txt"
        c.open(uri, seedText)
        let diags = try #require(c.diagnostics(uri, version: 1))
        let promo = try #require(diags.first { $0["code"] == "ads.save-percent" })
        let acts = actions(c, uri, line: range(promo)[0], character: range(promo)[1] + 1)
        let titles = acts.compactMap { $0["title"]?.string }
        #expect(titles.contains("Remove this line"))
        #expect(titles.contains("Disable ads.save-percent for this line"))
        #expect(titles.contains("Disable ads.save-percent in this file"))
        let remove = try #require(acts.first { $0["title"] == "Remove this line" })
        #expect(remove["kind"] == "quickfix" && remove["isPreferred"] == true)
        let edits = try #require(remove["edit"]?["changes"]?[uri]?.array)
        let after = apply(edits, to: seedText)
        // What `clean` gives when that one line goes.
        let line = range(promo)[0]
        let plan = Cleaner.plan(removingLines: [line], in: Array(seedText.utf8))
        #expect(Array(after.utf8) == Cleaner.render(plan, Array(seedText.utf8)))
        #expect(!after.contains("Promo Code MERICA"))
        // And clean itself removes that line and keeps the text around it the same way.
        let cleaned = String(decoding: ServerTests.engine.clean(Article(text: seedText)).cleaned, as: UTF8.self)
        #expect(!cleaned.contains("Promo Code MERICA"))
        #expect(after.contains("before being taken to the high-security facility.\n\nDo you think"))
        // Applying every "Remove this line" one after another gives what `clean` gives.
        var text = seedText
        var version = 1
        var ds = diags
        for _ in 0..<10 {
            let removable = ds.filter { ["ads", "polls", "boilerplate"].contains($0["data"]?["category"]?.string ?? "") }
            guard let d = removable.first else { break }
            guard let act = actions(c, uri, line: range(d)[0], character: range(d)[1]).first(where: { $0["title"] == "Remove this line" }) else { break }
            text = apply(act["edit"]!["changes"]![uri]!.array!, to: text)
            version += 1
            c.notify("textDocument/didChange", ["textDocument": ["uri": .string(uri), "version": .int(version)], "contentChanges": [["text": .string(text)]]])
            ds = c.diagnostics(uri, version: version) ?? []
        }
        #expect(version == 6)
        #expect(text == cleaned)
    }

    @Test func disableActionsSilenceTheRuleAndNothingElse() throws {
        for title in ["for this line", "in this file"] {
            for (path, language, text) in [("/tmp/dis.txt", "plaintext", seedText),
                                           ("/tmp/dis.md", "markdown", "---\ntitle: You Won't Believe What Happened Next\n---\n\nIntro.\n\nUse promo code SAVE20 at checkout.\n")] {
                let c = Client()
                _ = c.initialize()
                let uri = "file://" + path
                c.open(uri, text, language: language)
                let before = try #require(c.diagnostics(uri, version: 1))
                let ruleID = path.hasSuffix(".md") ? "ads.promo-code" : "ads.save-percent"
                let promo = try #require(before.first { $0["code"]?.string == ruleID })
                let act = try #require(actions(c, uri, line: range(promo)[0], character: range(promo)[1]).first { $0["title"]?.string == "Disable \(ruleID) \(title)" })
                let after = apply(act["edit"]!["changes"]![uri]!.array!, to: text)
                #expect(after.contains(title == "in this file" ? "<!-- copydesk-disable \(ruleID) -->" : " <!-- copydesk-disable-line \(ruleID) -->"))
                let findings = ServerTests.engine.lint(Article(text: after, path: path)).report.findings
                #expect(!findings.contains { $0.rule == ruleID }, "\(title) \(path)")
                #expect(!findings.contains { $0.rule == UnusedSuppression.ruleID }, "\(title) \(path)")
                // Every other finding stays (a finding the disabled one had absorbed, being of the
                // same category on the same line, may now show: README "Inline suppressions").
                let others = before.compactMap { $0["code"]?.string }.filter { $0 != ruleID }
                #expect(Set(others).isSubset(of: Set(findings.map(\.rule))), "\(title) \(path)")
                #expect(findings.count <= before.count, "\(title) \(path)")
                if path.hasSuffix(".md") && title == "in this file" { #expect(after.hasPrefix("---\ntitle:")) }
            }
        }
    }

    @Test func hoverShowsDescriptionAndExamples() throws {
        let c = Client()
        _ = c.initialize()
        let uri = "file:///tmp/h.txt"
        c.open(uri, "🎉 “Ad” Use promo code SAVE20 at checkout.\n")
        _ = c.diagnostics(uri)
        let h = c.request("textDocument/hover", ["textDocument": ["uri": .string(uri)], "position": ["line": 0, "character": 12]])
        let value = try #require(h["result"]?["contents"]?["value"]?.string)
        let rule = try #require(ServerTests.engine.rule(id: "ads.promo-code"))
        #expect(value.contains("ads.promo-code"))
        #expect(value.contains(rule.description))
        #expect(value.contains(rule.examples.triggering[0]))
        #expect(h["result"]?["range"]?["start"]?["character"] == 12)
        // Nothing under the cursor: null.
        let none = c.request("textDocument/hover", ["textDocument": ["uri": .string(uri)], "position": ["line": 0, "character": 0]])
        #expect(none["result"] == .null)
    }

    @Test func protocolErrors() throws {
        let c = Client()
        // Before initialize.
        #expect(c.request("textDocument/hover", [:])["error"]?["code"]?.int == ErrorCode.serverNotInitialized)
        _ = c.initialize()
        // Not JSON.
        c.raw("Content-Length: 5\r\n\r\n{bad}")
        #expect(c.wait { $0["error"]?["code"]?.int == ErrorCode.parseError } != nil)
        // A bad header.
        c.raw("Content-Length: nope\r\n\r\n")
        #expect(c.wait { $0["error"]?["code"]?.int == ErrorCode.parseError } != nil)
        // Not an object, no method.
        c.send([1, 2])
        #expect(c.wait { $0["error"]?["code"]?.int == ErrorCode.invalidRequest } != nil)
        c.send(["jsonrpc": "2.0", "id": 77])
        #expect(c.wait { $0["id"] == 77 }?["error"]?["code"]?.int == ErrorCode.invalidRequest)
        // Unknown method; bad params.
        #expect(c.request("textDocument/unknown", [:])["error"]?["code"]?.int == ErrorCode.methodNotFound)
        #expect(c.request("textDocument/hover", ["textDocument": ["uri": "file:///nope"]])["error"]?["code"]?.int == ErrorCode.invalidParams)
        #expect(c.request("initialize", [:])["error"] != nil)
        // Unknown notifications and bad notifications are ignored; the server still works.
        c.notify("$/cancelRequest", ["id": 1])
        c.notify("textDocument/didChange", ["textDocument": ["uri": "file:///nope"]])
        c.open("file:///tmp/ok.txt", "Use promo code SAVE20 at checkout.\n")
        #expect(c.diagnostics("file:///tmp/ok.txt")?.isEmpty == false)
        // Shutdown then exit: status 0; requests after shutdown are refused.
        #expect(c.request("shutdown")["result"] == .null)
        #expect(c.request("textDocument/hover", [:])["error"]?["code"]?.int == ErrorCode.invalidRequest)
        c.notify("exit")
        c.server.waitUntilIdle()
        #expect(c.exitCode == 0)
        // Exit without shutdown: 1.
        let d = Client()
        _ = d.initialize()
        d.notify("exit")
        d.server.waitUntilIdle()
        #expect(d.exitCode == 1)
    }

    @Test func configurationPerPathAndReload() throws {
        let dir = TempDir()
        defer { dir.remove() }
        dir.file("site/article.txt", "Use promo code SAVE20 at checkout.\n")
        let uri = "file://" + dir.at("site/article.txt")
        let c = Client()
        _ = c.initialize(root: dir.path)
        c.open(uri, "Use promo code SAVE20 at checkout.\n")
        #expect(c.diagnostics(uri, version: 1)?.contains { $0["code"] == "ads.promo-code" } == true)
        // A .copydesk.yml turning the rule off applies once the client says it changed.
        dir.file("site/.copydesk.yml", "rules:\n  ads.promo-code: off\n")
        c.notify("workspace/didChangeWatchedFiles", ["changes": [["uri": .string("file://" + dir.at("site/.copydesk.yml")), "type": 1]]])
        #expect(c.diagnostics(uri, version: 1)?.contains { $0["code"] == "ads.promo-code" } == false)
        // A bad one: a message, and the server goes on.
        dir.file("site/.copydesk.yml", "rules:\n  ads.promo-code: loud\nbogus: 1\n")
        c.notify("workspace/didChangeWatchedFiles", ["changes": [["uri": .string("file://" + dir.at("site/.copydesk.yml")), "type": 2]]])
        let msg = try #require(c.wait { $0["method"] == "window/showMessage" })
        #expect(msg["params"]?["message"]?.string?.contains(".copydesk.yml") == true)
        #expect(c.diagnostics(uri, version: 1) != nil)
        #expect(c.request("textDocument/hover", ["textDocument": ["uri": .string(uri)], "position": ["line": 0, "character": 5]])["error"] == nil)
    }

    @Test func rulesFolderAndABadRuleFileKeepsThePreviousRules() throws {
        let dir = TempDir()
        defer { dir.remove() }
        dir.file("rules/custom.yml", """
            rules:
              - id: ads.widget
                category: ads
                severity: warning
                message: "Widget: {match}"
                description: Flags widgets.
                kind: existence
                scope: line
                patterns: ['\\bwidget\\b']
                examples:
                  triggering: ["a «widget» here"]
                  nontriggering: ["nothing"]
            """)
        let c = Client()
        _ = c.initialize(options: ["rules": "rules"], root: dir.path)
        let uri = "file://" + dir.at("a.txt")
        c.open(uri, "Buy a widget today.\n")
        #expect(c.diagnostics(uri, version: 1)?.map { $0["code"]?.string ?? "" } == ["ads.widget"])
        // A broken rule file: a message, and the widget rule stays.
        dir.file("rules/broken.yml", "rules:\n  - id: broken\n    patterns: ['(unclosed']\n")
        c.notify("workspace/didChangeWatchedFiles", ["changes": [["uri": .string("file://" + dir.at("rules/broken.yml")), "type": 1]]])
        let msg = try #require(c.wait { $0["method"] == "window/showMessage" })
        #expect(msg["params"]?["type"] == 1)
        #expect(msg["params"]?["message"]?.string?.contains("broken.yml") == true)
        #expect(c.diagnostics(uri, version: 1)?.map { $0["code"]?.string ?? "" } == ["ads.widget"])
        // A folder with nothing usable at the start: a message, no rules, no crash.
        let empty = TempDir()
        defer { empty.remove() }
        empty.file("rules/broken.yml", "rules:\n  - id: broken\n")
        let d = Client()
        _ = d.initialize(options: ["rules": .string(empty.at("rules"))])
        #expect(d.wait { $0["method"] == "window/showMessage" } != nil)
        d.open(uri, "Buy a widget today.\n")
        #expect(d.diagnostics(uri, version: 1) == [])
        d.notify("workspace/didChangeWatchedFiles", ["changes": [["uri": .string("file://" + empty.at("rules/broken.yml")), "type": 2]]])
        #expect(d.diagnostics(uri, version: 1) == [])
    }

    @Test func removalPlanDeletionsEqualRender() {
        let texts = [seedText, "a\nb", "a\n\nb\n\n\nc\n", "\u{FEFF}x\n\ny\n", "a\r\n\r\nb\r\n", "only"]
        for t in texts {
            let bytes = Array(t.utf8)
            let lines = SourceLines(bytes)
            for l in 0..<lines.count where !lines.isBlank(l) {
                let plan = Cleaner.plan(removingLines: [l], in: bytes)
                var out = bytes
                for r in plan.deletions.reversed() { out.removeSubrange(r) }
                #expect(out == Cleaner.render(plan, bytes), "\(t.debugDescription) line \(l)")
            }
        }
    }
}

struct TempDir {
    let path: String
    init() {
        let base = URL(fileURLWithPath: NSTemporaryDirectory()).resolvingSymlinksInPath().path
        path = base + "/copydesk-lsp-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func file(_ rel: String, _ contents: String) {
        let full = path + "/" + rel
        try! FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try! Data(contents.utf8).write(to: URL(fileURLWithPath: full))
    }
    func at(_ rel: String) -> String { path + "/" + rel }
    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
