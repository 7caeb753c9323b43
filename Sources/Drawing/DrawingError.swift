// DrawingError: the ways making or writing a figure can fail, in words.

/// A failure to create a canvas or write a figure.
public enum DrawingError: Error, Equatable, CustomStringConvertible {
    /// The file name's extension is not one of the figure formats.
    case unknownFormat(path: String)
    /// The canvas size is not positive or too large to allocate.
    case badSize(String)
    /// cairo reported an error.
    case cairo(String)
    /// Writing the file failed.
    case writeFailed(path: String, reason: String)

    /// The one-line message, naming the file where there is one.
    public var description: String {
        switch self {
        case .unknownFormat(let path):
            "\(path): unknown figure format: use a name ending in .png, .svg or .pdf"
        case .badSize(let detail): "bad canvas size: \(detail)"
        case .cairo(let detail): "cairo: \(detail)"
        case .writeFailed(let path, let reason): "\(path): cannot write: \(reason)"
        }
    }
}
