// `convkit kernels`: lists the named kernels and parametric families, and shows any kernel's
// weights, sum and separability.

import ArgumentParser
import ConvkitSupport
import Convolution
import Foundation

struct Kernels: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the named kernels and kernel families, or show a kernel's weights.",
        discussion: """
            A KERNEL (for 'kernels show' and 'filter --kernel') is one of:
              a name     sobel-x, gaussian3, kirsch (a set of 8), kirsch-ne, ...
              a family   gaussian:SIZE[,SIGMA]  box:N or box:WxH  log:SIZE,SIGMA
                         dog:SIZE,SIGMA1,SIGMA2  disk:RADIUS
              a matrix   "3x3: -1,0,1,-2,0,2,-1,0,1" (ImageMagick style: WxH,
                         width x height), "[[-1,0,1],[-2,0,2]]", "[1 2 1; 2 4 2]"
              a file     K.kernel (text, as in filters/), K.npy (2-D array of
                         any numeric dtype, or one filter as PyTorch (1, 1, kh, kw)
                         or Keras (kh, kw, 1, 1) store it), K.mat (libvips:
                         'width height [scale [offset]]', then rows; weights
                         divided by scale)
            Weights are written as correlation applies them (cv2.filter2D,
            PyTorch conv2d); convolution flips them. Every weight must be a
            finite number within Float32's range, the precision of filtering.

            Examples:
              convkit kernels
              convkit kernels show scharr-x
              convkit kernels show gaussian:7,1.5 --json
              convkit kernels show "[1 2 1; 2 4 2]"
            """,
        subcommands: [List.self, Show.self],
        defaultSubcommand: List.self
    )
}

extension Kernels {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the named kernels (name, size, description) and the kernel families."
        )

        @Flag(help: "Print JSON instead of text.")
        var json = false

        func run() throws {
            let named = try KernelLibrary.namedKernels()
            if json {
                let listing = KernelListing(
                    named: named.map { definition in
                        KernelListing.Named(
                            name: definition.name, rows: definition.kernels[0].rows,
                            columns: definition.kernels[0].columns,
                            members: definition.kernels.count > 1
                                ? definition.kernels.map(\.name) : nil,
                            description: definition.description, source: definition.source,
                            orientation: definition.orientation)
                    },
                    families: KernelFamily.allCases.map {
                        KernelListing.Family(
                            name: $0.rawValue, syntax: $0.syntax, description: $0.summary)
                    })
                print(try encodeJSON(listing))
                return
            }
            print("Named kernels ('convkit kernels show NAME' prints the weights):")
            let nameWidth = named.map(\.name.count).max() ?? 0
            for definition in named {
                let first = definition.kernels[0]
                var size = Sizes.text(width: first.columns, height: first.rows)
                if definition.kernels.count > 1 { size = "\(definition.kernels.count) x \(size)" }
                print(
                    "  " + pad(definition.name, nameWidth) + "  " + pad(size, 9) + "  "
                        + definition.description)
            }
            print("\nKernel families (KERNEL written NAME:PARAMETERS):")
            let syntaxWidth = KernelFamily.allCases.map(\.syntax.count).max() ?? 0
            for family in KernelFamily.allCases {
                print("  " + pad(family.syntax, syntaxWidth) + "  " + family.summary)
            }
            print(
                "\nAlso inline matrices and .kernel, .npy, .mat files: see 'convkit kernels --help'."
            )
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Print a kernel's weights, their sum, and whether it is separable (with its 1-D factors)."
        )

        @Argument(
            help: ArgumentHelp(
                "A kernel: a name, a family such as gaussian:5,1.0, an inline matrix or a file (see 'convkit kernels --help').",
                valueName: "kernel"))
        var kernel: String

        @Option(
            valueHelp:
                "Separability tolerance, relative to the largest weight (as the engine uses it).",
            valueName: "fraction")
        var tolerance = NumberArgument(1e-6)

        @Flag(help: "Print JSON (every weight, exact, whatever the size) instead of text.")
        var json = false

        @Flag(
            help:
                "Print every weight even of a large kernel (by default the text of one larger than \(KernelDisplay.largestShown) x \(KernelDisplay.largestShown) is summarised; --json always has every weight)."
        )
        var full = false

        func validate() throws {
            try tolerance.require(0...1, option: "--tolerance")
        }

        func run() throws {
            let definition = try KernelArguments.definition(kernel)
            let tolerance = self.tolerance.value
            if json {
                let shown = KernelShown(
                    name: definition.name, description: definition.description,
                    source: definition.source,
                    orientation: definition.orientation,
                    kernels: definition.kernels.map {
                        KernelShown.Matrix($0, tolerance: tolerance)
                    })
                print(try encodeJSON(shown))
                return
            }
            print(
                definition.name
                    + (definition.description.isEmpty ? "" : ": " + definition.description))
            if !definition.source.isEmpty { print("source: " + definition.source) }
            if !definition.orientation.isEmpty { print("orientation: " + definition.orientation) }
            for kernel in definition.kernels {
                print("")
                if definition.kernels.count > 1 { print(kernel.name + ":") }
                print(KernelDisplay.describe(kernel, tolerance: tolerance, full: full))
            }
        }
    }
}

/// The text form of one kernel for `kernels show`.
enum KernelDisplay {
    /// Kernels with more rows or columns than this are summarised unless `--full`.
    static let largestShown = 25

    static func describe(_ kernel: Kernel, tolerance: Double, full: Bool) -> String {
        let size = Sizes.text(width: kernel.columns, height: kernel.rows)
        var lines = ["\(size) (width x height)"]
        let summarised = !full && max(kernel.rows, kernel.columns) > largestShown
        let divisor = summarised ? nil : commonDivisor(kernel.weights)
        if summarised {
            lines.append("  " + summary(kernel.weights) + " (--full prints every weight)")
        } else {
            lines += matrixLines(kernel, divisor: divisor, &lines[0])
        }
        lines.append(
            "sum: "
                + (kernel.isZeroSum
                    ? "0 (zero-sum: an edge or derivative detector)" : format(kernel.sum)))
        lines.append(
            separability(kernel, divisor: divisor, tolerance: tolerance, summarised: summarised))
        return lines.joined(separator: "\n")
    }

    /// The rows of weights (integers after `divisor` where there is one), right-aligned.
    private static func matrixLines(_ kernel: Kernel, divisor: Int?, _ header: inout String)
        -> [String]
    {
        var shown = kernel.weights
        if let divisor {
            header += ", 1/\(divisor) x"
            shown = kernel.weights.map { ($0 * Double(divisor)).rounded() }
        }
        let texts = shown.map(format)
        let width = texts.map(\.count).max() ?? 1
        var lines = (0..<kernel.rows).map { r in
            "  "
                + (0..<kernel.columns).map {
                    pad(texts[r * kernel.columns + $0], width, right: true)
                }.joined(separator: " ")
        }
        if zip(shown, texts).contains(where: { Double($1) != $0 }) {
            lines.append("  (rounded to 6 significant digits; --json prints the exact weights)")
        }
        return lines
    }

    /// The separability claim, with what was checked: exact factors (whole numbers where the
    /// weights are, after the divisor), or factors within the tolerance and how far off.
    private static func separability(
        _ kernel: Kernel, divisor: Int?, tolerance: Double, summarised: Bool
    ) -> String {
        if let divisor,
            let scaled = try? Kernel(
                name: kernel.name, rows: kernel.rows, columns: kernel.columns,
                weights: kernel.weights.map { ($0 * Double(divisor)).rounded() }),
            let factors = scaled.integerFactors()
        {
            return "separable: yes, exactly: 1/\(divisor) x "
                + factorText(factors, summarised: summarised)
        }
        if let factors = kernel.integerFactors() {
            return "separable: yes, exactly: " + factorText(factors, summarised: summarised)
        }
        guard let factors = kernel.separableFactors(tolerance: tolerance) else {
            return "separable: no (not rank 1 within \(format(tolerance)) of the largest weight)"
        }
        let rounding =
            summarised || (factors.column + factors.row).allSatisfy { Double(format($0)) == $0 }
            ? "" : " (factors rounded to 6 significant digits; --json prints them exactly)"
        if kernel.isReproducedExactly(column: factors.column, row: factors.row) {
            return "separable: yes, exactly: " + factorText(factors, summarised: summarised)
                + rounding
        }
        let miss = kernel.largestResidual(column: factors.column, row: factors.row)
        return
            "separable: only within --tolerance \(format(tolerance)) of the largest weight (the factors miss a weight by up to \(format(miss))): "
            + factorText(factors, summarised: summarised) + rounding
    }

    private static func factorText(
        _ factors: (column: [Double], row: [Double]), summarised: Bool
    ) -> String {
        func vector(_ values: [Double]) -> String {
            summarised
                ? "(" + summary(values) + ")"
                : "[" + values.map(format).joined(separator: ", ") + "]"
        }
        return "column " + vector(factors.column) + " x row " + vector(factors.row)
    }

    /// `16777216 weights from 5.96046e-08 to 5.96046e-08`, for a large kernel or factor.
    private static func summary(_ values: [Double]) -> String {
        let low = values.min() ?? 0
        let high = values.max() ?? 0
        let range = low == high ? "all \(format(low))" : "from \(format(low)) to \(format(high))"
        return "\(counted(values.count, "value")), \(range)"
    }

    /// The smallest d in 2...1024 with every weight * d a whole number, if the weights are not
    /// whole numbers already (`gaussian3` is 1/16 x [1 2 1; 2 4 2; 1 2 1]).
    static func commonDivisor(_ weights: [Double]) -> Int? {
        func whole(_ v: Double) -> Bool { abs(v - v.rounded()) <= 1e-9 * max(1, abs(v)) }
        if weights.allSatisfy(whole) { return nil }
        return (2...1024).first { d in weights.allSatisfy { whole($0 * Double(d)) } }
    }

    /// Whole numbers without a decimal point, others to 6 significant digits.
    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return plainNumber(value) }
        return String(format: "%.6g", value)
    }
}

/// `kernels --json`.
struct KernelListing: Encodable {
    struct Named: Encodable {
        let name: String
        let rows: Int
        let columns: Int
        let members: [String]?
        let description: String
        let source: String
        let orientation: String
    }

    struct Family: Encodable {
        let name: String
        let syntax: String
        let description: String
    }

    let named: [Named]
    let families: [Family]
}

/// `kernels show --json`.
struct KernelShown: Encodable {
    struct Matrix: Encodable {
        // The keys `kernels show --json` writes, in order.
        let name: String
        let rows, columns: Int
        /// Row by row, exact, of every kernel: JSON is read by programs, which need the weights
        /// whatever the size (only the text form summarises a large kernel).
        let weights: [[Double]]
        let smallest, largest, sum: Double
        let zeroSum, blur, separable: Bool
        /// Whether the factors reproduce every weight exactly, not only within the tolerance.
        let separableExactly: Bool?
        let columnFactor: [Double]?
        let rowFactor: [Double]?

        init(_ kernel: Kernel, tolerance: Double) {
            name = kernel.name
            rows = kernel.rows
            columns = kernel.columns
            weights = (0..<kernel.rows).map { r in
                Array(kernel.weights[(r * kernel.columns)..<((r + 1) * kernel.columns)])
            }
            smallest = kernel.weights.min() ?? 0
            largest = kernel.weights.max() ?? 0
            sum = kernel.sum
            zeroSum = kernel.isZeroSum
            blur = kernel.isBlur
            let factors = kernel.integerFactors() ?? kernel.separableFactors(tolerance: tolerance)
            separable = factors != nil
            separableExactly = factors.map {
                kernel.isReproducedExactly(column: $0.column, row: $0.row)
            }
            columnFactor = factors?.column
            rowFactor = factors?.row
        }

        enum CodingKeys: String, CodingKey {
            case name, rows, columns, weights, smallest, largest, sum, blur, separable
            case zeroSum = "zero_sum"
            case separableExactly = "separable_exactly"
            case columnFactor = "column_factor"
            case rowFactor = "row_factor"
        }
    }

    let name: String
    let description: String
    let source: String
    let orientation: String
    let kernels: [Matrix]
}

private func encodeJSON<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}

private func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
    let padding = String(repeating: " ", count: max(0, width - text.count))
    return right ? padding + text : text + padding
}
