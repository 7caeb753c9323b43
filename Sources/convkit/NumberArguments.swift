// NumberArguments: numbers typed on the command line, checked to be finite and representable,
// and shown as people write them (`1`, not `1.0`).

import ArgumentParser
import ConvkitSupport
import Convolution

/// A real number option. `nan` and `inf` parse, so that they can be refused with a message
/// saying why rather than a parser's "invalid value".
struct NumberArgument: ExpressibleByArgument, Sendable {
    let value: Double

    init(_ value: Double) {
        self.value = value
    }

    init?(argument: String) {
        guard let value = Double(argument.trimmingSpaces()) else { return nil }
        self.value = value
    }

    var defaultValueDescription: String { plainNumber(value) }

    /// Fails unless the number is finite and fits Float32, the precision images are filtered in.
    func requireFloat32(option: String) throws {
        guard value.fitsFloat32 else {
            throw ValidationError(
                "\(option) must be a finite number within Float32's range (+-3.4e38), got \(plainNumber(value))"
            )
        }
    }

    /// Fails unless the number is finite and inside `range`.
    func require(_ range: ClosedRange<Double>, option: String, what: String? = nil) throws {
        guard value.isFinite, range.contains(value) else {
            throw ValidationError(
                "\(option) must be \(what ?? "\(plainNumber(range.lowerBound)) to \(plainNumber(range.upperBound))"), got \(plainNumber(value))"
            )
        }
    }
}

/// A seed: a whole number from 0 to 18446744073709551615 (UInt64's range). Any text parses, so
/// that `--seed -1` is refused with the accepted range rather than a parser's "invalid value".
struct SeedArgument: ExpressibleByArgument, Sendable {
    /// The seed as typed.
    let text: String
    /// The seed, or nil when `text` is not a whole number in range.
    let value: UInt64?

    init(_ value: UInt64) {
        text = "\(value)"
        self.value = value
    }

    init?(argument: String) {
        text = argument
        value = UInt64(argument.trimmingSpaces())
    }

    var defaultValueDescription: String { text }

    /// The seed; fails unless it is a whole number within UInt64's range.
    func required(option: String) throws -> UInt64 {
        guard let value else {
            throw ValidationError(
                "\(option) must be a whole number from 0 to \(UInt64.max), got '\(text)'")
        }
        return value
    }
}

extension String {
    func trimmingSpaces() -> String {
        var text = Substring(self)
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return String(text)
    }
}

/// A per-axis pair written `N` (both axes) or `WxH` (width x height: columns, then rows, as
/// every size convkit prints).
struct AxisPairArgument: ExpressibleByArgument, Sendable {
    let pair: AxisPair

    init(_ pair: AxisPair) {
        self.pair = pair
    }

    init?(argument: String) {
        let parts = argument.lowercased().split(separator: "x", omittingEmptySubsequences: false)
        let numbers = parts.compactMap { Int(String($0).trimmingSpaces()) }
        guard numbers.count == parts.count else { return nil }
        switch numbers.count {
        case 1: pair = AxisPair(numbers[0])
        case 2: pair = AxisPair(rows: numbers[1], columns: numbers[0])
        default: return nil
        }
    }

    var defaultValueDescription: String { Sizes.text(pair) }

    /// Fails unless both axes are at least `minimum`.
    func requireAtLeast(_ minimum: Int, option: String) throws {
        guard pair.rows >= minimum, pair.columns >= minimum else {
            throw ValidationError(
                "\(option) must be at least \(minimum) on each axis, got \(Sizes.text(pair))")
        }
    }
}

/// Sizes as convkit writes them everywhere: width x height (`512x384` is 512 wide).
enum Sizes {
    static func text(width: Int, height: Int) -> String { "\(width)x\(height)" }

    /// `5` when both axes agree, `WxH` otherwise.
    static func text(_ pair: AxisPair) -> String {
        pair.isSquare ? "\(pair.rows)" : "\(pair.columns)x\(pair.rows)"
    }
}
