@testable import CopydeskServer
import Dispatch
import Foundation
import Synchronization
import Testing

/// The request body's JSON reader (`RequestJSON`, which replaced JSONSerialization) accepts and
/// refuses what JSONSerialization did, and reads the same strings.
@Suite("Serve: request JSON")
struct RequestJSONTests {
    static let documents: [String] = [
        #"{"text": "a"}"#, #"{}"#, #" { "text" : "a" , "path":"x.md" } "#, "\u{FEFF}{\"text\":\"bom\"}",
        #"{"text": "é 🎉 “q”"}"#, #"{"text": "\u00e9\ud83c\udf89\n\t\"\\\/\b\f\r"}"#, #"{"text": "\u0000"}"#,
        #"{"categories": ["ads", "polls"], "text": "a"}"#, #"{"categories": [], "text": "a"}"#, #"{"categories": [1, "ads"]}"#,
        #"{"text": 1}"#, #"{"text": null}"#, #"{"text": true}"#, #"{"text": false}"#, #"{"text": {"a": [1, 2.5, -3e10, 0.0, -0, 1E+2]}}"#,
        #"{"a": [[[[]]]], "b": {"c": {}}}"#, #"{"text": "a", "text": "b"}"#,
        #"[]"#, #""text""#, #"1"#, #"null"#, #"true"#, "  ",
        // invalid
        "", "{", "}", #"{"text": "a""#, #"{"text": "a",}"#, #"{"text" "a"}"#, #"{text: "a"}"#, #"{'text': 'a'}"#,
        #"{"text": "a"} x"#, #"{"text": "a"}{}"#, #"{"text": 01}"#, #"{"text": 1.}"#, #"{"text": .5}"#, #"{"text": +1}"#,
        #"{"text": 1e}"#, #"{"text": -}"#, #"{"text": tru}"#, #"{"text": nul}"#, #"{"text": NaN}"#, #"{"text": Infinity}"#,
        #"{"text": "\x"}"#, #"{"text": "\u12"}"#, #"{"text": "\u12G4"}"#, #"{"text": "\ud800"}"#, #"{"text": "\udc00"}"#,
        #"{"text": "\ud800\u0041"}"#, "{\"text\": \"a\u{1}b\"}", "{\"text\": \"tab\there\"}", "{\"text\": \"line\nbreak\"}",
        #"[1, 2,]"#, #"[1 2]"#, #"{"a": [}"#, "{\"text\":\"a\"}\u{0}",
    ]

    /// What JSONSerialization made of a document: nil when it refused it, else its top-level
    /// object's strings (or ["": "not an object"]).
    static func reference(_ bytes: [UInt8]) -> [String: String]? {
        guard let v = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) else { return nil }
        guard let o = v as? [String: Any] else { return ["": "not an object"] }
        var out: [String: String] = [:]
        for (k, x) in o { out[k] = (x as? String).flatMap { x is NSNumber ? nil : $0 } ?? "(\(type(of: x)))" }
        return out
    }

    static func ours(_ bytes: [UInt8]) -> [String: String]? {
        let parsed: [String: RequestJSON.Value]?
        do { parsed = try bytes.withUnsafeBufferPointer { try RequestJSON.object($0) } } catch { return nil }
        guard let o = parsed else { return ["": "not an object"] }
        var out: [String: String] = [:]
        for (k, v) in o {
            if case .string(let s) = v { out[k] = s } else { out[k] = "(other)" }
        }
        return out
    }

    @Test(arguments: documents)
    func sameVerdictAsJSONSerialization(_ document: String) {
        let bytes = Array(document.utf8)
        let ref = Self.reference(bytes)
        let got = Self.ours(bytes)
        #expect((ref == nil) == (got == nil), "\(document.debugDescription): JSONSerialization \(ref == nil ? "refuses" : "accepts")")
        if let ref, let got {
            #expect(Set(ref.keys) == Set(got.keys), "\(document.debugDescription)")
            for (k, v) in ref where !v.hasPrefix("(") {
                #expect(got[k] == v, "\(document.debugDescription) field \(k)")
            }
        }
    }

    @Test func invalidUTF8AndDeepNesting() {
        for bad: [UInt8] in [[0x7B, 0x22, 0x74, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D], [0x7B, 0x22, 0xC3, 0x22, 0x3A, 0x31, 0x7D], [0xEF, 0xBB]] {
            #expect(Self.ours(bad) == nil)
            #expect(Self.reference(bad) == nil)
        }
        let deep = Array((String(repeating: "[", count: 600) + String(repeating: "]", count: 600)).utf8)
        #expect(Self.ours(deep) == nil)   // refused, not a stack overflow
        let fine = Array(("{\"a\":" + String(repeating: "[", count: 400) + String(repeating: "]", count: 400) + "}").utf8)
        #expect(Self.ours(fine) == ["a": "(other)"])
    }

    @Test func errorsOfTheRequest() {
        func code(_ s: String) -> String? {
            do { _ = try ArticleRequest.decode(json: Array(s.utf8)); return nil } catch { return error.code }
        }
        #expect(code("{") == "invalid_json")
        #expect(code("[]") == "wrong_type")
        #expect(code(#"{"txt": "a"}"#) == "unknown_field")
        #expect(code(#"{"text": 1}"#) == "wrong_type")
        #expect(code(#"{"text": null}"#) == "wrong_type")
        #expect(code(#"{"headline": "h"}"#) == "missing_field")
        #expect(code(#"{"text": "a", "html": "b"}"#) == "bad_request")
        #expect(code(#"{"text": "a", "categories": "ads"}"#) == "wrong_type")
        #expect(code(#"{"text": "a", "categories": [null]}"#) == "wrong_type")
        #expect(code(#"{"text": "a", "categories": ["nope"]}"#) == "bad_value")
        #expect(code(#"{"text": "a", "categories": ["ads", " polls "]}"#) == nil)
        let r = try? ArticleRequest.decode(json: Array(##"{"markdown": "# T\u00e9", "headline": "H", "path": "a/b.md", "categories": []}"##.utf8))
        #expect(r?.body == "# Té" && r?.format == .markdown && r?.headline == "H" && r?.path == "a/b.md" && r?.categories?.isEmpty == true)
    }

    /// The shared budget timer runs each expiry once its time has passed, not before.
    @Test func budgetTimerExpiresInOrderAndNotEarly() async {
        final class Log: Sendable {
            let fired = Mutex<[(Int, ContinuousClock.Instant)]>([])
            let again = Mutex(false)
        }
        let log = Log()
        let timer = BudgetTimer(budget: .milliseconds(40))
        let start = ContinuousClock.now
        for k in 0..<20 {
            timer.add(after: .milliseconds(40)) { log.fired.withLock { $0.append((k, .now)) } }
            if k == 10 { try? await Task.sleep(for: .milliseconds(15)) }
        }
        try? await Task.sleep(for: .milliseconds(400))
        let got = log.fired.withLock { $0 }
        #expect(got.map(\.0) == Array(0..<20))
        #expect(got.allSatisfy { start.duration(to: $0.1) >= .milliseconds(39) })
        // Armed again after it went idle.
        timer.add(after: .milliseconds(40)) { log.again.withLock { $0 = true } }
        try? await Task.sleep(for: .milliseconds(400))
        #expect(log.again.withLock { $0 })
    }
}
