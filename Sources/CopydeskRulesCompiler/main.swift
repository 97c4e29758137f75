// Build tool run by the PrecompileRules plugin. Writes one Swift file for the
// CopydeskDefaultRules module holding
// - `EmbeddedRules`: every Rules/*.yml file as it is (base64), so the default rules travel
//   inside the binary (copy it anywhere, run it from any directory);
// - `PrecompiledDefaultRules`: the same rules read with the loader the binary uses at run time
//   (`RuleLoader.load(files:)`) and with their prefilter data worked out by the code the
//   prefilter runs at start-up (`PrecompiledRules` describes the form). When a rule file has an
//   error there is no precompiled form: the binary then reads the YAML at run time and reports
//   the error there, as it always did.
//
//   copydesk-rules-compiler RULES_DIR OUTPUT.swift
import CopydeskCore
import Foundation

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("copydesk-rules-compiler: \(message)\n".utf8))
    exit(1)
}

/// `s` as a Swift string literal: printable ASCII as it is, everything else escaped.
func swiftLiteral(_ s: String) -> String {
    var out = "\""
    out.reserveCapacity(s.utf8.count + s.utf8.count / 8 + 2)
    for u in s.unicodeScalars {
        switch u {
        case "\\": out += "\\\\"
        case "\"": out += "\\\""
        case " "..."~": out.unicodeScalars.append(u)
        default: out += "\\u{" + String(u.value, radix: 16) + "}"
        }
    }
    return out + "\""
}

let arguments = CommandLine.arguments
guard arguments.count == 3 else { fail("usage: copydesk-rules-compiler RULES_DIR OUTPUT.swift") }
let rulesDir = arguments[1], output = arguments[2]

// *.yml, then *.yaml, each sorted by name (byte order).
let names = (try? FileManager.default.contentsOfDirectory(atPath: rulesDir)) ?? []
func byteOrder(_ a: String, _ b: String) -> Bool { Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8)) }
let ordered = names.filter { $0.hasSuffix(".yml") }.sorted(by: byteOrder) + names.filter { $0.hasSuffix(".yaml") }.sorted(by: byteOrder)
var files: [(name: String, contents: String)] = []
var embedded: [(name: String, base64: String)] = []
for name in ordered {
    let path = (rulesDir as NSString).appendingPathComponent(name)
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue else { continue }
    guard let data = FileManager.default.contents(atPath: path) else { fail("cannot read \(path)") }
    embedded.append((name: name, base64: data.base64EncodedString()))
    // As RuleLoader.loadDefaultYAML() reads the embedded copy.
    files.append((name: "Rules/" + name, contents: String(decoding: data, as: UTF8.self)))
}

let loaded = RuleLoader.load(files: files)
var precompiled = "nil"
if loaded.errors.isEmpty {
    precompiled = swiftLiteral(PrecompiledRules.encode(loaded.ruleSet.rules, categories: loaded.categories))
} else {
    for e in loaded.errors {
        FileHandle.standardError.write(Data("warning: \(e.description) (the built-in rules will be read from YAML at run time)\n".utf8))
    }
}

let source = """
    // Generated from Rules/*.yml by copydesk-rules-compiler (the PrecompileRules plugin). Do not edit.
    enum EmbeddedRules {
        /// (file name, base64 of the file bytes): *.yml, then *.yaml, each in name order.
        static let files: [(name: String, base64: String)] = [
    \(embedded.map { "        (\(swiftLiteral($0.name)), \(swiftLiteral($0.base64))),\n" }.joined())    ]
    }

    enum PrecompiledDefaultRules {
        /// The same rules as `PrecompiledRules.encode` wrote them (nil: a rule file has errors).
        static let data: String? = \(precompiled)
    }

    """
let url = URL(fileURLWithPath: output)
try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
if (try? String(contentsOf: url, encoding: .utf8)) != source {
    do { try source.write(to: url, atomically: true, encoding: .utf8) } catch { fail("cannot write \(output): \(error)") }
}
