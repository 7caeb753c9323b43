// DiagramArguments: command-line spellings of diagram sizes, paddings, themes and pooling.

import ArgumentParser
import Convolution
import Diagrams

/// Padding for a diagram: `N`, `T,B,L,R`, or a name (`same`, `valid`, `full`) that is resolved
/// against the kernel and dilation once they are known.
enum DiagramPaddingArgument: ExpressibleByArgument, Sendable {
    case explicit(Padding)
    case named(NamedPadding)

    init?(argument: String) {
        if let name = NamedPadding(rawValue: argument.lowercased()) {
            self = .named(name)
        } else if let numbers = PaddingArgument(argument: argument)?.padding {
            self = .explicit(
                Padding(
                    top: numbers.top, bottom: numbers.bottom, left: numbers.left,
                    right: numbers.right))
        } else {
            return nil
        }
    }

    var defaultValueDescription: String {
        switch self {
        case .explicit(let padding): padding.description
        case .named(let name): name.rawValue
        }
    }

    /// The padding in cells for `kernel` and `dilation`.
    func resolved(kernel: AxisPair, dilation: AxisPair) throws(DiagramError) -> Padding {
        switch self {
        case .explicit(let padding): padding
        case .named(let name): try name.padding(kernel: kernel, dilation: dilation)
        }
    }
}

extension DiagramTheme: ExpressibleByArgument {}
extension Pooling: ExpressibleByArgument {}
