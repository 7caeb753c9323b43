// TextLines: the lines of a text file, however the editor that wrote it ended them.

/// Splits the text files convkit reads (kernels, matrices, file lists, logs, manifests) into lines.
package enum TextLines {
    /// The lines of `text`, split at "\n", "\r\n" or "\r" (Swift reads "\r\n" as one
    /// `Character`, so splitting at "\n" alone keeps Windows lines together), with a leading
    /// byte-order mark (U+FEFF, which Windows editors write) dropped. Empty lines are kept, so
    /// line N is at index N - 1.
    package static func of(_ text: String) -> [Substring] {
        var body = text[...]
        if body.first == "\u{FEFF}" { body = body.dropFirst() }
        return body.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
    }
}
