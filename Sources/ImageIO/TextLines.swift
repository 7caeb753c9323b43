// TextLines: the lines of a text file, however the editor that wrote it ended them.

/// Splits the text files convkit reads (kernels, matrices, file lists, logs, manifests) into lines.
package enum TextLines {
    /// The lines of `text`, split at "\n", "\r\n" or "\r" (Swift reads "\r\n" as one
    /// `Character`, so splitting at "\n" alone keeps Windows lines together), with a leading
    /// byte-order mark (U+FEFF, which Windows editors write) dropped. Empty lines are kept, so
    /// line N is at index N - 1. The split walks the UTF-8 bytes, where those ASCII bytes never
    /// occur inside another character: walking Characters took 30% of the time of reading a
    /// manifest of a million lines.
    package static func of(_ text: String) -> [Substring] {
        var body = text[...]
        if body.first == "\u{FEFF}" { body = body.dropFirst() }
        let bytes = body.utf8
        var lines = [Substring]()
        var start = bytes.startIndex
        var index = start
        while index != bytes.endIndex {
            let byte = bytes[index]
            guard byte == 0x0A || byte == 0x0D else {
                index = bytes.index(after: index)
                continue
            }
            lines.append(body[start..<index])
            index = bytes.index(after: index)
            if byte == 0x0D, index != bytes.endIndex, bytes[index] == 0x0A {
                index = bytes.index(after: index)
            }
            start = index
        }
        lines.append(body[start..<bytes.endIndex])
        return lines
    }
}
