// DiagramArguments: command-line spellings of diagram sizes, paddings, themes and pooling.

import ArgumentParser
import Diagrams

/// Padding for a diagram: `N`, `T,B,L,R`, or a name (`same`, `valid`, `full`) that is resolved
/// against the kernel and dilation once they are known.
enum DiagramPaddingArgument: ExpressibleByArgument, Sendable {
    case explicit(GridPadding)
    case named(NamedPadding)

    init?(argument: String) {
        if let name = NamedPadding(rawValue: argument.lowercased()) {
            self = .named(name)
        } else if let numbers = PaddingArgument(argument: argument)?.padding {
            self = .explicit(GridPadding(top: numbers.top, bottom: numbers.bottom, left: numbers.left, right: numbers.right))
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
    func resolved(kernel: GridSize, dilation: GridSize) -> GridPadding {
        switch self {
        case .explicit(let padding): padding
        case .named(let name): name.padding(kernel: kernel, dilation: dilation)
        }
    }
}

/// A per-axis size or step written `N` (both axes) or `HxW` (rows x columns), as `filter` writes them.
struct GridSizeArgument: ExpressibleByArgument, Sendable {
    let size: GridSize

    init(_ both: Int) {
        size = GridSize(both)
    }

    init?(argument: String) {
        guard let pair = AxisPairArgument(argument: argument)?.pair else { return nil }
        size = GridSize(rows: pair.rows, columns: pair.columns)
    }

    var defaultValueDescription: String { size.description }
}

extension DiagramTheme: ExpressibleByArgument {}
extension Pooling: ExpressibleByArgument {}
