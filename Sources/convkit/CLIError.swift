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
