import Foundation
import CopydeskCore
import CopydeskWorkflow

/// `copydesk eval --fit`: fits the scores of a category's cues from labeled data.
///
/// Every item of the dataset (split) is linted as `eval` lints it; the features of an item are
/// the category's rules that fired in it (raw matches, before any threshold: `EvalOutcome.matchedRules`),
/// the target is whether the item is a positive of the category (neutral items are left out). A
/// logistic regression with L2 regularisation towards each rule's current score (0 for an
/// unscored rule; no penalty on the intercept) is fitted by Newton's
/// method — deterministic: items are grouped by their feature set, sums run in a fixed order, a
/// fixed number of iterations. A rule's fitted weight, rounded to two decimals, is its score
/// (log-odds units). The threshold is then chosen on the same data with the rounded scores: the
/// lowest score sum above 0 at which precision is still at least `targetPrecision` (the
/// highest recall that keeps it), or, without a target, the logistic decision point (−intercept).
public struct FitOptions: Sendable {
    public var category: Category
    /// L2 strength (λ in ½λ‖w‖²), in items.
    public var l2 = 10.0
    public var iterations = 30
    /// Precision the threshold must keep on the training data; nil: the logistic decision point.
    public var targetPrecision: Double? = nil
    public init(category: Category) { self.category = category }
}

public struct FitResult: Sendable {
    public struct Cue: Sendable, Equatable {
        public var id: String
        /// Items it fired in, and the positives among them.
        public var items: Int
        public var positives: Int
        /// The score the rule has now (nil: unscored).
        public var current: Double?
        /// The fitted score, two decimals; nil when the rule never fired (nothing to fit).
        public var fitted: Double?
    }
    public var category: Category
    public var dataset: String
    public var split: EvalSplit
    public var items: Int
    public var positives: Int
    public var cues: [Cue]
    public var intercept: Double
    public var threshold: Double
    public var targetPrecision: Double?
    /// On the training data, with the rounded scores and the threshold.
    public var tp: Int, fp: Int, fn: Int

    public var precision: Double? { tp + fp == 0 ? nil : Double(tp) / Double(tp + fp) }
    public var recall: Double? { tp + fn == 0 ? nil : Double(tp) / Double(tp + fn) }

    /// A table for people, and the YAML to paste (or `--write-scores` writes it).
    public func renderText() -> String {
        func f(_ v: Double?) -> String { v.map { ScoredCues.formatScore($0, signed: false) } ?? "-" }
        func r3(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "-" }
        var s = "Fitted \(category.rawValue) cue scores on \(dataset) (split \(split.rawValue)): \(items) items, \(positives) positives\n"
        s += "logistic regression, L2, intercept \(String(format: "%.3f", intercept))\n\n"
        var t = TextTable(header: ["rule", "items", "positives", "score now", "fitted"])
        for c in cues { t.rows.append([c.id, String(c.items), String(c.positives), f(c.current), f(c.fitted)]) }
        s += t.render()
        let how = targetPrecision.map { "lowest sum keeping precision >= \(String(format: "%.2f", $0)) on this data" } ?? "the logistic decision point"
        s += "\nthreshold \(f(threshold)) (\(how))\n"
        s += "on this data with the fitted scores: TP \(tp), FP \(fp), FN \(fn), precision \(r3(precision)), recall \(r3(recall))\n"
        s += "\nFor the rule files (--write-scores writes them): each rule's `score:`, and\n"
        s += "categories:\n  \(category.rawValue):\n    threshold: \(f(threshold))\n"
        return s
    }
}

public enum Fit {
    /// Reads the dataset, lints the split and fits the category's cue scores.
    public static func run(dataset path: String, options: EvalOptions, linter: Linter, fit: FitOptions) throws(EvalError) -> FitResult {
        var required = [options.textField]
        guard let labelField = options.labelField else { throw EvalError(path: path, message: "--fit needs labels") }
        required.append(labelField)
        let dataset: Dataset
        do {
            dataset = try DatasetReader.read(path: path, format: options.format, required: required, optional: [options.idField, options.titleField].filter { !required.contains($0) })
        } catch {
            throw EvalError(path: error.path, message: error.message)
        }
        var o = options
        o.categories = [fit.category]
        var resolver = GoldResolver(options: o, path: dataset.path, labels: nil)
        var problems = dataset.problems
        let items = try Evaluation.prepare(dataset, options: o, resolver: &resolver, problems: &problems)
        let selected = items.filter { options.split.contains(rowIndex: $0.index) }
        let (outcomes, _) = Evaluator.lint(selected, unit: options.unit, linter: linter, datasetName: dataset.path,
                                           reader: options.reader, limits: options.limits, workers: options.workers)
        let rules = linter.ruleSet.rules.filter { $0.category == fit.category }
        var index: [String: Int] = [:]
        for (i, r) in rules.enumerated() { index[r.id] = i }
        var rows: [(features: [Int], positive: Bool)] = []
        for (item, outcome) in zip(selected, outcomes) {
            guard let gold = item.gold else { continue }
            let positive: Bool
            switch gold {
            case .neutral: continue
            case .negative: positive = false
            case .positive(let c): positive = c == fit.category
            }
            rows.append((Array(Set(outcome.matchedRules.compactMap { index[$0] })).sorted(), positive))
        }
        return fitRows(rows, rules: rules, fit: fit, dataset: dataset.path, split: options.split)
    }

    /// The fit itself, on (features, label) rows (exposed for tests).
    static func fitRows(_ rows: [(features: [Int], positive: Bool)], rules: [Rule], fit: FitOptions, dataset: String, split: EvalSplit) -> FitResult {
        let n = rules.count
        // Group identical feature sets: (features) -> (positives, negatives), in a fixed order.
        var groups: [[Int]: (Int, Int)] = [:]
        var fired = [Int](repeating: 0, count: n), firedPos = [Int](repeating: 0, count: n)
        for r in rows {
            var g = groups[r.features] ?? (0, 0)
            if r.positive { g.0 += 1 } else { g.1 += 1 }
            groups[r.features] = g
            for f in r.features { fired[f] += 1; if r.positive { firedPos[f] += 1 } }
        }
        let keys = groups.keys.sorted { $0.lexicographicallyPrecedes($1) }
        // Parameters: w[0..<n], bias at n. Newton's method on the penalised log-likelihood.
        let prior = rules.map { $0.score ?? 0 }
        var w = prior + [0]
        for _ in 0..<fit.iterations {
            var grad = [Double](repeating: 0, count: n + 1)
            var hess = [[Double]](repeating: [Double](repeating: 0, count: n + 1), count: n + 1)
            for k in keys {
                let (pos, neg) = groups[k]!
                var z = w[n]
                for f in k { z += w[f] }
                let p = 1 / (1 + exp(-z))
                let total = Double(pos + neg)
                let g = Double(pos) - total * p        // d loglik / dz
                let h = total * p * (1 - p)
                let idx = k + [n]
                for a in idx {
                    grad[a] += g
                    for b in idx { hess[a][b] += h }
                }
            }
            // The penalty pulls each score towards the one the rule has now (0 when unscored):
            // a cue the data hardly sees keeps the score its author gave it.
            for i in 0..<n { grad[i] -= fit.l2 * (w[i] - prior[i]); hess[i][i] += fit.l2 }
            hess[n][n] += 1e-9
            guard let step = solve(hess, grad) else { break }
            var change = 0.0
            for i in 0...n { w[i] += step[i]; change = max(change, abs(step[i])) }
            if change < 1e-9 { break }
        }
        var cues: [FitResult.Cue] = []
        var rounded = [Double](repeating: 0, count: n)
        for (i, r) in rules.enumerated() {
            var fitted: Double? = nil
            if fired[i] > 0 {
                var v = (w[i] * 100).rounded() / 100
                if v == 0 { v = w[i] < 0 ? -0.01 : 0.01 }   // a score of 0 is not a score
                fitted = v
                rounded[i] = v
            }
            cues.append(FitResult.Cue(id: r.id, items: fired[i], positives: firedPos[i], current: r.score, fitted: fitted))
        }
        // Sums per row with the rounded scores, in hundredths (exact).
        let hundredths = rounded.map { Int(($0 * 100).rounded()) }
        var sums: [(Int, Bool)] = rows.map { r in (r.features.reduce(0) { $0 + hundredths[$1] }, r.positive) }
        sums.sort { $0.0 > $1.0 }
        let totalPos = rows.filter(\.positive).count
        var threshold = max(1, Int((-w[n] * 100).rounded(.up)))
        if let target = fit.targetPrecision {
            // Walk down the distinct sums; keep the lowest one whose precision holds.
            var tp = 0, fp = 0, best: Int? = nil, i = 0
            while i < sums.count && sums[i].0 > 0 {
                let s = sums[i].0
                while i < sums.count && sums[i].0 == s { if sums[i].1 { tp += 1 } else { fp += 1 }; i += 1 }
                if Double(tp) / Double(tp + fp) >= target { best = s }
            }
            threshold = best ?? threshold
        }
        var tp = 0, fp = 0
        for (s, pos) in sums where s >= threshold { if pos { tp += 1 } else { fp += 1 } }
        return FitResult(category: fit.category, dataset: dataset, split: split, items: rows.count, positives: totalPos,
                         cues: cues, intercept: w[n], threshold: Double(threshold) / 100, targetPrecision: fit.targetPrecision,
                         tp: tp, fp: fp, fn: totalPos - tp)
    }

    /// Solves a x = b (Gaussian elimination with partial pivoting); nil when singular.
    static func solve(_ a: [[Double]], _ b: [Double]) -> [Double]? {
        let n = b.count
        var m = a, v = b
        for c in 0..<n {
            var p = c
            for r in (c + 1)..<max(c + 1, n) where abs(m[r][c]) > abs(m[p][c]) { p = r }
            guard abs(m[p][c]) > 1e-12 else { return nil }
            if p != c { m.swapAt(p, c); v.swapAt(p, c) }
            for r in (c + 1)..<max(c + 1, n) {
                let f = m[r][c] / m[c][c]
                if f == 0 { continue }
                for k in c..<n { m[r][k] -= f * m[c][k] }
                v[r] -= f * v[c]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for r in stride(from: n - 1, through: 0, by: -1) {
            var s = v[r]
            for k in (r + 1)..<max(r + 1, n) { s -= m[r][k] * x[k] }
            x[r] = s / m[r][r]
        }
        return x
    }

    // MARK: Writing scores back

    /// Writes the fitted scores into the rule files the rules came from, line by line (the rest
    /// of each file is left as it is): a rule's `score:` line is replaced, or one is added after
    /// its `severity:` line; the category's `threshold:` under `categories:` is replaced, or a
    /// `categories:` block is added at the top of the file holding the category's first rule.
    /// Returns the files written.
    public static func writeScores(_ result: FitResult, rules: [Rule], threshold writeThreshold: Bool = true) throws -> [String] {
        let byID = Dictionary(uniqueKeysWithValues: rules.map { ($0.id, $0) })
        var edits: [String: [(line: Int, score: Double)]] = [:]
        for c in result.cues {
            guard let v = c.fitted, let r = byID[c.id], !r.file.isEmpty else { continue }
            edits[r.file, default: []].append((r.line, v))
        }
        let thresholdFile = rules.filter { $0.category == result.category && !$0.file.isEmpty }.map(\.file).first
        var written: [String] = []
        for file in Set(edits.keys).union(thresholdFile.map { [$0] } ?? []).sorted() {
            var lines = try String(contentsOfFile: file, encoding: .utf8).components(separatedBy: "\n")
            // From the bottom up, so earlier line numbers stay valid.
            for e in (edits[file] ?? []).sorted(by: { $0.line > $1.line }) {
                let start = e.line - 1
                guard start >= 0, start < lines.count else { continue }
                // The rule's block: "  - id: …" up to the next line indented no deeper than its dash.
                let dashIndent = lines[start].prefix { $0 == " " }.count
                var end = start + 1
                while end < lines.count {
                    let l = lines[end]
                    if !l.trimmingCharacters(in: .whitespaces).isEmpty && l.prefix(while: { $0 == " " }).count <= dashIndent { break }
                    end += 1
                }
                let keyIndent = String(repeating: " ", count: dashIndent + 2)
                let value = ScoredCues.formatScore(e.score, signed: false)
                if let i = (start..<end).first(where: { lines[$0].hasPrefix(keyIndent + "score:") }) {
                    lines[i] = keyIndent + "score: " + value
                } else if let i = (start..<end).first(where: { lines[$0].hasPrefix(keyIndent + "severity:") }) {
                    lines.insert(keyIndent + "score: " + value, at: i + 1)
                } else {
                    lines.insert(keyIndent + "score: " + value, at: start + 1)
                }
            }
            if writeThreshold, file == thresholdFile {
                let value = ScoredCues.formatScore(result.threshold, signed: false)
                let name = result.category.rawValue
                if let c = lines.firstIndex(of: "categories:") {
                    var i = c + 1, found = false
                    while i < lines.count, lines[i].hasPrefix(" ") || lines[i].isEmpty {
                        if lines[i] == "  \(name):" {
                            var j = i + 1
                            while j < lines.count, lines[j].hasPrefix("    ") {
                                if lines[j].hasPrefix("    threshold:") { lines[j] = "    threshold: \(value)"; found = true; break }
                                j += 1
                            }
                            if !found { lines.insert("    threshold: \(value)", at: i + 1); found = true }
                            break
                        }
                        i += 1
                    }
                    if !found { lines.insert(contentsOf: ["  \(name):", "    threshold: \(value)"], at: c + 1) }
                } else if let r = lines.firstIndex(of: "rules:") {
                    lines.insert(contentsOf: ["categories:", "  \(name):", "    threshold: \(value)"], at: r)
                }
            }
            try lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
            written.append(file)
        }
        return written
    }
}
