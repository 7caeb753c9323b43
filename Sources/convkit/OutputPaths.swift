// OutputPaths: the one rule every subcommand follows for outputs: the format comes from the
// extension, several inputs need a folder, folders are made only when something is written.

import ArgumentParser
import Foundation
import ImageIO

enum OutputPaths {
    /// Whether `path` names a folder: an existing one, or a name ending in `/`.
    static func namesFolder(_ path: String) -> Bool {
        path != "-" && (path.hasSuffix("/") || FileAccess.isDirectory(path))
    }

    /// `folder/name`, with one slash between them however the folder was written.
    static func join(_ folder: String, _ name: String) -> String {
        trimmedFolder(folder) == "/" ? "/" + name : trimmedFolder(folder) + "/" + name
    }

    /// A folder name without trailing slashes (`out//` is `out`, `/` stays).
    static func trimmedFolder(_ folder: String) -> String {
        var text = folder
        while text.count > 1 && text.hasSuffix("/") { text.removeLast() }
        return text
    }

    /// The lower-case extension of `path` without the dot (`""` if there is none).
    static func fileExtension(_ path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        return name[name.index(after: dot)...].lowercased()
    }

    /// The format `path` names among `formats` (by extension); a command-line mistake otherwise.
    static func format<Format: RawRepresentable>(
        of path: String, among formats: [Format], what: String
    ) throws -> Format where Format.RawValue == String {
        let ext = fileExtension(path)
        if let format = formats.first(where: { $0.rawValue == ext }) { return format }
        let names = formats.map { "." + $0.rawValue }
        let list = names.dropLast().joined(separator: ", ") + " or " + (names.last ?? "")
        throw ValidationError(
            "\(path): \(ext.isEmpty ? "no extension" : "unknown extension '.\(ext)'") for \(what): name a \(list) file"
        )
    }

    /// Creates `folder` (and its parents) for the outputs of a run that has something to write.
    static func createFolder(_ folder: String) throws {
        do {
            try FileAccess.createFolder(trimmedFolder(folder))
        } catch ImageIOError.writeFailed(let path, let reason) {
            throw CLIError("\(path): cannot create the output folder: \(reason)")
        }
        guard FileAccess.isDirectory(folder) else {
            throw CLIError("\(folder): is a file, not a folder")
        }
    }
}
