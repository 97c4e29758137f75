import CopydeskWorkflow
@testable import CopydeskServer
import Foundation
import Testing

/// `copydesk serve`, end to end: each test starts the server on a free loopback port in this
/// process, talks real HTTP to it and stops it.
@Suite("Serve")
struct ServeTests {
    static let seed = fixture("Fixtures/seed-article/article.txt")

    // MARK: routes

    @Test func healthzAndHead() async throws {
        try await withServer { client, _ in
            let r = try await client.get("/healthz")
            #expect(r.status == 200)
            #expect(r.header("Content-Type") == "application/json")
            #expect(r.json["status"] as? String == "ok")
            #expect((r.json["rules"] as? Int ?? 0) > 10)
            let head = try await client.send("HEAD", "/healthz")
            #expect(head.status == 200 && head.body.isEmpty)
        }
    }

    @Test func pageIsSelfContained() async throws {
        try await withServer { client, _ in
            let r = try await client.get("/")
            #expect(r.status == 200)
            #expect(r.header("Content-Type") == "text/html; charset=utf-8")
            #expect(r.header("Content-Security-Policy")?.contains("default-src 'none'") == true)
            #expect(r.text.contains("<textarea class=\"layer\" id=\"body\""))
            // No external assets: nothing loaded from another origin.
            for bad in ["src=\"http", "href=\"http", "@import", "url(http", "//cdn"] {
                #expect(!r.text.contains(bad), "\(bad)")
            }
        }
    }

    @Test func embeddedAssetsMatchTheirFiles() {
        // The files in Assets/ are what the server serves, byte for byte.
        #expect(Page.html == fixture("Sources/CopydeskServer/Assets/index.html"))
        #expect(OpenAPIDocument.json == fixture("Sources/CopydeskServer/Assets/openapi.json"))
    }

    @Test func openAPIDocument() async throws {
        try await withServer { client, _ in
            let r = try await client.get("/openapi.json")
            #expect(r.status == 200)
            let doc = r.json
            #expect(doc["openapi"] as? String == "3.1.0")
            let paths = try #require(doc["paths"] as? [String: Any])
            #expect(Set(paths.keys) == Set(Route.allCases.map(\.rawValue)))
            // Every route's methods are documented (HEAD aside) and nothing more.
            for route in Route.allCases {
                let ops = try #require(paths[route.rawValue] as? [String: Any])
                #expect(Set(ops.keys) == Set(route.methods.filter { $0 != .head }.map { $0.rawValue.lowercased() }), "\(route)")
            }
        }
    }

    @Test func rulesListing() async throws {
        try await withServer { client, _ in
            let r = try await client.get("/v1/rules")
            #expect(r.status == 200)
            #expect(r.text == RuleListing.render(sharedEngine.ruleSet, format: .json))
            let rules = try #require(r.json["rules"] as? [[String: Any]])
            #expect(rules.count == sharedEngine.ruleSet.rules.count)
            #expect(rules.contains { $0["id"] as? String == "ads.save-percent" })
        }
    }

    @Test func lintJSONIsTheCLIReport() async throws {
        try await withServer { client, _ in
            let r = try await client.postJSON("/v1/lint", ["text": ServeTests.seed, "path": "Fixtures/seed-article/article.txt"])
            #expect(r.status == 200)
            #expect(r.header("Content-Type") == "application/json")
            #expect(r.header("Copydesk-Body-Offset") == "0")
            // Byte for byte the CLI's `--format json` on the file (the golden fixture).
            #expect(r.text == fixture("Fixtures/seed-article/expected.json"))
            let summary = try #require(r.json["summary"] as? [String: Any])
            #expect(summary["findings"] as? Int == 6)
        }
    }

    @Test func lintRawBodies() async throws {
        try await withServer { client, _ in
            let plain = try await client.post("/v1/lint?path=Fixtures/seed-article/article.txt", contentType: "text/plain; charset=utf-8", body: ServeTests.seed)
            #expect(plain.status == 200)
            #expect(plain.text == fixture("Fixtures/seed-article/expected.json"))
            // Markdown: the H1 is the headline.
            let md = try await client.post("/v1/lint", contentType: "text/markdown", body: "# You Won't Believe What Happened Next\n\nThe council met.\n")
            #expect(md.status == 200)
            #expect(md.text.contains("\"clickbait\""))
            let html = try await client.post("/v1/lint", contentType: "text/html", body: "<p>The council met.</p><p>Use promo code SAVE20 at checkout.</p>")
            #expect(html.status == 200)
            #expect(html.text.contains("\"ads.promo-code\""))
            // text/plain with a .md path reads Markdown (the reader follows the path, as for "text").
            let byPath = try await client.post("/v1/lint?path=story.md", contentType: "text/plain", body: "# You Won't Believe What Happened Next\n\nThe council met.\n")
            #expect(byPath.text.contains("\"clickbait\"") && byPath.text.contains("\"story.md\""))
        }
    }

    @Test func headlineAndBodyOffset() async throws {
        try await withServer { client, _ in
            let headline = "You Won’t Believe What 🎉 Happened Next"
            let body = "“Quoted” 🎉 intro.\n\nSave 15% with Promo Code MERICA\n"
            let r = try await client.postJSON("/v1/lint", ["text": body, "headline": headline])
            #expect(r.status == 200)
            let offset = try #require(r.header("Copydesk-Body-Offset").flatMap { Int($0) })
            #expect(offset == headline.utf8.count + 2)
            let findings = try #require((r.json["files"] as? [[String: Any]])?.first?["findings"] as? [[String: Any]])
            let ad = try #require(findings.first { $0["category"] as? String == "ads" })
            let span = try #require(ad["span"] as? [String: [String: Int]])
            let start = try #require(span["start"]), end = try #require(span["end"])
            #expect(start["line"] == 5)   // body line 3
            // Byte offsets minus the body offset address the body's own bytes.
            let bytes = Array(body.utf8)
            #expect(String(decoding: bytes[(start["offset"]! - offset)..<(end["offset"]! - offset)], as: UTF8.self) == "Save 15% with Promo Code MERICA")
            #expect(findings.contains { $0["category"] as? String == "clickbait" && ($0["span"] as? [String: [String: Int]])?["start"]?["line"] == 1 })
            // Raw body with the headline in the query (percent-encoded).
            let q = headline.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let raw = try await client.post("/v1/lint?headline=\(q)", contentType: "text/plain", body: body)
            #expect(raw.header("Copydesk-Body-Offset") == String(offset))
            #expect(raw.text == r.text)
        }
    }

    @Test func categoriesFilter() async throws {
        try await withServer { client, _ in
            let r = try await client.postJSON("/v1/lint", ["text": ServeTests.seed, "categories": ["ads", "polls"]])
            let summary = try #require(r.json["summary"] as? [String: Any])
            #expect(summary["findings"] as? Int == 3)
            let q = try await client.post("/v1/lint?categories=ads,polls", contentType: "text/plain", body: ServeTests.seed)
            #expect(q.text == r.text)
            // A body field wins over the query parameter.
            let both = try await client.postJSON("/v1/lint?categories=boilerplate", ["text": ServeTests.seed, "categories": ["ads", "polls"]])
            #expect(both.text == r.text)
        }
    }

    @Test func invalidUTF8IsLintedLikeTheCLI() async throws {
        try await withServer { client, _ in
            let bytes: [UInt8] = Array("Use promo code SAVE20 ".utf8) + [0xFF, 0xFE, 0xC3] + Array(" at checkout.\n".utf8)
            let r = try await client.send("POST", "/v1/lint", headers: [("Content-Type", "text/plain")], body: bytes)
            #expect(r.status == 200)
            let cli = sharedEngine.lint(Article(bytes: bytes))
            #expect(r.text == JSONReporter().render(cli.result, context: ReportContext()))
            #expect(r.text.contains("\"ads.promo-code\""))
            // In a JSON body the same bytes are not JSON: 400.
            let j = try await client.send("POST", "/v1/lint", headers: [("Content-Type", "application/json")], body: Array("{\"text\": \"".utf8) + [0xFF] + Array("\"}".utf8))
            #expect(j.status == 400)
            #expect(j.errorCode == "invalid_json")
        }
    }

    @Test func clean() async throws {
        try await withServer { client, _ in
            let r = try await client.postJSON("/v1/clean", ["text": ServeTests.seed, "path": "seed.txt", "headline": "Deportations"])
            #expect(r.status == 200)
            let json = r.json
            #expect(json["changed"] as? Bool == true)
            let cleaned = try #require(json["cleaned"] as? String)
            #expect(!cleaned.contains("Promo Code MERICA") && cleaned.contains("Reports indicate"))
            #expect(!cleaned.contains("Deportations"))
            let diff = try #require(json["diff"] as? String)
            #expect(diff.hasPrefix("--- seed.txt") && diff.contains("-American Made Patriotic Apparel"))
            let expected = sharedEngine.clean(Article(text: ServeTests.seed, headline: "Deportations", path: "seed.txt"))
            #expect(cleaned == String(decoding: expected.cleaned, as: UTF8.self))
            #expect(json["removedLines"] as? [Int] == expected.removedLines)
            let nothing = try await client.post("/v1/clean", contentType: "text/plain", body: "The council met.\n")
            #expect(nothing.json["changed"] as? Bool == false && nothing.json["diff"] as? String == "")
        }
    }

    @Test func metrics() async throws {
        try await withServer { client, _ in
            _ = try await client.postJSON("/v1/lint", ["text": ServeTests.seed])
            _ = try await client.get("/nope")
            let r = try await client.get("/metrics")
            #expect(r.status == 200)
            #expect(r.header("Content-Type")?.hasPrefix("text/plain") == true)
            let text = r.text
            #expect(text.contains(#"copydesk_http_requests_total{route="/v1/lint",status="200"} 1"#))
            #expect(text.contains(#"copydesk_http_requests_total{route="unmatched",status="404"} 1"#))
            #expect(text.contains(#"copydesk_http_request_duration_seconds_bucket{route="/v1/lint",le="+Inf"} 1"#))
            #expect(text.contains(#"copydesk_findings_total{category="ads"} 1"#))
            #expect(text.contains(#"copydesk_findings_total{category="polls"} 2"#))
            #expect(text.contains(#"copydesk_findings_total{category="clickbait"} 0"#))
            #expect(text.contains("copydesk_rules "))
        }
    }

    // MARK: errors

    @Test(arguments: [
        ("{\"text\": ", "invalid_json"),
        ("", "invalid_json"),
        ("[1, 2]", "wrong_type"),
        ("\"text\"", "wrong_type"),
        ("{\"text\": 5}", "wrong_type"),
        ("{\"text\": true}", "wrong_type"),
        ("{\"text\": [\"a\"]}", "wrong_type"),
        ("{\"text\": \"a\", \"headline\": 1}", "wrong_type"),
        ("{\"text\": \"a\", \"path\": {}}", "wrong_type"),
        ("{\"text\": \"a\", \"categories\": \"ads\"}", "wrong_type"),
        ("{\"text\": \"a\", \"categories\": [1]}", "wrong_type"),
        ("{\"text\": null}", "wrong_type"),
        ("{\"text\": \"a\", \"headline\": null}", "wrong_type"),
        ("{\"text\": \"a\", \"categories\": null}", "wrong_type"),
        ("{\"text\": \"a\", \"headine\": \"x\"}", "unknown_field"),
        ("{\"text\": \"a\", \"format\": \"md\"}", "unknown_field"),
        ("{}", "missing_field"),
        ("{\"headline\": \"x\"}", "missing_field"),
        ("{\"text\": \"a\", \"html\": \"b\"}", "bad_request"),
        ("{\"text\": \"a\", \"categories\": [\"spam\"]}", "bad_value"),
        ("{\"text\": \"a\", \"path\": \"\"}", "bad_value"),
        ("{\"text\": \"a\", \"path\": \"a\\nb\"}", "bad_value"),
        ("{\"text\": \"a\", \"path\": \"\(String(repeating: "é", count: 257))\"}", "bad_value"),
        ("{\"text\": \"a\", \"headline\": \"\(String(repeating: "x", count: 1001))\"}", "bad_value"),
    ])
    func badRequests(body: String, code: String) async throws {
        try await withServer { client, _ in
            for route in ["/v1/lint", "/v1/clean"] {
                let r = try await client.post(route, body: body)
                #expect(r.status == 400, "\(route) \(body)")
                #expect(r.header("Content-Type") == "application/json")
                #expect(r.errorCode == code, "\(body): \(r.text)")
                let message = (r.json["error"] as? [String: Any])?["message"] as? String ?? ""
                #expect(!message.isEmpty)
            }
        }
    }

    @Test func badQueryParameters() async throws {
        try await withServer { client, _ in
            let unknown = try await client.post("/v1/lint?format=md", contentType: "text/plain", body: "a")
            #expect(unknown.status == 400 && unknown.errorCode == "unknown_field")
            let category = try await client.post("/v1/lint?categories=ads,spam", contentType: "text/plain", body: "a")
            #expect(category.status == 400 && category.errorCode == "bad_value")
        }
    }

    @Test func payloadTooLarge() async throws {
        try await withServer({ $0.maxBodyBytes = 1000 }) { client, _ in
            let big = String(repeating: "The council met. ", count: 100)
            let r = try await client.post("/v1/lint", contentType: "text/plain", body: big)
            #expect(r.status == 413 && r.errorCode == "payload_too_large")
            let json = try await client.postJSON("/v1/clean", ["text": big])
            #expect(json.status == 413)
            // No Content-Length: chunked, counted as it arrives.
            var chunked: [UInt8] = []
            for _ in 0..<4 {
                let chunk = Array(String(repeating: "x", count: 400).utf8)
                chunked += Array((String(chunk.count, radix: 16) + "\r\n").utf8) + chunk + [13, 10]
            }
            chunked += Array("0\r\n\r\n".utf8)
            let c = try await client.send("POST", "/v1/lint", headers: [("Content-Type", "text/plain"), ("Transfer-Encoding", "chunked")], body: chunked)
            #expect(c.status == 413 && c.errorCode == "payload_too_large")
            // At the limit: fine.
            let ok = try await client.post("/v1/lint", contentType: "text/plain", body: String(repeating: "a", count: 1000))
            #expect(ok.status == 200)
        }
    }

    @Test func unsupportedMediaType() async throws {
        try await withServer { client, _ in
            for type in ["text/csv", "application/x-www-form-urlencoded", "text/plain; charset=iso-8859-1", "multipart/form-data; boundary=x"] {
                let r = try await client.post("/v1/lint", contentType: type, body: "a")
                #expect(r.status == 415, "\(type)")
                #expect(r.errorCode == "unsupported_media_type")
            }
            let none = try await client.post("/v1/clean", contentType: nil, body: "a")
            #expect(none.status == 415)
            let upper = try await client.post("/v1/lint", contentType: "Application/JSON; Charset=UTF-8", body: "{\"text\":\"a\"}")
            #expect(upper.status == 200)
        }
    }

    @Test func notFoundAndMethodNotAllowed() async throws {
        try await withServer { client, _ in
            for path in ["/nope", "/v1/lint/", "/v1", "/index.html", "/v1/rules/ads.save-percent", "/../etc/passwd"] {
                let r = try await client.get(path)
                #expect(r.status == 404, "\(path)")
                #expect(r.errorCode == "not_found")
            }
            let get = try await client.get("/v1/lint")
            #expect(get.status == 405 && get.errorCode == "method_not_allowed")
            #expect(get.header("Allow") == "POST")
            let post = try await client.post("/healthz", body: "{}")
            #expect(post.status == 405 && post.header("Allow") == "GET, HEAD")
            for method in ["PUT", "DELETE", "PATCH", "OPTIONS"] {
                let r = try await client.send(method, "/v1/clean", body: [])
                #expect(r.status == 405, "\(method)")
            }
        }
    }

    @Test func timeBudget() async throws {
        try await withServer({ $0.timeBudget = .milliseconds(1) }) { client, _ in
            let big = String(repeating: ServeTests.seed + "\n", count: 60)   // 190 KB: far over 1 ms
            let r = try await client.post("/v1/lint", contentType: "text/plain", body: big)
            #expect(r.status == 503)
            #expect(r.errorCode == "time_budget_exceeded")
            #expect(r.header("Retry-After") == "1")
            // The server is still there.
            let h = try await client.get("/healthz")
            #expect(h.status == 200)
        }
    }

    // MARK: security

    @Test func bearerToken() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("copydesk-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let tokenFile = dir.appendingPathComponent("token").path
        let token = "s3cret-token-0123456789abcdef"
        try (token + "\n").write(toFile: tokenFile, atomically: true, encoding: .utf8)
        try await withServer({ $0.tokenFile = tokenFile }) { client, _ in
            for (method, path) in [("POST", "/v1/lint"), ("POST", "/v1/clean"), ("GET", "/v1/rules"), ("GET", "/metrics")] {
                let none = try await client.send(method, path, headers: [("Content-Type", "application/json")], body: Array("{\"text\":\"a\"}".utf8))
                #expect(none.status == 401, "\(path)")
                #expect(none.errorCode == "unauthorized")
                #expect(none.header("WWW-Authenticate") == "Bearer realm=\"copydesk\"")
                for bad in ["Bearer wrong", "Bearer " + token + "x", "Bearer " + String(token.dropLast()), "Basic " + token, token, "Bearer", "Bearer  " + token] {
                    let r = try await client.send(method, path, headers: [("Content-Type", "application/json"), ("Authorization", bad)], body: Array("{\"text\":\"a\"}".utf8))
                    #expect(r.status == 401, "\(path) \(bad)")
                }
                let ok = try await client.send(method, path, headers: [("Content-Type", "application/json"), ("Authorization", "bearer " + token)], body: Array("{\"text\":\"a\"}".utf8))
                #expect(ok.status == 200, "\(path)")
            }
            // Open: the page, the document, the health check.
            for path in ["/", "/openapi.json", "/healthz"] {
                #expect(try await client.get(path).status == 200, "\(path)")
            }
            // 404 and 405 before authentication.
            #expect(try await client.get("/nope").status == 404)
        }
    }

    @Test func tokenFileAndBindRules() throws {
        var o = ServeOptions()
        #expect(o.problems().isEmpty)
        o.host = "0.0.0.0"
        #expect(o.problems().first?.contains("--token-file") == true)
        o.insecureNoAuth = true
        #expect(o.problems().isEmpty)
        o.insecureNoAuth = false
        o.tokenFile = "/some/file"
        #expect(o.problems().isEmpty)
        for host in ["127.0.0.1", "127.1.2.3", "localhost", "::1"] { #expect(ServeOptions.isLoopback(host), "\(host)") }
        for host in ["0.0.0.0", "10.0.0.1", "::", "example.com", "127.0.0.1.example.com"] { #expect(!ServeOptions.isLoopback(host), "\(host)") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("copydesk-token-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let short = dir.appendingPathComponent("short").path
        try "abc\n".write(toFile: short, atomically: true, encoding: .utf8)
        #expect(throws: ServeError.self) { try ServeOptions.readToken(short) }
        #expect(throws: ServeError.self) { try ServeOptions.readToken(dir.appendingPathComponent("missing").path) }
    }

    @Test func constantTimeCompare() {
        let expected = Array("abcdefghijklmnop".utf8)
        #expect(constantTimeEquals(expected, expected))
        #expect(!constantTimeEquals(Array("abcdefghijklmnoq".utf8), expected))
        #expect(!constantTimeEquals(Array("abcdefghijklmno".utf8), expected))
        #expect(!constantTimeEquals(Array("abcdefghijklmnopq".utf8), expected))
        #expect(!constantTimeEquals([], expected))
    }

    @Test func corsOffByDefault() async throws {
        try await withServer { client, _ in
            let r = try await client.postJSON("/v1/lint", ["text": "a"], headers: [("Origin", "https://cms.example.com")])
            #expect(r.status == 200)
            #expect(r.header("Access-Control-Allow-Origin") == nil)
            let pre = try await client.send("OPTIONS", "/v1/lint", headers: [("Origin", "https://cms.example.com"), ("Access-Control-Request-Method", "POST")])
            #expect(pre.status == 405)
            #expect(pre.header("Access-Control-Allow-Origin") == nil)
        }
    }

    @Test func corsWithOrigin() async throws {
        let origin = "https://cms.example.com"
        try await withServer({ $0.corsOrigin = origin }) { client, _ in
            let pre = try await client.send("OPTIONS", "/v1/lint", headers: [("Origin", origin), ("Access-Control-Request-Method", "POST"), ("Access-Control-Request-Headers", "content-type, authorization")])
            #expect(pre.status == 204)
            #expect(pre.header("Access-Control-Allow-Origin") == origin)
            #expect(pre.header("Access-Control-Allow-Methods")?.contains("POST") == true)
            #expect(pre.header("Access-Control-Allow-Headers")?.lowercased().contains("authorization") == true)
            let r = try await client.postJSON("/v1/lint", ["text": "a"], headers: [("Origin", origin)])
            #expect(r.header("Access-Control-Allow-Origin") == origin)
            #expect(r.header("Access-Control-Expose-Headers") == "Copydesk-Body-Offset")
            #expect(r.header("Vary") == "Origin")
            // Another origin gets no grant.
            let other = try await client.postJSON("/v1/lint", ["text": "a"], headers: [("Origin", "https://evil.example")])
            #expect(other.header("Access-Control-Allow-Origin") == nil)
            // Only the API routes.
            let page = try await client.get("/", headers: [("Origin", origin)])
            #expect(page.header("Access-Control-Allow-Origin") == nil)
        }
    }

    // MARK: the log

    @Test func oneLogLinePerRequestWithoutTheArticle() async throws {
        let logs = LogCollector()
        try await withServer(logs: logs) { client, _ in
            _ = try await client.postJSON("/v1/lint?headline=Secret%20Headline%20Words", ["text": ServeTests.seed])
            _ = try await client.get("/nope")
        }
        let lines = logs.lines.withLock { $0 }.filter { $0.contains(" /") }
        #expect(lines.count == 2, "\(lines)")
        let lint = try #require(lines.first)
        #expect(lint.range(of: #"^info POST /v1/lint 200 \d+ \d+\.\d\dms$"#, options: .regularExpression) != nil, "\(lint)")
        #expect(lines.last?.contains("GET /nope 404") == true)
        let all = logs.lines.withLock { $0 }.joined(separator: "\n")
        #expect(!all.contains("Secret") && !all.contains("Bukele") && !all.contains("MERICA"))
    }

    // MARK: reload

    @Test func reloadKeepsTheOldRulesOnError() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("copydesk-rules-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("house.yml").path
        func rule(_ word: String) -> String {
            """
            rules:
              - id: ads.\(word)
                category: ads
                severity: error
                message: "House word: {match}"
                description: The house word.
                kind: existence
                scope: line
                patterns:
                  - '\\b\(word)\\b'
                examples:
                  triggering:
                    - "A «\(word)» here."
                  nontriggering:
                    - "Nothing here."
            """
        }
        try rule("zebra").write(toFile: file, atomically: true, encoding: .utf8)
        let logs = LogCollector()
        try await withServer({ $0.rulesDirectory = dir.path }, engine: nil, logs: logs) { client, api in
            func found(_ text: String) async throws -> Int {
                let r = try await client.postJSON("/v1/lint", ["text": text])
                return (r.json["summary"] as? [String: Any])?["findings"] as? Int ?? -1
            }
            #expect(try await found("A zebra here.\n") == 1)
            try rule("okapi").write(toFile: file, atomically: true, encoding: .utf8)
            #expect(api.reload())
            #expect(try await found("A zebra here.\n") == 0)
            #expect(try await found("An okapi here.\n") == 1)
            // A broken file: the old rules stay, the error is logged.
            try "rules:\n  - id: ads.broken\n    patterns: ['(unclosed']\n".write(toFile: file, atomically: true, encoding: .utf8)
            #expect(!api.reload())
            #expect(try await found("An okapi here.\n") == 1)
            let metrics = try await client.get("/metrics").text
            #expect(metrics.contains(#"copydesk_reloads_total{result="failed"} 1"#))
            #expect(metrics.contains(#"copydesk_reloads_total{result="ok"} 1"#))
        }
        #expect(logs.lines.withLock { $0 }.contains { $0.hasPrefix("error reload failed") && $0.contains("house.yml") })
    }

    // MARK: the OpenAPI examples

    @Test func openAPIExamplesAnswerAsDocumented() async throws {
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any])
        let components = try #require(doc["components"] as? [String: Any])
        let bodies = try #require((components["requestBodies"] as? [String: Any])?["Article"] as? [String: Any])
        let content = try #require(bodies["content"] as? [String: Any])
        let examples = try #require(components["examples"] as? [String: Any])
        try await withServer { client, _ in
            for route in ["/v1/lint", "/v1/clean"] {
                // Every request example, in every media type, is accepted.
                for (media, value) in content {
                    let spec = try #require(value as? [String: Any])
                    var bodies: [(String, Any)] = []
                    if let ex = spec["examples"] as? [String: Any] {
                        for (name, e) in ex { bodies.append((name, try #require((e as? [String: Any])?["value"]))) }
                    }
                    if let e = spec["example"] { bodies.append(("example", e)) }
                    #expect(!bodies.isEmpty, "\(media)")
                    for (name, body) in bodies {
                        let bytes = media == "application/json" ? Array(try JSONSerialization.data(withJSONObject: body)) : Array((body as? String ?? "").utf8)
                        let r = try await client.send("POST", route, headers: [("Content-Type", media)], body: bytes)
                        #expect(r.status == 200, "\(route) \(media) \(name): \(r.text)")
                        if media == "application/json" && name == "promo" {
                            // The documented answer is the real one.
                            let key = route == "/v1/lint" ? "promoReport" : "promoClean"
                            let documented = try #require((examples[key] as? [String: Any])?["value"])
                            // (The tool's version aside: it changes with every release.)
                            var got = try #require(try JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any])
                            var want = try #require(documented as? [String: Any])
                            got["tool"] = nil
                            want["tool"] = nil
                            #expect(try canonical(got) == canonical(want), "\(key): \(r.text)")
                        }
                    }
                }
            }
            // The documented error example has the documented shape.
            let bad = try await client.post("/v1/lint", body: "{\"text\": \"a\", \"headine\": \"x\"}")
            let badExample = (((components["responses"] as? [String: Any])?["BadRequest"] as? [String: Any])?["content"] as? [String: Any])?["application/json"] as? [String: Any]
            let expected = try #require(badExample?["example"] as? [String: Any])
            #expect(try canonical(bad.json) == canonical(expected))
        }
    }
}

/// JSON text with sorted keys, to compare two parsed documents.
func canonical(_ object: Any) throws -> String {
    String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
}
