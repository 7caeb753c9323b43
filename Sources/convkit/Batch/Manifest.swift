// Manifest: `--manifest FILE.jsonl`: one JSON line per finished input, appended so that
// concurrent writers (threads, shards, hosts on one local filesystem) never interleave a line.

import Foundation
import ImageIO

#if canImport(Glibc)
    import Glibc
#endif

/// One line of a manifest: what was done to one input, and how it went.
struct ManifestRecord: Codable, Equatable, Sendable {
    /// The input as given (a folder input's files as `FOLDER/PATH`).
    var input: String
    var output: String
    /// `ok` or `failed`.
    var status: String
    /// The one-line message of a failure.
    var error: String?
    /// The `--kernel` values, in order.
    var kernels: [String]
    /// The other options that shape the result, by their command-line names.
    var options: [String: String]
    /// The input's width x height (0 when it could not be read).
    var pixels: Int
    var seconds: Double
    /// `K/N` when the run was sharded.
    var shard: String?
    var host: String?
    /// When the input finished, ISO 8601 in UTC.
    var finished: String
}

/// Appends records to a manifest file opened with `O_APPEND`: each record is one `write()` of a
/// whole line, which the kernel appends at the end of the file in one piece, whoever else is
/// appending. (On NFS, `O_APPEND` is emulated by the client: give each shard its own manifest
/// and merge them with `convkit manifest summary`.)
final class ManifestWriter: Sendable {
    let path: String
    private let descriptor: Int32

    /// Opens (creating it if needed) the manifest at `path` for appending.
    init(path: String) throws {
        self.path = path
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw CLIError("\(path): cannot open the manifest: \(String(cString: strerror(errno)))")
        }
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    /// Appends `record` as one line, in one `write()`; a failure stops the batch
    /// (``BatchStoppingError``).
    func append(_ record: ManifestRecord) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var line = Array(try encoder.encode(record))
        line.append(UInt8(ascii: "\n"))
        let written = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == line.count else {
            let reason = written < 0 ? String(cString: strerror(errno)) : "short write"
            throw BatchStoppingError(
                description: "\(path): cannot append to the manifest: \(reason)")
        }
    }

    /// Now, as the manifest writes it.
    static func timestamp() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }
}
