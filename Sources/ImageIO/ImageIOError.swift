// ImageIOError: every way reading or writing an image file can fail, in words.

/// A failure to read or write an image or array file.
///
/// Errors that concern a file carry its path (`-` for standard input or output) so the CLI can
/// print `convkit: error: PATH: reason` without adding context of its own.
public enum ImageIOError: Error, Equatable, CustomStringConvertible {
    /// The path does not exist or cannot be opened; `reason` is the system's explanation.
    case unreadable(path: String, reason: String)
    /// The path names a directory where a file was expected.
    case isDirectory(path: String)
    /// The file is empty.
    case empty(path: String)
    /// The file does not start with the format's signature or magic number.
    case notThisFormat(path: String, expected: String)
    /// The data stops before the file's structure says it should.
    case truncated(path: String, detail: String)
    /// A chunk's stored CRC does not match its contents.
    case crcMismatch(path: String, detail: String)
    /// The header describes an impossible image.
    case badHeader(path: String, detail: String)
    /// The image has more pixels than the reader's `maxPixels` limit allows.
    case exceedsPixelLimit(path: String, detail: String)
    /// The data would need more memory than can be allocated.
    case tooLarge(path: String, detail: String)
    /// A valid file uses a feature convkit does not read.
    case unsupported(path: String, detail: String)
    /// Any other structural problem in the data.
    case corrupt(path: String, detail: String)
    /// Memory ran out while `task` (e.g. "decoding the PNG") was under way.
    case outOfMemory(path: String, task: String)
    /// Writing the file failed; an existing file at the path is untouched.
    case writeFailed(path: String, reason: String)
    /// An image or array value is inconsistent (not tied to a file).
    case invalidImage(String)

    /// The one-line message, starting with the path where there is one.
    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "\(path): cannot read: \(reason)"
        case .isDirectory(let path): "\(path): is a directory, not a file"
        case .empty(let path): "\(path): file is empty"
        case .notThisFormat(let path, let expected): "\(path): not \(expected)"
        case .truncated(let path, let detail): "\(path): truncated: \(detail)"
        case .crcMismatch(let path, let detail): "\(path): CRC mismatch: \(detail)"
        case .badHeader(let path, let detail): "\(path): bad header: \(detail)"
        case .exceedsPixelLimit(let path, let detail): "\(path): image too large: \(detail)"
        case .tooLarge(let path, let detail): "\(path): image too large: \(detail)"
        case .unsupported(let path, let detail): "\(path): unsupported: \(detail)"
        case .corrupt(let path, let detail): "\(path): corrupt: \(detail)"
        case .outOfMemory(let path, let task): "\(path): out of memory while \(task)"
        case .writeFailed(let path, let reason): "\(path): cannot write: \(reason)"
        case .invalidImage(let detail): detail
        }
    }
}

extension ImageIOError {
    /// Why a write failed, without the path: for the modules that report a failed write in
    /// their own error type.
    package var writeFailureReason: String {
        switch self {
        case .writeFailed(_, let reason): reason
        case .isDirectory: "is a directory"
        default: description
        }
    }
}
