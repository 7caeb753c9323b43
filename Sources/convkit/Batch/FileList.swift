// FileList: `--files-from LIST`: the inputs named one a line (or NUL-ended, with `--null`) in a
// file or on standard input.

import Foundation
import ImageIO

enum FileList {
    /// The paths in `list` (`-` reads standard input), one a line, as written: blank lines are
    /// skipped, CRLF line ends are line ends, nothing else is trimmed (names may hold spaces).
    /// Relative paths are taken from the current folder, as `xargs` would. `endedByNUL`
    /// (`--null`) ends each name with a NUL byte instead, as `find -print0` writes them, so that
    /// names may hold line breaks; empty names are skipped there too.
    static func read(_ list: String, endedByNUL: Bool = false) throws -> [String] {
        let bytes: [UInt8]
        do {
            bytes =
                list == "-"
                ? Array(FileHandle.standardInput.readDataToEndOfFile())
                : try FileAccess.readAll(list)
        } catch let error as ImageIOError {
            throw CLIError("--files-from \(error)")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw CLIError(
                "--files-from \(list == "-" ? "standard input" : list): is not UTF-8 text")
        }
        let names =
            endedByNUL
            ? text.split(separator: "\0", omittingEmptySubsequences: true)
            : TextLines.of(text).filter { !$0.isEmpty }
        return names.map(String.init)
    }
}
