/// Columns of text padded to their widest cell; numbers right-aligned.
package struct TextTable {
    package var header: [String]
    /// Columns aligned left (the others right).
    package var leftColumns: Set<Int> = [0]
    package var rows: [[String]] = []

    package init(header: [String], leftColumns: Set<Int> = [0], rows: [[String]] = []) {
        self.header = header
        self.leftColumns = leftColumns
        self.rows = rows
    }

    package func render(indent: String = "") -> String {
        var widths = header.map(\.count)
        for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        func line(_ cells: [String]) -> String {
            var parts: [String] = []
            for (i, c) in cells.enumerated() {
                let pad = String(repeating: " ", count: max(0, widths[i] - c.count))
                parts.append(leftColumns.contains(i) ? (i == cells.count - 1 ? c : c + pad) : pad + c)
            }
            var l = indent + parts.joined(separator: "  ")
            while l.last == " " { l.removeLast() }
            return l
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n") + "\n"
    }
}
