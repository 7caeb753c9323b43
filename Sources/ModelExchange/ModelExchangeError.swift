// ModelExchangeError: what can go wrong reading a model file from elsewhere or writing one for it.

/// Errors of the model-exchange module; each description is one line naming the file.
package enum ModelExchangeError: Error, Equatable, CustomStringConvertible {
    /// The file is not a model file of any supported format, or is damaged.
    case unreadable(path: String, detail: String)
    /// The file is a model file, but holds something convkit cannot run (a layer type, an
    /// option); the detail names the layer by name and class.
    case unsupported(path: String, detail: String)
    /// The architecture and the weights do not fit together (a tensor missing or of the wrong
    /// shape, weights without an architecture).
    case mismatch(path: String, detail: String)
    /// The model cannot be written in the requested format.
    case cannotExport(path: String, detail: String)

    package var description: String {
        switch self {
        case .unreadable(let path, let detail), .unsupported(let path, let detail),
            .mismatch(let path, let detail), .cannotExport(let path, let detail):
            "\(path): \(detail)"
        }
    }
}
