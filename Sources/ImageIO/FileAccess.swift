// FileAccess: whole-file reads (files or standard input) and atomic whole-file writes.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading and writing whole files, with errors that name the path.
///
/// The path `-` means standard input for reads and standard output for writes.
public enum FileAccess {
    /// Reads every byte of `path`.
    public static func readAll(_ path: String) throws -> [UInt8] {
        if path == "-" { return try readStream(descriptor: 0, path: path) }
        let (descriptor, size) = try openRegularFile(path)
        defer { close(descriptor) }
        return try readStream(descriptor: descriptor, path: path, sizeHint: size)
    }

    /// Reads the first `count` bytes of `path` (fewer if the file is shorter), without reading
    /// the rest: enough to inspect a header.
    public static func readPrefix(_ path: String, count: Int) throws -> [UInt8] {
        let (descriptor, _) = try openRegularFile(path)
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + filled, count - filled) }
            if got < 0, errno == EINTR { continue }
            guard got >= 0 else { throw ImageIOError.unreadable(path: path, reason: systemError()) }
            if got == 0 { break }
            filled += got
        }
        return Array(bytes[0..<filled])
    }

    /// The size of `path` in bytes.
    public static func fileSize(_ path: String) throws -> Int {
        var status = stat()
        guard stat(path, &status) == 0 else { throw ImageIOError.unreadable(path: path, reason: systemError()) }
        if (status.st_mode & S_IFMT) == S_IFDIR { throw ImageIOError.isDirectory(path: path) }
        return Int(status.st_size)
    }

    /// Whether `path` exists and is a directory.
    public static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
    }

    /// Writes `bytes` to `path` atomically: into a temporary file in the same folder, flushed to
    /// disk, then renamed over the target. If anything fails, the temporary file is removed and
    /// any existing file at `path` is left exactly as it was. Writing over the file that was
    /// read works, because the old file is replaced only once the new one is complete.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        if path == "-" {
            try writeFully(bytes, descriptor: 1, path: path)
            return
        }
        if isDirectory(path) { throw ImageIOError.isDirectory(path: path) }
        let folder = parentFolder(of: path)
        let name = path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
        var template = Array("\(folder)/.\(name).convkit-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw ImageIOError.writeFailed(path: path, reason: systemError()) }
        let temporaryPath = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        TemporaryFiles.register(temporaryPath)
        defer { TemporaryFiles.unregister(temporaryPath) }
        do {
            try writeFully(bytes, descriptor: descriptor, path: path)
            let mask = umask(0)
            umask(mask)
            fchmod(descriptor, 0o666 & ~mask)
            guard fsync(descriptor) == 0 else { throw ImageIOError.writeFailed(path: path, reason: systemError()) }
            guard close(descriptor) == 0 else {
                throw ImageIOError.writeFailed(path: path, reason: systemError())
            }
        } catch {
            close(descriptor)
            unlink(temporaryPath)
            throw error
        }
        guard rename(temporaryPath, path) == 0 else {
            let reason = systemError()
            unlink(temporaryPath)
            throw ImageIOError.writeFailed(path: path, reason: reason)
        }
    }

    /// Opens `path` for reading and returns the descriptor (the caller closes it) and the
    /// file's size; a directory or an unopenable path is an error naming the path.
    private static func openRegularFile(_ path: String) throws -> (descriptor: Int32, size: Int) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw ImageIOError.unreadable(path: path, reason: systemError()) }
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

    static func parentFolder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let folder = String(path[..<slash])
        return folder.isEmpty ? "/" : folder
    }

    private static func readStream(descriptor: Int32, path: String, sizeHint: Int = 0) throws -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(sizeHint > 0 ? sizeHint : 1 << 16)
        var chunk = [UInt8](repeating: 0, count: max(1 << 20, min(sizeHint + 1, 1 << 26)))
        while true {
            let got = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
            if got < 0, errno == EINTR { continue }
            guard got >= 0 else { throw ImageIOError.unreadable(path: path, reason: systemError()) }
            if got == 0 { break }
            bytes.append(contentsOf: chunk[0..<got])
        }
        return bytes
    }

    private static func writeFully(_ bytes: [UInt8], descriptor: Int32, path: String) throws {
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, bytes.count - written) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw ImageIOError.writeFailed(path: path, reason: systemError()) }
            written += count
        }
    }
}

/// The system's message for the current `errno`.
func systemError() -> String {
    String(cString: strerror(errno))
}
