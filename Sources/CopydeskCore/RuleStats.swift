import Dispatch

/// Per-rule counters from a lint or eval run (`--stats`): how often each rule matched and how long
/// it took, so rule authors see which rules fire and which cost.
///
/// Times are wall-clock time spent inside the rule's check, summed over all documents and all
/// threads (so with several threads the sum can exceed the run's wall time).
public struct RuleStats: Sendable, Codable, Equatable {
    public struct Entry: Sendable, Codable, Equatable {
        public var id: String
        public var category: Category
        /// Raw matches the rule produced (before merging: one finding can hold several matches).
        public var matches: Int
        /// Documents in which the rule matched at least once.
        public var documents: Int
        /// Findings reported under this rule id after merging (the rule that speaks for a merged finding).
        public var findings: Int
        /// Documents where the rule hit a match limit (its matches there were dropped).
        public var errors: Int
        /// Time spent running the rule, in milliseconds.
        public var timeMs: Double

        public init(id: String, category: Category, matches: Int = 0, documents: Int = 0, findings: Int = 0, errors: Int = 0, timeMs: Double = 0) {
            self.id = id
            self.category = category
            self.matches = matches
            self.documents = documents
            self.findings = findings
            self.errors = errors
            self.timeMs = timeMs
        }
    }

    /// Documents linted.
    public var documents: Int
    /// One entry per rule that ran, sorted by rule id.
    public var rules: [Entry]
    /// Sum of the rules' times, in milliseconds.
    public var ruleTimeMs: Double
    /// Wall-clock time of the whole run (reading, linting, merging), in milliseconds; 0 when unknown.
    public var wallTimeMs: Double
    /// Threads that linted.
    public var threads: Int

    public init(documents: Int = 0, rules: [Entry] = [], wallTimeMs: Double = 0, threads: Int = 1) {
        self.documents = documents
        self.rules = rules.sorted { $0.id < $1.id }
        self.ruleTimeMs = rules.reduce(0) { $0 + $1.timeMs }
        self.wallTimeMs = wallTimeMs
        self.threads = threads
    }

    /// The sum of several threads' statistics.
    public static func merged(_ parts: [RuleStats], wallTimeMs: Double = 0, threads: Int? = nil) -> RuleStats {
        var byID: [String: Entry] = [:]
        var documents = 0
        for p in parts {
            documents += p.documents
            for e in p.rules {
                if var m = byID[e.id] {
                    m.matches += e.matches
                    m.documents += e.documents
                    m.findings += e.findings
                    m.errors += e.errors
                    m.timeMs += e.timeMs
                    byID[e.id] = m
                } else {
                    byID[e.id] = e
                }
            }
        }
        return RuleStats(documents: documents, rules: Array(byID.values), wallTimeMs: wallTimeMs, threads: threads ?? max(1, parts.count))
    }

    /// A table for people (written to stderr by the CLI): the costliest rules first.
    public func renderTable() -> String {
        let sorted = rules.sorted { $0.timeMs != $1.timeMs ? $0.timeMs > $1.timeMs : $0.id < $1.id }
        var t = TextTable(header: ["rule", "matches", "docs", "findings", "errors", "time ms", "share"])
        for e in sorted {
            let share = ruleTimeMs > 0 ? RuleStats.fixed(100 * e.timeMs / ruleTimeMs, 1) + "%" : "-"
            t.rows.append([e.id, String(e.matches), String(e.documents), String(e.findings), String(e.errors), RuleStats.fixed(e.timeMs, 2), share])
        }
        t.rows.append(["total", String(rules.reduce(0) { $0 + $1.matches }), String(documents), String(rules.reduce(0) { $0 + $1.findings }),
                       String(rules.reduce(0) { $0 + $1.errors }), RuleStats.fixed(ruleTimeMs, 2), ""])
        var out = t.render()
        out += "\(rules.count) rule\(rules.count == 1 ? "" : "s") over \(documents) document\(documents == 1 ? "" : "s"); rule time summed over \(threads) thread\(threads == 1 ? "" : "s")"
        if wallTimeMs > 0 { out += "; wall time \(RuleStats.fixed(wallTimeMs, 1)) ms" }
        return out + "\n"
    }

    /// `v` with exactly `digits` decimals (no Foundation formatting, same output everywhere).
    package static func fixed(_ v: Double, _ digits: Int) -> String {
        guard v.isFinite else { return "-" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let n = (abs(v) * scale).rounded()
        let whole = Int(n / scale)
        var frac = String(Int(n - Double(whole) * scale))
        while frac.count < digits { frac = "0" + frac }
        return (v < 0 && n > 0 ? "-" : "") + String(whole) + (digits > 0 ? "." + frac : "")
    }
}

/// Collects `RuleStats` while one thread lints: pass it to `Linter.lint(_:scratch:rules:stats:)`.
/// Not thread-safe: give each thread its own and merge their `snapshot()`s.
public final class RuleStatsCollector {
    /// Whether rule time is measured (matches and findings are always counted).
    public let timing: Bool
    private var slot: [ObjectIdentifier: Int] = [:]
    private var slotByID: [String: Int] = [:]
    private var entries: [RuleStats.Entry] = []
    private var nanos: [UInt64] = []
    public private(set) var documents = 0
    /// Rules that matched in the document linted last, in the order they ran, with their raw match
    /// counts. `copydesk eval` uses it to credit every rule that fired, not only the one that speaks
    /// for a merged finding.
    public private(set) var lastDocument: [(rule: Rule, matches: Int)] = []

    public init(timing: Bool = true) { self.timing = timing }

    /// A timestamp for `record(_:matches:failed:since:)` (0 when timing is off).
    @inline(__always) public func start() -> UInt64 {
        timing ? DispatchTime.now().uptimeNanoseconds : 0
    }

    public func beginDocument() {
        documents += 1
        lastDocument.removeAll(keepingCapacity: true)
    }

    private func index(of rule: Rule) -> Int {
        let key = ObjectIdentifier(rule)
        if let i = slot[key] { return i }
        let i: Int
        if let j = slotByID[rule.id] {
            i = j   // an equal rule object from another load of the same set
        } else {
            i = entries.count
            entries.append(RuleStats.Entry(id: rule.id, category: rule.category))
            nanos.append(0)
            slotByID[rule.id] = i
        }
        slot[key] = i
        return i
    }

    /// Records one run of `rule` over the current document.
    public func record(_ rule: Rule, matches: Int, failed: Bool, since started: UInt64) {
        let i = index(of: rule)
        if timing { nanos[i] &+= DispatchTime.now().uptimeNanoseconds &- started }
        if failed { entries[i].errors += 1 }
        if matches > 0 {
            entries[i].matches += matches
            entries[i].documents += 1
            lastDocument.append((rule, matches))
        }
    }

    /// Counts the findings of the current document under the rule that reports each.
    public func recordFindings(_ findings: [Finding]) {
        for f in findings {
            if let i = slotByID[f.rule] { entries[i].findings += 1 }
        }
    }

    public func snapshot() -> RuleStats {
        var list = entries
        for i in list.indices { list[i].timeMs = Double(nanos[i]) / 1_000_000 }
        return RuleStats(documents: documents, rules: list, threads: 1)
    }
}
