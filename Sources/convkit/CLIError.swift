// CLIError and UserFacingError: failures printed as one line `convkit: error: ...`, exit status 1.
// (A command-line mistake is an ArgumentParser ValidationError, wherever it is found: status 2.)

import Convolution
import Diagrams
import Drawing
import ImageIO
import LearnedFilters
import ModelExchange
import Visualization

/// An error whose description is a complete one-line message for the user (naming the file
/// where there is one). `ConvKit.main` prints it after `convkit: error: ` and exits with 1.
protocol UserFacingError: Error, CustomStringConvertible {}

/// A command-line failure with its one-line message (without the `convkit: error:` prefix).
struct CLIError: UserFacingError {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

extension ImageIOError: UserFacingError {}
extension KernelError: UserFacingError {}
extension DrawingError: UserFacingError {}
extension VisualizationError: UserFacingError {}
extension ConvolutionError: UserFacingError {}
extension LearnedFiltersError: UserFacingError {}
extension DiagramError: UserFacingError {}
extension ModelExchangeError: UserFacingError {}

/// Runs `body`, which runs a model, naming `path` in the errors the model's library cannot
/// name a file in: an output or gradient that is inf or NaN, an input or model that do not fit.
func naming<T>(_ path: String, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as LearnedFiltersError {
        switch error {
        case .outputNotFinite, .gradientNotFinite, .badInput: throw CLIError("\(path): \(error)")
        default: throw error
        }
    }
}

/// The complete message for `error`: the library's words and the command-line hint.
func presented(_ error: UserFacingError) -> String {
    error.description + commandLineHint(for: error)
}

/// The command-line advice a library error leaves to the CLI: the option that changes the
/// outcome, appended to the library's message (empty when there is none).
func commandLineHint(for error: Error) -> String {
    switch error {
    case ImageIOError.exceedsPixelLimit: " (raise it with --max-pixels)"
    case ConvolutionError.kernelLargerThanImage: "; use --mode same or full, or pad"
    case KernelError.unknownName: " ('convkit kernels' lists the named kernels and families)"
    case KernelError.unsupportedOffset: "; filter --range offset adds one to the result"
    case LearnedFiltersError.datasetMissing(_, let dataset):
        "; run 'bash scripts/fetch-datasets.sh\(dataset == "fashion-mnist" ? " --fashion-mnist" : "")' to put \(dataset) in data/"
    case LearnedFiltersError.mixedImageSizes: "; --image-size WxH resizes them all"
    default: ""
    }
}
