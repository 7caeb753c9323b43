// InputTree: the PNG and NPY files of a folder, at its top level or through every subfolder,
// named by their path inside it.

import Foundation
import ImageIO

enum InputTree {
    /// What a folder holds for `filter`: its `.png` and `.npy` files, and the images in other
    /// formats that it skips (JPEG, TIFF, ...), each as a path relative to the folder.
    struct Listing {
        var files = [String]()
        var otherImages = [String]()
    }

    /// The extensions of image formats convkit does not read, whose files a folder input
    /// skips with a note rather than in silence.
    static let otherImageExtensions: Set = [
        "jpg", "jpeg", "jpe", "jfif", "tif", "tiff", "bmp", "gif", "webp", "heic", "heif", "avif",
        "jp2", "jxl", "ppm", "pgm", "pbm", "pnm", "tga", "exr", "hdr", "psd",
    ]

    /// The `.png` and `.npy` files in `folder` (and the images in other formats), sorted by name
    /// at each level, hidden ones (names starting with `.`) left out. With `recursive`, subfolders are walked too (`a/b/x.png`); symbolic links
    /// to folders are not followed, so a link cannot make a cycle.
    static func files(in folder: String, recursive: Bool) throws -> Listing {
        var listing = Listing()
        try walk(folder, prefix: "", recursive: recursive, into: &listing)
        return listing
    }

    /// `paths` with each folder among them replaced by its `.png` and `.npy` files (through
    /// every subfolder with `recursive`), as paths from the current folder; the images in other
    /// formats that the folders hold come back in `otherImages`. A folder with no file convkit
    /// reads is an error naming it.
    static func expanding(_ paths: [String], recursive: Bool) throws -> Listing {
        var result = Listing()
        for path in paths {
            guard path != "-", FileAccess.isDirectory(path) else {
                result.files.append(path)
                continue
            }
            let listing = try files(in: path, recursive: recursive)
            let others = listing.otherImages.map { OutputPaths.join(path, $0) }
            guard !listing.files.isEmpty else {
                let skipped = others.isEmpty ? "" : " (\(FilterJobs.skippedText(others)))"
                throw CLIError("\(path): no .png or .npy files found\(skipped)")
            }
            result.files += listing.files.map { OutputPaths.join(path, $0) }
            result.otherImages += others
        }
        return result
    }

    private static func walk(
        _ folder: String, prefix: String, recursive: Bool, into listing: inout Listing
    ) throws {
        // Hidden entries (macOS's ._x.png resource forks, .git, ...) are not the user's images,
        // as a training folder's are not.
        for name in try FileAccess.folderEntries(folder).sorted() where !name.hasPrefix(".") {
            let path = OutputPaths.join(folder, name)
            let fileExtension = OutputPaths.fileExtension(name)
            if recursive && isRealFolder(path) {
                try walk(path, prefix: prefix + name + "/", recursive: true, into: &listing)
            } else if ["png", "npy"].contains(fileExtension) {
                listing.files.append(prefix + name)
            } else if otherImageExtensions.contains(fileExtension) {
                listing.otherImages.append(prefix + name)
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
