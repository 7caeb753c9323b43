// FilterArguments: command-line spellings of per-axis pairs, padding, boundaries and modes.

import ArgumentParser
import Convolution

/// A per-axis pair written `N` (both axes) or `HxW` (rows x columns, as numpy shapes).
struct AxisPairArgument: ExpressibleByArgument, Sendable {
    let pair: AxisPair

    init(_ pair: AxisPair) {
        self.pair = pair
    }

    init?(argument: String) {
        let parts = argument.lowercased().split(separator: "x", omittingEmptySubsequences: false)
        let numbers = parts.compactMap { Int($0) }
        guard numbers.count == parts.count else { return nil }
        switch numbers.count {
        case 1: pair = AxisPair(numbers[0])
        case 2: pair = AxisPair(rows: numbers[0], columns: numbers[1])
        default: return nil
        }
    }

    var defaultValueDescription: String { pair.description }
}

/// Padding written `N` (all sides) or `T,B,L,R` (top, bottom, left, right).
struct PaddingArgument: ExpressibleByArgument, Sendable {
    let padding: Padding

    init?(argument: String) {
        let parts = argument.split(separator: ",", omittingEmptySubsequences: false)
        let numbers = parts.compactMap { Int($0.filter { $0 != " " }) }
        guard numbers.count == parts.count else { return nil }
        switch numbers.count {
        case 1: padding = Padding(all: numbers[0])
        case 4:
            padding = Padding(
                top: numbers[0], bottom: numbers[1], left: numbers[2], right: numbers[3])
        default: return nil
        }
    }
}

/// The boundary rules by their command-line names.
enum BoundaryName: String, ExpressibleByArgument, CaseIterable, Sendable {
    case fill, wrap, symm, reflect101, nearest

    func rule(fill value: Double) -> BoundaryRule {
        switch self {
        case .fill: .fill(value)
        case .wrap: .wrap
        case .symm: .symm
        case .reflect101: .reflect101
        case .nearest: .nearest
        }
    }
}

extension ConvolutionMode: ExpressibleByArgument {}
extension OutputRange: ExpressibleByArgument {}
extension AlphaPolicy: ExpressibleByArgument {}
