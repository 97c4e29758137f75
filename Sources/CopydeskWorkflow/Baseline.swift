import Foundation
import CopydeskCore
import CopydeskReports

/// A baseline: the findings a team has accepted for now. `--write-baseline FILE` records today's
/// findings; `--baseline FILE` hides them. An entry holds a count, so a second copy of an accepted
/// finding is still reported. Paths are relative to the baseline file's folder. The JSON is sorted
/// and holds no line numbers or dates, so it diffs cleanly.
public struct Baseline: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable, Comparable {
        public var path: String
        public var rule: String
        public var fingerprint: String
        /// The matched text, for people reading the file (not used for matching).
        public var match: String
        public var count: Int
        public static func < (a: Entry, b: Entry) -> Bool {
            (a.path, a.rule, a.fingerprint, a.match) < (b.path, b.rule, b.fingerprint, b.match)
        }
    }

    public var version = 1
    public var tool = "copydesk"
    public var findings: [Entry]

    public init(findings: [Entry]) { self.findings = findings.sorted() }

    /// The baseline of every finding in `result`, for a baseline file at `baselinePath`.
    public static func make(from result: LintResult, baselinePath: String) -> Baseline {
        let base = Paths.directory(of: Paths.absolute(baselinePath))
        let prints = Fingerprint.all(in: result)
        var counts: [String: Entry] = [:]
        for file in result.files {
            guard let fps = prints[file.path] else { continue }
            let path = key(file.path, base: base)
            for (f, fp) in zip(file.findings, fps) {
                let k = path + "\u{0}" + f.rule + "\u{0}" + fp
                if var e = counts[k] { e.count += 1; counts[k] = e }
                else { counts[k] = Entry(path: path, rule: f.rule, fingerprint: fp, match: f.match, count: 1) }
            }
        }
        return Baseline(findings: Array(counts.values))
    }

    /// How a finding's path is written in a baseline in folder `base`.
    static func key(_ path: String, base: String) -> String {
        if path.hasPrefix("<") { return path }   // <stdin>
        return Paths.relativeWithParents(Paths.absolute(path), to: base)
    }

    /// The file's JSON: pretty, sorted keys, one trailing newline.
    public func encoded() -> String { JSONReporter.encode(self) + "\n" }

    /// Writes the baseline (atomically).
    public func write(to path: String) throws {
        try Data(encoded().utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// Reads a baseline file; the error names the file and what is wrong.
    public static func load(_ path: String) -> Result<Baseline, FileError> {
        guard let data = FileManager.default.contents(atPath: path) else {
            let why = FileManager.default.fileExists(atPath: path) ? "cannot read baseline file" : "baseline file not found"
            return .failure(FileError(path: path, message: why))
        }
        do {
            let b = try JSONDecoder().decode(Baseline.self, from: data)
            guard b.version == 1 else { return .failure(FileError(path: path, message: "unsupported baseline version \(b.version) (expected 1)")) }
            return .success(b)
        } catch let DecodingError.keyNotFound(key, ctx) {
            return .failure(FileError(path: path, message: "not a Copydesk baseline: missing '\(key.stringValue)'\(where_(ctx))"))
        } catch let DecodingError.typeMismatch(_, ctx) {
            return .failure(FileError(path: path, message: "not a Copydesk baseline: wrong type\(where_(ctx))"))
        } catch {
            return .failure(FileError(path: path, message: "not a Copydesk baseline (invalid JSON)"))
        }
    }

    static func where_(_ ctx: DecodingError.Context) -> String {
        let p = ctx.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return p.isEmpty ? "" : " at \(p)"
    }

    /// Hides the findings this baseline holds (each entry at most `count` times) and returns how
    /// many were hidden. `baselinePath` anchors the paths.
    @discardableResult
    public func apply(to result: inout LintResult, baselinePath: String) -> Int {
        let base = Paths.directory(of: Paths.absolute(baselinePath))
        var left: [String: Int] = [:]
        for e in findings { left[e.path + "\u{0}" + e.rule + "\u{0}" + e.fingerprint, default: 0] += e.count }
        let prints = Fingerprint.all(in: result)
        var hidden = 0
        for i in result.files.indices {
            guard let fps = prints[result.files[i].path] else { continue }
            let path = Baseline.key(result.files[i].path, base: base)
            var kept: [Finding] = []
            for (f, fp) in zip(result.files[i].findings, fps) {
                let k = path + "\u{0}" + f.rule + "\u{0}" + fp
                if let n = left[k], n > 0 { left[k] = n - 1; hidden += 1 } else { kept.append(f) }
            }
            result.files[i].findings = kept
        }
        return hidden
    }
}
