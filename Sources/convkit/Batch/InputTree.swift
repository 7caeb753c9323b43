// InputTree: the PNG and NPY files of a folder, at its top level or through every subfolder,
// named by their path inside it.

import ConvkitSupport
import Foundation
import ImageIO

enum InputTree {
    /// What a folder holds for `filter`: its `.png` and `.npy` files, and what it skips: images
    /// in other formats (JPEG, TIFF, ...) and `.png` or `.npy` names that are not files (a FIFO,
    /// a device or a socket, whose reading could block for good or never end), each as a path
    /// relative to the folder.
    struct Listing {
        var files = [String]()
        var otherImages = [String]()
        /// Each with its kind: `x.png (a FIFO)`.
        var specialFiles = [String]()
        /// The subfolders that could not be read, by path, with the error: each is also among
        /// `files`, where it fails as a bad file does, and the rest of the walk goes on.
        var unreadableFolders = [String: any Error]()

        /// The notes saying what was skipped, for standard error: `2 images not PNG or NPY
        /// skipped: in/a.jpg, in/b.tif; convkit reads PNG and NPY`.
        var skippedNotes: [String] {
            var notes = [String]()
            if !otherImages.isEmpty {
                notes.append(
                    "\(counted(otherImages.count, "image")) not PNG or NPY skipped: \(Self.firstFew(otherImages)); convkit reads PNG and NPY"
                )
            }
            if !specialFiles.isEmpty {
                let shown = Self.firstFew(specialFiles)
                notes.append(
                    specialFiles.count == 1
                        ? "1 entry that is not a regular file skipped: \(shown)"
                        : "\(specialFiles.count) entries that are not regular files skipped: \(shown)"
                )
            }
            return notes
        }

        /// The first three of `paths`, then `...` if there are more.
        private static func firstFew(_ paths: [String]) -> String {
            paths.prefix(3).joined(separator: ", ") + (paths.count > 3 ? ", ..." : "")
        }

        /// The notes in parentheses after a message, or nothing.
        var skippedSuffix: String {
            skippedNotes.isEmpty ? "" : " (\(skippedNotes.joined(separator: "; ")))"
        }

        /// The listing of a folder with its paths written from `folder`'s parent.
        func prefixed(by folder: String) -> Listing {
            Listing(
                files: files.map { OutputPaths.join(folder, $0) },
                otherImages: otherImages.map { OutputPaths.join(folder, $0) },
                specialFiles: specialFiles.map { OutputPaths.join(folder, $0) },
                unreadableFolders: Dictionary(
                    uniqueKeysWithValues: unreadableFolders.map {
                        (OutputPaths.join(folder, $0.key), $0.value)
                    }))
        }

        static func += (left: inout Listing, right: Listing) {
            left.files += right.files
            left.otherImages += right.otherImages
            left.specialFiles += right.specialFiles
            left.unreadableFolders.merge(right.unreadableFolders) { first, _ in first }
        }
    }

    /// The extensions of image formats convkit does not read, whose files a folder input
    /// skips with a note rather than in silence.
    static let otherImageExtensions: Set = [
        "jpg", "jpeg", "jpe", "jfif", "tif", "tiff", "bmp", "gif", "webp", "heic", "heif", "avif",
        "jp2", "jxl", "ppm", "pgm", "pbm", "pnm", "tga", "exr", "hdr", "psd",
    ]

    /// The `.png` and `.npy` files in `folder` (and the images in other formats), sorted by name
    /// at each level, hidden ones (names starting with `.`) left out. With `recursive`,
    /// subfolders are walked too (`a/b/x.png`); symbolic links to folders are not followed, so a
    /// link cannot make a cycle.
    static func files(in folder: String, recursive: Bool) throws -> Listing {
        var listing = Listing()
        try walk(folder, prefix: "", recursive: recursive, into: &listing)
        return listing
    }

    /// `paths` with each folder among them replaced by its `.png` and `.npy` files (through
    /// every subfolder with `recursive`), as paths from the current folder, with what the
    /// folders skip. A folder with no file convkit reads is an error naming it.
    static func expanding(_ paths: [String], recursive: Bool) throws -> Listing {
        var result = Listing()
        for path in paths {
            guard path != "-", FileAccess.isDirectory(path) else {
                result.files.append(path)
                continue
            }
            let listing = try files(in: path, recursive: recursive).prefixed(by: path)
            guard !listing.files.isEmpty else {
                throw CLIError("\(path): no .png or .npy files found\(listing.skippedSuffix)")
            }
            result += listing
        }
        return result
    }

    private static func walk(
        _ folder: String, prefix: String, recursive: Bool, into listing: inout Listing
    ) throws {
        let entries: [(name: String, type: FileAccess.EntryType)]
        do {
            entries = try FileAccess.typedFolderEntries(folder)
        } catch let error where !prefix.isEmpty {
            // One unreadable subfolder fails alone, as one unreadable file does.
            let path = String(prefix.dropLast())
            listing.files.append(path)
            listing.unreadableFolders[path] = error
            return
        }
        // Hidden entries (macOS's ._x.png resource forks, .git, ...) are not the user's images,
        // as a training folder's are not.
        // The entries' types spare a stat per file; only links and untyped entries need one.
        for (name, type) in entries.sorted(by: { $0.name < $1.name }) where !name.hasPrefix(".") {
            let path = OutputPaths.join(folder, name)
            let fileExtension = OutputPaths.fileExtension(name)
            if recursive, type == .folder || (type == .unknown && isRealFolder(path)) {
                try walk(path, prefix: prefix + name + "/", recursive: true, into: &listing)
            } else if ["png", "npy"].contains(fileExtension) {
                let special =
                    switch type {
                    case .file, .folder: nil as String?
                    case .special(let kind): kind
                    case .symbolicLink, .unknown: specialKind(path)
                    }
                if let kind = special {
                    listing.specialFiles.append(prefix + name + " (\(kind))")
                } else {
                    listing.files.append(prefix + name)
                }
            } else if otherImageExtensions.contains(fileExtension) {
                listing.otherImages.append(prefix + name)
            }
        }
    }

    /// What `path` is when it is neither a file (through any link) nor a folder: `a FIFO`, `a
    /// device` or `a socket`; nil otherwise (a missing file is reported when it is read).
    private static func specialKind(_ path: String) -> String? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        switch status.st_mode & S_IFMT {
        case S_IFIFO: return "a FIFO"
        case S_IFCHR, S_IFBLK: return "a device"
        case S_IFSOCK: return "a socket"
        default: return nil
        }
    }

    /// Whether `path` is a folder, not a link to one.
    private static func isRealFolder(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
    }

    /// Whether the folder `inner` (which need not exist yet) lies inside the folder `outer`,
    /// however either is written and through any links: the deepest existing folder on the way
    /// to `inner`, resolved, is `outer` with something still to make below it, or is below
    /// `outer`.
    static func folder(_ inner: String, liesInside outer: String) -> Bool {
        guard let outerPath = resolved(outer) else { return false }
        var existing = OutputPaths.trimmedFolder(inner)
        var missing = false
        while resolved(existing) == nil {
            if existing == "." || existing == "/" { return false }
            let parent = (existing as NSString).deletingLastPathComponent
            existing = parent.isEmpty ? "." : parent
            missing = true
        }
        guard let innerPath = resolved(existing) else { return false }
        if innerPath == outerPath { return missing }
        return innerPath.hasPrefix(outerPath == "/" ? "/" : outerPath + "/")
    }

    /// The absolute path of `path` with every link resolved, or nil if it does not exist.
    private static func resolved(_ path: String) -> String? {
        guard let absolute = realpath(path, nil) else { return nil }
        defer { free(absolute) }
        return String(cString: absolute)
    }

    /// A path written on the command line or in a list as a stable key: `.` components and
    /// repeated slashes removed (`./a//b.png` is `a/b.png`).
    static func key(of path: String) -> String {
        let parts = path.split(separator: "/").filter { $0 != "." }
        let joined = parts.joined(separator: "/")
        return path.hasPrefix("/") ? "/" + joined : joined
    }
}
