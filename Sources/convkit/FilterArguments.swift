// FilterArguments: command-line spellings of padding, boundaries, modes and kernels.

import ArgumentParser
import ConvkitSupport
import Convolution
import ImageIO

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
extension ImageFileFormat: ExpressibleByArgument {}

/// `--kernel` values and `kernels show`'s argument resolved into kernels. A kernel written on
/// the command line that cannot be read is a command-line mistake (exit status 2); a kernel
/// file that cannot be read is a failed run (1).
enum KernelArguments {
    /// The kernels of `spec`. Unless `float64`, a weight written by a person that Float32 would
    /// turn into 0 or into another whole number is refused, naming --float64, rather than
    /// filtered with silently; a family's computed tail that underflows is no mistake.
    static func resolve(_ spec: String, float64: Bool) throws -> [Kernel] {
        let found = try definition(spec)
        guard !float64, !found.isComputed else { return found.kernels }
        for kernel in found.kernels {
            guard let weight = kernel.weightChangedByFloat32 else { continue }
            throw ValidationError(
                "kernel '\(found.kernels.count == 1 ? spec : kernel.name)': weight \(plainNumber(weight)) becomes \(plainNumber(Double(Float(weight)))) in Float32, the precision images are filtered in: give --float64 to filter with it exactly"
            )
        }
        return found.kernels
    }

    static func definition(_ spec: String) throws -> KernelDefinition {
        do {
            return try KernelLibrary.definition(for: spec)
        } catch let error as KernelError {
            switch error {
            case .badFile(let path, _):
                throw FileKind.mismatch(path: path, expected: "a kernel", accepted: [.text, .npy])
                    ?? error
            case .unsupportedOffset: throw error
            default: throw ValidationError(presented(error))
            }
        }
    }
}
