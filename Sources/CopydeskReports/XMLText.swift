import CopydeskCore
/// Escaping for the XML reports (JUnit, Checkstyle).
enum XMLText {
    /// Text escaped for element content or a double-quoted attribute. Characters XML 1.0 does not
    /// allow (most C0 controls, U+FFFE/U+FFFF) become U+FFFD; in attributes, line breaks and tabs
    /// are kept as character references so parsers do not normalize them away.
    static func escape(_ s: String, attribute: Bool = false) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where attribute: out += "&quot;"
            case "\n" where attribute: out += "&#10;"
            case "\r": out += "&#13;"
            case "\t" where attribute: out += "&#9;"
            case "\n", "\t": out.unicodeScalars.append(u)
            default:
                let v = u.value
                if v < 0x20 || v == 0xFFFE || v == 0xFFFF { out += "\u{FFFD}" } else { out.unicodeScalars.append(u) }
            }
        }
        return out
    }
}
