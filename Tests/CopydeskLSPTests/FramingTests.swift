import Foundation
import Testing
@testable import CopydeskLSP

@Suite("LSP framing")
struct FramingTests {
    static func framed(_ json: String) -> [UInt8] { Array(MessageReader.frame(Data(json.utf8))) }

    func bodies(_ items: [MessageReader.Item]) -> [String] {
        items.compactMap { if case .message(let d) = $0 { return String(decoding: d, as: UTF8.self) }; return nil }
    }

    func errors(_ items: [MessageReader.Item]) -> [String] {
        items.compactMap { if case .badHeader(let m) = $0 { return m }; return nil }
    }

    @Test func oneMessage() {
        var r = MessageReader()
        let items = r.append(FramingTests.framed(#"{"jsonrpc":"2.0","id":1,"method":"initialize"}"#))
        #expect(bodies(items) == [#"{"jsonrpc":"2.0","id":1,"method":"initialize"}"#])
        #expect(r.bufferedCount == 0)
    }

    @Test func contentLengthCountsBytesNotCharacters() {
        // “é” and the emoji are 2 and 4 bytes: the length is in bytes.
        let body = #"{"text":"é 🎉 “q”"}"#
        var r = MessageReader()
        let items = r.append(FramingTests.framed(body) + FramingTests.framed("{}"))
        #expect(bodies(items) == [body, "{}"])
    }

    @Test func partialReadsByteByByte() {
        let stream = FramingTests.framed(#"{"a":1}"#) + FramingTests.framed(#"{"b":"🎉"}"#)
        var r = MessageReader()
        var got: [String] = []
        for b in stream { got += bodies(r.append([b])) }
        #expect(got == [#"{"a":1}"#, #"{"b":"🎉"}"#])
        #expect(r.bufferedCount == 0)
    }

    @Test func splitInsideHeaderAndBody() {
        let stream = FramingTests.framed(#"{"method":"x"}"#)
        for cut in 1..<stream.count {
            var r = MessageReader()
            let first = r.append(stream[0..<cut])
            let second = r.append(stream[cut...])
            #expect(bodies(first + second) == [#"{"method":"x"}"#], "cut at \(cut)")
        }
    }

    @Test func otherHeaderFieldsAndCaseAreAccepted() {
        var r = MessageReader()
        let s = "content-length: 2\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{}"
        #expect(bodies(r.append(Array(s.utf8))) == ["{}"])
    }

    @Test func badHeadersAreReportedAndSkipped() {
        var r = MessageReader()
        var stream = Array("Content-Length: abc\r\n\r\n{}".utf8)
        stream += Array("Content-Type: x\r\n\r\n{}".utf8)           // no Content-Length
        stream += Array("garbage line\r\n\r\n".utf8)                 // no colon
        stream += Array("Content-Length: 99999999999\r\n\r\n".utf8) // over the limit
        stream += FramingTests.framed(#"{"ok":true}"#)
        let items = r.append(stream)
        let errs = errors(items)
        #expect(errs.count >= 2)   // the blocks after the first bad one are skipped while resynchronising
        #expect(errs.contains { $0.contains("not a number") })
        #expect(errs.contains { $0.contains("over the limit") })
        // The stream recovers at the next good message.
        #expect(bodies(items) == [#"{"ok":true}"#])
    }

    @Test func recoversWhenTheNextMessageArrivesLater() {
        var r = MessageReader()
        let a = r.append(Array("Content-Length: x\r\n\r\n{}".utf8))
        #expect(errors(a).count == 1)
        let b = r.append(Array("Content-Length: 5\r\n\r\n{bad}".utf8) + FramingTests.framed("{}"))
        #expect(bodies(b) == ["{bad}", "{}"])   // {bad} is framed fine; the server answers it with a parse error
        #expect(errors(b).isEmpty)
    }

    @Test func endlessHeaderIsDropped() {
        var r = MessageReader()
        let junk = [UInt8](repeating: UInt8(ascii: "x"), count: MessageReader.maxHeaderLength + 10)
        let items = r.append(junk)
        #expect(errors(items).count == 1)
        #expect(r.bufferedCount < 16)
        #expect(bodies(r.append(FramingTests.framed("{}"))) == ["{}"])
    }

    @Test func jsonValuesRoundTrip() throws {
        let text = #"{"a":[1,2.5,true,false,null,"s"],"b":{"c":-3}}"#
        let v = try JSON.parse(Data(text.utf8))
        #expect(v["a"]?[0] == .int(1))
        #expect(v["a"]?[1] == .double(2.5))
        #expect(v["a"]?[2] == .bool(true))
        #expect(v["a"]?[4] == .null)
        #expect(v["b"]?["c"]?.int == -3)
        #expect(try JSON.parse(v.encoded()) == v)
        #expect(throws: (any Error).self) { try JSON.parse(Data("{bad".utf8)) }
    }
}
