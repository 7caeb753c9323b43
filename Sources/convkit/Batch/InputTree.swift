// InputTree: the PNG and NPY files of a folder, at its top level or through every subfolder,
// named by their path inside it.

import Foundation
import ImageIO

enum InputTree {
    /// The `.png` and `.npy` files in `folder`, as paths relative to it, sorted by name at each
    /// level. With `recursive`, subfolders are walked too (`a/b/x.png`); symbolic links to
    /// folders are not followed, so a link cannot make a cycle.
    static func files(in folder: String, recursive: Bool) throws -> [String] {
        var found = [String]()
        try walk(folder, prefix: "", recursive: recursive, into: &found)
        return found
    }

    private static func walk(
        _ folder: String, prefix: String, recursive: Bool, into found: inout [String]
    ) throws {
        for name in try FileAccess.folderEntries(folder).sorted() {
            let path = OutputPaths.join(folder, name)
            if recursive && isRealFolder(path) {
                try walk(path, prefix: prefix + name + "/", recursive: true, into: &found)
            } else if ["png", "npy"].contains(OutputPaths.fileExtension(name)) {
                found.append(prefix + name)
            }
        }
    }

    private static func isRealFolder(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
    }

    /// A path written on the command line or in a list as a stable key: `.` components and
    /// repeated slashes removed (`./a//b.png` is `a/b.png`).
    static func key(of path: String) -> String {
        let parts = path.split(separator: "/").filter { $0 != "." }
        let joined = parts.joined(separator: "/")
        return path.hasPrefix("/") ? "/" + joined : joined
    }
}
