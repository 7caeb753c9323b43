// VisualizationError: the ways building a figure or a report from a model and its data can fail.

/// A failure to build a figure or write a report; each description is one line naming the file
/// when there is one.
package enum VisualizationError: Error, Equatable, CustomStringConvertible {
    /// The numbers handed to a figure do not fit together (a kernel shape and its value count, ...).
    case badData(String)
    /// The model has no layer of that name, or the layer is not the kind asked for.
    case noSuchLayer(name: String, available: [String])
    /// A training log line cannot be read.
    case badLog(path: String, line: Int, detail: String)
    /// The model and the data or input do not match.
    case mismatch(String)
    /// An output folder cannot be made.
    case cannotWrite(path: String, reason: String)

    package var description: String {
        switch self {
        case .badData(let detail): detail
        case .noSuchLayer(let name, let available):
            "the model has no layer '\(name)' to show (available: \(available.joined(separator: ", ")))"
        case .badLog(let path, let line, let detail): "\(path): line \(line): \(detail)"
        case .mismatch(let detail): detail
        case .cannotWrite(let path, let reason): "\(path): \(reason)"
        }
    }
}
