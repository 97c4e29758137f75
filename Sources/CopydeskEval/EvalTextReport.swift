import CopydeskCore
import CopydeskWorkflow
extension EvalReport {
    static func score(_ v: Double?) -> String { v.map { RuleStats.fixed($0, 3) } ?? "-" }

    /// The report for people: what was evaluated, the scores (or counts), rules, examples, problems.
    public func renderText() -> String {
        var out = ""
        let d = dataset
        let name = d.path == "-" ? "<stdin>" : d.path
        out += "\(name) (\(d.format.rawValue)): unit \(d.unit.rawValue), split \(d.split.rawValue)"
        if d.split != .all { out += " (holdout = every \(EvalSplit.holdoutEvery)th row, rows 0, \(EvalSplit.holdoutEvery), \(2 * EvalSplit.holdoutEvery), …)" }
        out += "\n"
        if let docs = d.documents {
            let what = d.unit == .block ? "block" : "line"
            out += "\(d.items) \(what)\(d.items == 1 ? "" : "s") in \(docs) document\(docs == 1 ? "" : "s") (layout \(d.layout?.rawValue ?? "-")) of \(d.rows) row\(d.rows == 1 ? "" : "s")"
        } else {
            out += "\(d.items) item\(d.items == 1 ? "" : "s") of \(d.rows) row\(d.rows == 1 ? "" : "s")"
        }
        out += "; text field '\(d.textField)'"
        if let j = labelJoin {
            out += ", labels from \(j.path)"
        } else {
            out += d.labelField.map { ", label field '\($0)'" } ?? ", no labels"
        }
        if d.skipped > 0 { out += "; \(d.skipped) row\(d.skipped == 1 ? "" : "s") skipped (listed below)" }
        out += "\n"
        if let j = labelJoin {
            out += "Labels: \(j.labels) id\(j.labels == 1 ? "" : "s"), \(j.matched) matched"
            if let o = j.otherFiles, o > 0 { out += ", \(o) for other files" }
            out += ", \(j.unmatched) unmatched"
            if !j.unmatchedIds.isEmpty {
                out += " (\(j.unmatchedIds.joined(separator: ", "))\(j.unmatched > j.unmatchedIds.count ? ", …" : ""))"
            }
            out += "; \(j.unlabeledItems) item\(j.unlabeledItems == 1 ? "" : "s") without a label not scored\n"
        }
        out += "\n"

        if labeled {
            let showNeutral = scores.contains { $0.neutral > 0 }
            var header = ["category", "positives", "negatives"]
            if showNeutral { header += ["neutral", "neutral flagged"] }
            header += ["TP", "FP", "FN", "TN", "precision", "recall", "F1"]
            var t = TextTable(header: header)
            func row(_ s: Score, _ name: String) -> [String] {
                var r = [name, String(s.positives), String(s.negatives)]
                if showNeutral { r += [String(s.neutral), String(s.neutralFlagged)] }
                r += [String(s.tp), String(s.fp), String(s.fn), String(s.tn), Self.score(s.precision), Self.score(s.recall), Self.score(s.f1)]
                return r
            }
            for s in scores { t.rows.append(row(s, s.category)) }
            if let o = overall { t.rows.append(row(o, "all")) }
            out += t.render()
            if let o = overall {
                out += "all: \(categories.joined(separator: ", ")) together; a flagged item counts as right when one of its findings has the item's category"
                if let w = o.wrongCategory, w > 0 { out += " (\(w) positive\(w == 1 ? "" : "s") flagged with another category, counted as FP and FN)" }
                out += ".\n"
            }
            // Binary labels say nothing the category table does not; named labels get recall each.
            let binary: Set<String> = ["1", "0", "true", "false", "yes", "no"]
            if labels.contains(where: { !binary.contains($0.label.lowercased()) }) {
                var lt = TextTable(header: ["label", "target", "items", "found", "recall", "flagged"], leftColumns: [0, 1])
                for l in labels {
                    lt.rows.append([l.label, l.target, String(l.items), l.found.map(String.init) ?? "-", Self.score(l.recall), String(l.flagged)])
                }
                out += "\nBy label (found: flagged with the label's category; flagged: with any scored category):\n"
                out += lt.render(indent: "  ")
            }
        } else {
            var t = TextTable(header: ["category", "findings", "items", "per 100 items"])
            for c in counts { t.rows.append([c.category, String(c.findings), String(c.items), RuleStats.fixed(c.per100Items, 2)]) }
            let f = counts.reduce(0) { $0 + $1.findings }
            t.rows.append(["total", String(f), String(flaggedItems), RuleStats.fixed(Double(f) * 100 / Double(max(1, d.items)), 2)])
            out += t.render()
        }

        if let g = groupBy, let groups { out += renderGroups(g, groups) }

        let fired = rules.filter { $0.items > 0 }
        if !rules.isEmpty {
            if labeled {
                out += "\nRules (items the rule matched in; only: positives no other rule of its category found):\n"
                var t = TextTable(header: ["rule", "items", "TP", "FP", "neutral", "only", "precision"])
                for r in rules {
                    let p: Double? = (r.tp ?? 0) + (r.fp ?? 0) > 0 ? Double(r.tp ?? 0) / Double((r.tp ?? 0) + (r.fp ?? 0)) : nil
                    t.rows.append([r.id, String(r.items), String(r.tp ?? 0), String(r.fp ?? 0), String(r.neutral ?? 0), String(r.only ?? 0), Self.score(p)])
                }
                out += t.render(indent: "  ")
            } else {
                out += "\nRules (items the rule matched in; findings reported under it):\n"
                var t = TextTable(header: ["rule", "items", "findings"])
                for r in rules { t.rows.append([r.id, String(r.items), String(r.findings)]) }
                out += t.render(indent: "  ")
            }
            let silent = rules.count - fired.count
            if silent > 0 { out += "  \(silent) of \(rules.count) rules matched nothing.\n" }
        } else {
            out += "\nNo rules of \(categories.joined(separator: ", ")) are loaded.\n"
        }

        // Examples, grouped by kind and category.
        var groups: [(Example.Kind, String)] = []
        for kind in [Example.Kind.falsePositive, .falseNegative, .finding] {
            for c in categories where (exampleTotals["\(kind.rawValue):\(c)"] ?? 0) > 0 && examples.contains(where: { $0.kind == kind && $0.category == c }) {
                groups.append((kind, c))
            }
        }
        for (kind, c) in groups {
            let total = exampleTotals["\(kind.rawValue):\(c)"] ?? 0
            let list = examples.filter { $0.kind == kind && $0.category == c }
            let title: String
            switch kind {
            case .falsePositive: title = "False positives, \(c)"
            case .falseNegative: title = "False negatives, \(c)"
            case .finding: title = "Findings to review, \(c)"
            }
            out += "\n\(title): \(total)\(list.count < total ? " (showing the first \(list.count))" : "")\n"
            for e in list { out += renderExample(e, name: name) }
        }

        if !problems.isEmpty {
            out += "\nSkipped rows: \(problems.count)\n"
            for p in problems.prefix(20) { out += "  \(p.file ?? name):\(p.line): \(p.message)\n" }
            if problems.count > 20 { out += "  … and \(problems.count - 20) more (all of them are in --format json)\n" }
        }
        if !errors.isEmpty {
            out += "\nErrors while linting items: \(errors.count)\n"
            for e in errors.prefix(20) { out += "  \(e.path): \(e.message)\n" }
            if errors.count > 20 { out += "  … and \(errors.count - 20) more (all of them are in --format json)\n" }
        }
        return out
    }

    func renderGroups(_ field: String, _ groups: [Group]) -> String {
        var out = "\nBy \(field):\n"
        func name(_ g: Group) -> String { g.group.isEmpty ? "(none)" : g.group }
        if labeled {
            var t = TextTable(header: [field, "items", "category", "positives", "negatives", "TP", "FP", "FN", "TN", "precision", "recall", "F1"], leftColumns: [0, 2])
            for g in groups {
                var first = true
                for s in (g.scores ?? []) + (g.overall.map { [$0] } ?? []) {
                    let cat = s.category.contains("+") ? "all" : s.category
                    t.rows.append([first ? name(g) : "", first ? String(g.items) : "", cat, String(s.positives), String(s.negatives),
                                   String(s.tp), String(s.fp), String(s.fn), String(s.tn), Self.score(s.precision), Self.score(s.recall), Self.score(s.f1)])
                    first = false
                }
            }
            out += t.render(indent: "  ")
            let binary: Set<String> = ["1", "0", "true", "false", "yes", "no"]
            let named = groups.contains { ($0.labels ?? []).contains { !binary.contains($0.label.lowercased()) && $0.found != nil } }
            if named {
                out += "\n  By \(field) and label (positive labels):\n"
                var lt = TextTable(header: [field, "label", "items", "found", "recall", "flagged"], leftColumns: [0, 1])
                for g in groups {
                    var first = true
                    for l in g.labels ?? [] where l.found != nil {
                        lt.rows.append([first ? name(g) : "", l.label, String(l.items), String(l.found!), Self.score(l.recall), String(l.flagged)])
                        first = false
                    }
                }
                out += lt.render(indent: "  ")
            }
        } else {
            var t = TextTable(header: [field, "items", "category", "findings", "flagged items", "per 100 items"], leftColumns: [0, 2])
            for g in groups {
                var first = true
                for c in g.counts ?? [] {
                    t.rows.append([first ? name(g) : "", first ? String(g.items) : "", c.category, String(c.findings), String(c.items), RuleStats.fixed(c.per100Items, 2)])
                    first = false
                }
            }
            out += t.render(indent: "  ")
        }
        return out
    }

    func renderExample(_ e: Example, name: String) -> String {
        var head = "  \(name):\(e.line)"
        if let id = e.id, !id.isEmpty { head += "  id \(id)" }
        if let l = e.label { head += "  label \(l)" }
        if !e.rules.isEmpty { head += "  [\(e.rules.joined(separator: ", "))]" }
        var out = head + "\n"
        if let t = e.text, !t.isEmpty {
            let flat = String(decoding: EvalUnit.oneLine(t), as: UTF8.self)
            out += "    \(dataset.unit == .article ? "title: " : "")\(flat)\n"
        }
        if e.kind == .falseNegative {
            if e.findings.isEmpty {
                out += "    (nothing fired)\n"
            } else {
                for f in e.findings { out += "    fired instead: \(f.rule) «\(f.match.replacingNewlines())»\n" }
            }
        } else {
            for f in e.findings {
                out += "    \(dataset.unit == .article ? "\(f.line):\(f.column) " : "")\(f.rule) «\(f.match.replacingNewlines())»\n"
                if let ctx = f.context { out += "      \(ctx)\n" }
            }
        }
        return out
    }
}
