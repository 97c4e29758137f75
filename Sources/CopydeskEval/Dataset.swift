import Foundation
import CopydeskCore
import CopydeskWorkflow

/// How a labeled dataset is stored.
public enum DatasetFormat: String, Sendable, CaseIterable, Codable {
    /// Tab-separated values with a header row. Fields are taken as they are (no quoting, no
    /// escapes: a field cannot hold a tab or a newline); `\r\n` line ends are accepted.
    case tsv
    /// JSON Lines: one JSON object per line.
    case jsonl

    /// By extension (`.tsv`/`.tab`, `.jsonl`/`.ndjson`/`.json`), else by content: a first
    /// non-blank byte `{` means JSON Lines, anything else TSV.
    public static func guess(path: String, bytes: [UInt8]) -> DatasetFormat {
        let lower = path.lowercased()
        if lower.hasSuffix(".tsv") || lower.hasSuffix(".tab") { return .tsv }
        if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") || lower.hasSuffix(".json") { return .jsonl }
        for b in bytes where !(b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0xEF || b == 0xBB || b == 0xBF) {
            return b == UInt8(ascii: "{") ? .jsonl : .tsv
        }
        return .tsv
    }
}

/// One data row: the fields that were asked for (a JSON `null` counts as absent).
public struct DatasetRow: Sendable, Equatable {
    /// 0-based position among the data rows (header and blank lines not counted); the hold-out
    /// split is decided on it, so it does not move when other rows fail to parse.
    public var index: Int
    /// 1-based line in the file.
    public var line: Int
    public var fields: [String: String]
}

/// A row that could not be used, and why. The run goes on without it.
public struct DatasetProblem: Sendable, Codable, Equatable, CustomStringConvertible {
    public var line: Int
    public var message: String
    /// The file, when it is not the dataset (a `--labels` file).
    public var file: String? = nil
    public init(line: Int, message: String, file: String? = nil) {
        self.line = line
        self.message = message
        self.file = file
    }
    public var description: String { (file.map { "\($0): " } ?? "") + "line \(line): \(message)" }
}

/// A dataset that cannot be used at all (unreadable, no header, a required column missing).
public struct DatasetError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String
    /// The error is a field name that no row has (so flags choosing fields would fix it).
    public var missingField: Bool
    public init(path: String, message: String, missingField: Bool = false) {
        self.path = path
        self.message = message
        self.missingField = missingField
    }
    public var description: String { "\(path): \(message)" }
}

public struct Dataset: Sendable {
    public var path: String
    public var format: DatasetFormat
    /// TSV: the header's columns, in order. JSON Lines: every key seen, sorted.
    public var columns: [String]
    /// Rows that had every required field, in file order.
    public var rows: [DatasetRow]
    /// Rows left out, in file order.
    public var problems: [DatasetProblem]
    /// Data rows in the file, usable or not.
    public var rowCount: Int
}

/// Reads TSV and JSON Lines datasets, keeping only the fields asked for.
public enum DatasetReader {
    /// Reads `path` (`-`: standard input). `required` fields must be present in a row for the row
    /// to be used; `optional` ones are kept when present.
    public static func read(path: String, format: DatasetFormat? = nil, required: [String], optional: [String] = []) throws(DatasetError) -> Dataset {
        let outcome = path == "-" ? FileReader.readStdin() : FileReader.read(path)
        switch outcome {
        case .error(let message): throw DatasetError(path: path, message: message)
        case .binary: throw DatasetError(path: path, message: "binary file (contains NUL bytes), not TSV or JSON Lines")
        case .bytes(let bytes):
            return try parse(bytes, path: path, format: format ?? DatasetFormat.guess(path: path, bytes: bytes), required: required, optional: optional)
        }
    }

    public static func parse(_ bytes: [UInt8], path: String, format: DatasetFormat, required: [String], optional: [String] = []) throws(DatasetError) -> Dataset {
        let lines = splitLines(bytes)
        switch format {
        case .tsv: return try parseTSV(lines, bytes, path: path, required: required, optional: optional)
        case .jsonl: return try parseJSONLines(lines, bytes, path: path, required: required, optional: optional)
        }
    }

    /// (1-based line number, byte range without the line end) for every line.
    static func splitLines(_ b: [UInt8]) -> [(Int, Range<Int>)] {
        var out: [(Int, Range<Int>)] = []
        var start = (b.count >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) ? 3 : 0
        var line = 1
        var i = start
        while i <= b.count {
            if i == b.count || b[i] == 0x0A {
                var end = i
                if end > start && b[end - 1] == 0x0D { end -= 1 }
                if i < b.count || start < b.count { out.append((line, start..<end)) }
                line += 1
                start = i + 1
            }
            i += 1
        }
        return out
    }

    static func isBlank(_ b: [UInt8], _ r: Range<Int>) -> Bool {
        b[r].allSatisfy { $0 == 0x20 || $0 == 0x09 }
    }

    static func list(_ names: [String]) -> String { names.joined(separator: ", ") }

    static func parseTSV(_ lines: [(Int, Range<Int>)], _ b: [UInt8], path: String, required: [String], optional: [String]) throws(DatasetError) -> Dataset {
        guard let headerIndex = lines.firstIndex(where: { !isBlank(b, $0.1) }) else {
            throw DatasetError(path: path, message: "empty file: expected a header row naming the columns")
        }
        let columns = b[lines[headerIndex].1].split(separator: 0x09, omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespaces) }
        var position: [String: Int] = [:]
        for (i, c) in columns.enumerated() where position[c] == nil { position[c] = i }
        let missing = required.filter { position[$0] == nil }
        if !missing.isEmpty {
            let what = missing.map { "'\($0)'" }.joined(separator: ", ")
            throw DatasetError(path: path, message: "no column \(what) in the header (columns: \(list(columns)))", missingField: true)
        }
        var rows: [DatasetRow] = []
        var problems: [DatasetProblem] = []
        var index = 0
        let wanted = (required + optional).compactMap { name in position[name].map { (name, $0) } }
        for (line, r) in lines[(headerIndex + 1)...] where !isBlank(b, r) {
            defer { index += 1 }
            let cells = b[r].split(separator: 0x09, omittingEmptySubsequences: false)
            if cells.count != columns.count {
                problems.append(DatasetProblem(line: line, message: "\(cells.count) field\(cells.count == 1 ? "" : "s"), the header has \(columns.count) (a tab or line break inside a field?)"))
                continue
            }
            var fields: [String: String] = [:]
            for (name, i) in wanted { fields[name] = String(decoding: cells[i], as: UTF8.self) }
            rows.append(DatasetRow(index: index, line: line, fields: fields))
        }
        return Dataset(path: path, format: .tsv, columns: columns, rows: rows, problems: problems, rowCount: index)
    }

    static func parseJSONLines(_ lines: [(Int, Range<Int>)], _ b: [UInt8], path: String, required: [String], optional: [String]) throws(DatasetError) -> Dataset {
        var rows: [DatasetRow] = []
        var problems: [DatasetProblem] = []
        var keysSeen = Set<String>()
        var missingCount: [String: Int] = [:]
        var objects = 0
        var index = 0
        let decoder = JSONDecoder()
        decoder.userInfo[FieldPicker.fieldsKey] = required + optional
        for (line, r) in lines where !isBlank(b, r) {
            defer { index += 1 }
            let picked: FieldPicker
            do {
                picked = try decoder.decode(FieldPicker.self, from: Data(b[r]))
            } catch let e as FieldPicker.NotAnObject {
                problems.append(DatasetProblem(line: line, message: "expected a JSON object, got \(e.kind)"))
                continue
            } catch {
                problems.append(DatasetProblem(line: line, message: "invalid JSON: \(jsonErrorText(error))"))
                continue
            }
            objects += 1
            keysSeen.formUnion(picked.keys)
            var bad: [String] = []
            for (name, kind) in picked.unusable.sorted(by: { $0.key < $1.key }) {
                bad.append("field '\(name)' is \(kind), expected a string, number or boolean")
            }
            let absent = required.filter { picked.values[$0] == nil && picked.unusable[$0] == nil }
            for name in absent { missingCount[name, default: 0] += 1 }
            if !absent.isEmpty {
                let what = absent.map { "'\($0)'" }.joined(separator: ", ")
                bad.append("no field \(what) (or it is null)")
            }
            if !bad.isEmpty {
                problems.append(DatasetProblem(line: line, message: bad.joined(separator: "; ")))
                continue
            }
            rows.append(DatasetRow(index: index, line: line, fields: picked.values))
        }
        // A field no object has is a wrong field name, not a few bad rows.
        let neverSeen = required.filter { objects > 0 && missingCount[$0] == objects && !keysSeen.contains($0) }
        if !neverSeen.isEmpty {
            let what = neverSeen.map { "'\($0)'" }.joined(separator: ", ")
            throw DatasetError(path: path, message: "no object has the field \(what) (fields: \(list(keysSeen.sorted())))", missingField: true)
        }
        return Dataset(path: path, format: .jsonl, columns: keysSeen.sorted(), rows: rows, problems: problems, rowCount: index)
    }

    static func jsonErrorText(_ error: Error) -> String {
        if case DecodingError.dataCorrupted(let ctx) = error {
            if let underlying = ctx.underlyingError as NSError?, let d = underlying.userInfo[NSDebugDescriptionErrorKey] as? String { return d }
            return ctx.debugDescription
        }
        return "\(error)"
    }
}

/// Decodes one JSON object, keeping the requested fields as strings (numbers and booleans as
/// their JSON spelling) and the names of all keys.
struct FieldPicker: Decodable {
    static let fieldsKey = CodingUserInfoKey(rawValue: "copydesk.fields")!
    struct NotAnObject: Error { var kind: String }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    var values: [String: String] = [:]
    /// Requested fields holding an array or object.
    var unusable: [String: String] = [:]
    var keys: [String] = []

    init(from decoder: Decoder) throws {
        let container: KeyedDecodingContainer<Key>
        do {
            container = try decoder.container(keyedBy: Key.self)
        } catch {
            let single = try decoder.singleValueContainer()
            var kind = "an array"
            if single.decodeNil() { kind = "null" }
            else if (try? single.decode(Bool.self)) != nil { kind = "a boolean" }
            else if (try? single.decode(Double.self)) != nil { kind = "a number" }
            else if (try? single.decode(String.self)) != nil { kind = "a string" }
            throw NotAnObject(kind: kind)
        }
        keys = container.allKeys.map(\.stringValue)
        let wanted = decoder.userInfo[FieldPicker.fieldsKey] as? [String] ?? []
        for name in wanted {
            let key = Key(stringValue: name)
            guard container.contains(key), !(try container.decodeNil(forKey: key)) else { continue }
            if let s = try? container.decode(String.self, forKey: key) {
                values[name] = s
            } else if let v = try? container.decode(Bool.self, forKey: key) {
                values[name] = v ? "true" : "false"
            } else if let v = try? container.decode(Int.self, forKey: key) {
                values[name] = String(v)
            } else if let v = try? container.decode(Double.self, forKey: key) {
                values[name] = v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v)
            } else {
                unusable[name] = (try? container.nestedUnkeyedContainer(forKey: key)) != nil ? "an array" : "an object"
            }
        }
    }
}
