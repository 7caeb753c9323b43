// CSVField: one text field of the report's CSV files, quoted as RFC 4180 asks.

/// Quotes `text` for a CSV file when it holds a comma, a double quote or a line break (doubling
/// its quotes), as RFC 4180 and Python's `csv` module read fields; other text is left as is.
func csvField(_ text: String) -> String {
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
