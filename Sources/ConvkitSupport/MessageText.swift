// MessageText: the small pieces every one-line message is built from: file content quoted as
// escaped text, counts with agreeing plurals, numbers without a needless ".0".

/// Text from a file or the command line made safe to show inside a one-line message: control
/// characters and other invisible ones are written as escapes (`\n`, `\t`, `\u{1B}`), so the
/// message stays on one line and cannot drive a terminal, and long text is cut to `limit`
/// characters with an ellipsis. Backslashes are doubled unless `keepBackslashes` (for whole
/// messages, whose paths may hold them).
package func escapedForMessage(
    _ text: some StringProtocol, limit: Int = 60, keepBackslashes: Bool = false
) -> String {
    var result = ""
    var shown = 0
    for character in text {
        if shown >= limit {
            result += "..."
            break
        }
        shown += 1
        for scalar in character.unicodeScalars {
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\\" where !keepBackslashes: result += "\\\\"
            default:
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
                    || scalar.properties.generalCategory == .format
                    || scalar.properties.generalCategory == .lineSeparator
                    || scalar.properties.generalCategory == .paragraphSeparator
                {
                    result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
    }
    return result
}

/// `1 file`, `2 files`, `0 files`: a count with its noun in the agreeing number. `plural`
/// defaults to the singular with an `s`.
package func counted(_ count: Int, _ singular: String, _ plural: String? = nil) -> String {
    "\(count) " + (count == 1 ? singular : plural ?? singular + "s")
}

/// A number as people write it: whole numbers without a decimal point (`9`, not `9.0`), others
/// in Swift's shortest exact form (`0.25`, `1e-06`), and `nan`, `inf`, `-inf` as such.
package func plainNumber(_ value: Double) -> String {
    if value.isFinite, value == value.rounded(), abs(value) < 1e15 {
        return String(Int64(value))
    }
    return "\(value)"
}
