// FileAccess: whole-file reads (files or standard input), atomic whole-file writes that leave
// nothing half-written behind, and folder listing and creation with errors naming the path.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reading and writing whole files, with errors that name the path.
///
/// The path `-` means standard input for reads and standard output for writes.
package enum FileAccess {
    /// Reads every byte of `path`.
    package static func readAll(_ path: String) throws -> [UInt8] {
        if path == "-" { return try readStream(descriptor: 0, path: path) }
        let (descriptor, size) = try openRegularFile(path)
        defer { close(descriptor) }
        return try readStream(descriptor: descriptor, path: path, sizeHint: size)
    }

    /// Reads the first `count` bytes of `path` (fewer if the file is shorter), without reading
    /// the rest: enough to inspect a header.
    package static func readPrefix(_ path: String, count: Int) throws -> [UInt8] {
        let (descriptor, _) = try openRegularFile(path)
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = bytes.withUnsafeMutableBytes {
                read(descriptor, $0.baseAddress! + filled, count - filled)
            }
            if got < 0, errno == EINTR { continue }
            guard got >= 0 else { throw ImageIOError.unreadable(path: path, reason: systemError()) }
            if got == 0 { break }
            filled += got
        }
        return Array(bytes[0..<filled])
    }

    /// The size of `path` in bytes.
    package static func fileSize(_ path: String) throws -> Int {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw ImageIOError.unreadable(path: path, reason: systemError())
        }
        if (status.st_mode & S_IFMT) == S_IFDIR { throw ImageIOError.isDirectory(path: path) }
        return Int(status.st_size)
    }

    /// Whether `path` is a regular file (through links), which can be opened and read more than
    /// once. Standard input (`-`), a pipe (`<(command)`), a FIFO or a device cannot: sniffing
    /// its first bytes would consume them, so what reads one must read it once, whole.
    package static func isRegularFile(_ path: String) -> Bool {
        guard path != "-" else { return false }
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
    }

    /// Whether `path` exists and is a directory.
    package static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
    }

    /// Writes `bytes` to `path` atomically: into a temporary file `.NAME.convkit-XXXXXX` in the
    /// same folder, flushed to disk, then renamed over the target. If anything fails, the
    /// temporary file is removed and any existing file at `path` is left exactly as it was.
    /// Writing over the file that was read works, because the old file is replaced only once the
    /// new one is complete.
    ///
    /// As shell redirection does, a symbolic link is written through (its target is replaced,
    /// the link stays), a replaced file keeps its permission bits (and its owner, where the
    /// process may set it), and a new file gets 0666 less the umask.
    ///
    /// The temporary file is locked (`flock`) while it is written, so a process killed outright
    /// (SIGKILL, power loss) leaves an unlocked one behind that is recognisably abandoned: the
    /// first write into a folder removes such files there (``removeAbandonedTemporaryFiles(in:)``).
    package static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        try writeAtomically(to: path) { descriptor in
            try writeFully(bytes, descriptor: descriptor, path: path)
        }
    }

    /// Writes a file atomically as ``writeAtomically(_:to:)`` does, with `write` producing its
    /// contents piece by piece into the open descriptor it is given (standard output for `-`),
    /// so a file larger than memory can be written. If `write` throws, the temporary file is
    /// removed and nothing at `path` changes.
    package static func writeAtomically(to path: String, write: (Int32) throws -> Void) throws {
        if path == "-" {
            try write(1)
            return
        }
        let target = try linkTarget(of: path)
        if isDirectory(target) { throw ImageIOError.isDirectory(path: path) }
        let folder = parentFolder(of: target)
        if AbandonedFileSweep.isFirstVisit(folder) { removeAbandonedTemporaryFiles(in: folder) }
        let name =
            target.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init)
            ?? target
        let (descriptor, temporaryPath) = try createLockedTemporaryFile(
            template: "\(folder)/\(temporaryPrefix(for: name))XXXXXX", for: path)
        defer { TemporaryFiles.unregister(temporaryPath) }
        do {
            try write(descriptor)
            var existing = stat()
            if stat(target, &existing) == 0 {
                fchmod(descriptor, existing.st_mode & 0o7777)
                _ = fchown(descriptor, existing.st_uid, existing.st_gid)
            } else {
                fchmod(descriptor, 0o666 & ~processUmask)
            }
            guard fsync(descriptor) == 0 else {
                throw ImageIOError.writeFailed(path: path, reason: systemError())
            }
        } catch {
            unlink(temporaryPath)
            close(descriptor)
            throw error
        }
        // Renamed while still open and locked, so a concurrent sweep never sees it unlocked.
        guard rename(temporaryPath, target) == 0 else {
            let reason = systemError()
            unlink(temporaryPath)
            close(descriptor)
            throw ImageIOError.writeFailed(path: path, reason: reason)
        }
        // fsync has already reported any write error; closing now only releases the lock.
        close(descriptor)
    }

    /// Removes the temporary files of atomic writes into `folder` that no process is writing any
    /// more (a `.NAME.convkit-XXXXXX` file that nobody holds locked was left by a process that was
    /// killed) and returns how many it removed. Files being written by any process are kept.
    @discardableResult
    package static func removeAbandonedTemporaryFiles(in folder: String) -> Int {
        guard let names = try? folderEntries(folder) else { return 0 }
        var removed = 0
        for name in names where isTemporaryFileName(name) {
            let path = folder + "/" + name
            let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
            guard descriptor >= 0 else { continue }
            var status = stat()
            if flock(descriptor, LOCK_EX | LOCK_NB) == 0, fstat(descriptor, &status) == 0,
                (status.st_mode & S_IFMT) == S_IFREG, unlink(path) == 0
            {
                removed += 1
            }
            close(descriptor)
        }
        return removed
    }

    /// Removes the temporary files of writes in progress and ends the process with `status`,
    /// without running exit handlers. No write can start a new temporary file meanwhile, so
    /// nothing half-written survives. For a signal-handling thread (it takes a lock, so it is
    /// not for use inside a signal handler).
    package static func removeTemporaryFilesAndExit(status: Int32) -> Never {
        pthread_mutex_lock(creationLock)
        TemporaryFiles.removeAllNow()
        _exit(status)
    }

    /// The names in `folder`, without `.` and `..`, unsorted; an unreadable folder is an error
    /// naming it.
    package static func folderEntries(_ folder: String) throws -> [String] {
        try typedFolderEntries(folder).map(\.name)
    }

    /// What a folder entry is, as the folder itself records it (no `stat` needed).
    package enum EntryType: Equatable, Sendable {
        case file, folder, symbolicLink
        /// A FIFO, a device or a socket, described (`a FIFO`).
        case special(String)
        /// The filesystem does not say: `stat` the entry to find out.
        case unknown
    }

    /// The names in `folder` with their types as `readdir` gives them, without `.` and `..`,
    /// unsorted; an unreadable folder is an error naming it. Walking a tree of a million files
    /// by these types spares a `stat` per file.
    package static func typedFolderEntries(_ folder: String) throws -> [(
        name: String, type: EntryType
    )] {
        guard let directory = opendir(folder) else {
            throw ImageIOError.unreadable(path: folder, reason: systemError())
        }
        defer { closedir(directory) }
        var entries = [(name: String, type: EntryType)]()
        while let entry = readdir(directory) {
            // Read the name in place: a dirent is only as long as its name, so copying the whole
            // 256-byte d_name field can read past the end of readdir's buffer.
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) {
                    String(cString: $0)
                }
            }
            guard name != "." && name != ".." else { continue }
            let type: EntryType =
                switch Int(entry.pointee.d_type) {
                case Int(DT_REG): .file
                case Int(DT_DIR): .folder
                case Int(DT_LNK): .symbolicLink
                case Int(DT_FIFO): .special("a FIFO")
                case Int(DT_CHR), Int(DT_BLK): .special("a device")
                case Int(DT_SOCK): .special("a socket")
                default: .unknown
                }
            entries.append((name, type))
        }
        return entries
    }

    /// Creates `folder` and any missing parents (`mkdir -p`); a failure is
    /// ``ImageIOError/writeFailed(path:reason:)`` naming the folder that could not be made.
    package static func createFolder(_ folder: String) throws {
        if isDirectory(folder) { return }
        let parent = parentFolder(of: folder)
        if parent != folder && parent != "." && parent != "/" { try createFolder(parent) }
        guard mkdir(folder, 0o777) == 0 || (errno == EEXIST && isDirectory(folder)) else {
            throw ImageIOError.writeFailed(path: folder, reason: systemError())
        }
    }

    /// The part of a temporary file's name between the target's name and the random suffix.
    static let temporaryMarker = ".convkit-"

    /// The longest file name, in bytes, that Linux filesystems take (`NAME_MAX`).
    static let longestName = 255

    /// `.NAME.convkit-`, the temporary file's name for a target named `name` without the six
    /// random characters, with `name` shortened (by whole Unicode scalars) so that the whole fits
    /// in ``longestName`` bytes: a target whose name is near the limit must not fail for want
    /// of room in its temporary file's name.
    static func temporaryPrefix(for name: String) -> String {
        let room = longestName - 1 - temporaryMarker.utf8.count - 6
        var kept = name.unicodeScalars[...]
        var width = name.utf8.count
        while width > room, let last = kept.last {
            width -= UTF8.width(last)
            kept = kept.dropLast()
        }
        return "." + String(kept) + temporaryMarker
    }

    /// Whether `name` has the form `.NAME.convkit-XXXXXX` of ``writeAtomically(_:to:)``'s files.
    static func isTemporaryFileName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        let marker = Array(temporaryMarker.utf8)
        guard bytes.first == UInt8(ascii: "."), bytes.count >= 1 + marker.count + 6 else {
            return false
        }
        let suffix = bytes.suffix(6)
        let markerStart = bytes.count - 6 - marker.count
        return Array(bytes[markerStart..<(bytes.count - 6)]) == marker
            && suffix.allSatisfy {
                (0x30...0x39).contains($0) || (0x41...0x5A).contains($0)
                    || (0x61...0x7A).contains($0)
            }
    }

    /// Held while a temporary file is created and registered, and by the exit path for good.
    nonisolated(unsafe) private static let creationLock: UnsafeMutablePointer<pthread_mutex_t> = {
        let pointer = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(pointer, nil)
        return pointer
    }()

    /// Creates and registers a temporary file from a `mkstemp` template, then locks it. A sweep
    /// by another process may remove the file between its creation and the lock; the link
    /// count shows that, and a fresh file is made.
    private static func createLockedTemporaryFile(template: String, for path: String) throws -> (
        Int32, String
    ) {
        while true {
            var characters = Array(template.utf8CString)
            pthread_mutex_lock(creationLock)
            let descriptor = characters.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            let reason = systemError()
            let temporaryPath = String(
                decoding: characters.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if descriptor >= 0 { TemporaryFiles.register(temporaryPath) }
            pthread_mutex_unlock(creationLock)
            guard descriptor >= 0 else {
                throw ImageIOError.writeFailed(path: path, reason: reason)
            }
            var status = stat()
            let locked = flock(descriptor, LOCK_EX) == 0
            if !locked || fstat(descriptor, &status) != 0 || status.st_nlink > 0 {
                return (descriptor, temporaryPath)
            }
            TemporaryFiles.unregister(temporaryPath)
            close(descriptor)
        }
    }

    /// Opens `path` for reading and returns the descriptor (the caller closes it) and the
    /// file's size; a directory or an unopenable path is an error naming the path.
    private static func openRegularFile(_ path: String) throws -> (descriptor: Int32, size: Int) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw ImageIOError.unreadable(path: path, reason: systemError())
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let reason = systemError()
            close(descriptor)
            throw ImageIOError.unreadable(path: path, reason: reason)
        }
        if (status.st_mode & S_IFMT) == S_IFDIR {
            close(descriptor)
            throw ImageIOError.isDirectory(path: path)
        }
        return (descriptor, Int(status.st_size))
    }

    /// The file a write to `path` replaces: `path` itself, or the file its chain of symbolic
    /// links ends at (which need not exist yet, as with `>` in a shell).
    static func linkTarget(of path: String) throws -> String {
        var current = path
        for _ in 0..<40 {
            var status = stat()
            guard lstat(current, &status) == 0, (status.st_mode & S_IFMT) == S_IFLNK else {
                return current
            }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let count = readlink(current, &buffer, buffer.count - 1)
            guard count > 0 else {
                throw ImageIOError.writeFailed(path: path, reason: systemError())
            }
            let link = String(
                decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = link.hasPrefix("/") ? link : joinedPath(parentFolder(of: current), link)
        }
        throw ImageIOError.writeFailed(path: path, reason: "too many levels of symbolic links")
    }

    /// `folder/name` with exactly one slash between them.
    static func joinedPath(_ folder: String, _ name: String) -> String {
        folder.hasSuffix("/") ? folder + name : folder + "/" + name
    }

    /// The process's file creation mask, read once: reading it means setting it, which must not
    /// race with a concurrent write.
    private static let processUmask: mode_t = {
        let mask = umask(0)
        umask(mask)
        return mask
    }()

    static func parentFolder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let folder = String(path[..<slash])
        return folder.isEmpty ? "/" : folder
    }

    private static func readStream(descriptor: Int32, path: String, sizeHint: Int = 0) throws
        -> [UInt8]
    {
        if sizeHint > 0 {
            // The file's size is known: read straight into an array of that size (one buffer
            // touched once, not a read buffer and a copy); only a file that grew meanwhile
            // reads on.
            var filled = 0
            var failure: Int32 = 0
            let bytes = [UInt8](unsafeUninitializedCapacity: sizeHint) { buffer, count in
                while filled < sizeHint {
                    let got = read(descriptor, buffer.baseAddress! + filled, sizeHint - filled)
                    if got < 0, errno == EINTR { continue }
                    if got < 0 { failure = errno }
                    if got <= 0 { break }
                    filled += got
                }
                count = filled
            }
            guard failure == 0 else {
                errno = failure
                throw ImageIOError.unreadable(path: path, reason: systemError())
            }
            guard filled == sizeHint else { return bytes }
            let rest = try readStream(descriptor: descriptor, path: path)
            return rest.isEmpty ? bytes : bytes + rest
        }
        var bytes = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let got = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
            if got < 0, errno == EINTR { continue }
            guard got >= 0 else { throw ImageIOError.unreadable(path: path, reason: systemError()) }
            if got == 0 { break }
            bytes.append(contentsOf: chunk[0..<got])
        }
        return bytes
    }

    /// Writes all of `bytes` to `descriptor`, retrying short writes; failures name `path`.
    public static func writeFully(_ bytes: [UInt8], descriptor: Int32, path: String) throws {
        try bytes.withUnsafeBytes { try writeFully($0, descriptor: descriptor, path: path) }
    }

    /// Writes all of `bytes` to `descriptor`, retrying short writes; failures name `path`.
    public static func writeFully(_ bytes: UnsafeRawBufferPointer, descriptor: Int32, path: String)
        throws
    {
        guard let base = bytes.baseAddress else { return }
        var written = 0
        while written < bytes.count {
            let count = write(descriptor, base + written, bytes.count - written)
            if count < 0, errno == EINTR { continue }
            guard count > 0 else {
                throw ImageIOError.writeFailed(path: path, reason: systemError())
            }
            written += count
        }
    }
}

/// The folders this process has already swept of abandoned temporary files: each is swept
/// once, before the first write into it.
private enum AbandonedFileSweep {
    nonisolated(unsafe) private static var visited = Set<String>()
    nonisolated(unsafe) private static let lock: UnsafeMutablePointer<pthread_mutex_t> = {
        let pointer = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(pointer, nil)
        return pointer
    }()

    /// True the first time `folder` is seen (as written; `out` and `./out` count separately).
    static func isFirstVisit(_ folder: String) -> Bool {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return visited.insert(folder).inserted
    }
}

/// The system's message for the current `errno`.
func systemError() -> String {
    String(cString: strerror(errno))
}
