// `convkit kernels`: lists the named kernels and parametric families, and shows any kernel's
// weights, sum and separability.

import ArgumentParser
import Convolution
import Foundation

struct Kernels: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the named kernels and kernel families, or show a kernel's weights.",
        discussion: """
            A KERNEL (for 'kernels show' and 'filter --kernel') is one of:
              a name     sobel-x, gaussian3, kirsch (a set of 8), kirsch-ne, ...
              a family   gaussian:SIZE[,SIGMA]  box:N  log:SIZE,SIGMA
                         dog:SIZE,SIGMA1,SIGMA2  disk:RADIUS
              a matrix   "3x3: -1,0,1,-2,0,2,-1,0,1" (ImageMagick style, RxC is
                         rows x columns), "[[-1,0,1],[-2,0,2]]", "[1 2 1; 2 4 2]"
              a file     K.kernel (text, as in filters/), K.npy (2-D array),
                         K.mat (libvips: 'width height [scale [offset]]', rows;
                         weights divided by scale)
            Weights are written as correlation applies them (cv2.filter2D,
            PyTorch conv2d); convolution flips them.
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

        @Flag(name: .long, help: "Print JSON instead of text.")
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
                var size = "\(first.rows)x\(first.columns)"
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
            help:
                "A kernel: a name, a family such as gaussian:5,1.0, an inline matrix or a file (see 'convkit kernels --help')."
        )
        var kernel: String

        @Option(
            name: .long,
            help: "Relative tolerance for the separability test (as the engine uses it).")
        var tolerance: Double = 1e-6

        @Flag(name: .long, help: "Print JSON (exact weights) instead of text.")
        var json = false

        func validate() throws {
            guard tolerance >= 0, tolerance.isFinite else {
                throw ValidationError("--tolerance must be a non-negative number")
            }
        }

        func run() throws {
            let definition = try KernelLibrary.definition(for: kernel)
            if json {
                let shown = KernelShown(
                    name: definition.name, description: definition.description,
                    source: definition.source,
                    orientation: definition.orientation,
                    kernels: definition.kernels.map { KernelShown.Matrix($0, tolerance: tolerance) }
                )
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
                print(KernelDisplay.describe(kernel, tolerance: tolerance))
            }
        }
    }
}

/// The text form of one kernel for `kernels show`.
enum KernelDisplay {
    static func describe(_ kernel: Kernel, tolerance: Double) -> String {
        var lines = ["\(kernel.rows)x\(kernel.columns) (rows x columns)"]
        var shown = kernel.weights
        if let divisor = commonDivisor(kernel.weights) {
            lines[0] += ", 1/\(divisor) x"
            shown = kernel.weights.map { ($0 * Double(divisor)).rounded() }
        }
        let texts = shown.map(format)
        let width = texts.map(\.count).max() ?? 1
        for r in 0..<kernel.rows {
            lines.append(
                "  "
                    + (0..<kernel.columns).map {
                        pad(texts[r * kernel.columns + $0], width, right: true)
                    }.joined(separator: " "))
        }
        if zip(shown, texts).contains(where: { Double($1) != $0 }) {
            lines.append("  (rounded to 6 significant digits; --json prints the exact weights)")
        }
        lines.append(
            "sum: "
                + (kernel.isZeroSum
                    ? "0 (zero-sum: an edge or derivative detector)" : format(kernel.sum)))
        if let factors = kernel.separableFactors(tolerance: tolerance) {
            lines.append(
                "separable: yes, column [" + factors.column.map(format).joined(separator: ", ")
                    + "] x row [" + factors.row.map(format).joined(separator: ", ") + "]")
        } else {
            lines.append("separable: no (not rank 1 within \(tolerance) of the largest weight)")
        }
        return lines.joined(separator: "\n")
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
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
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
        let name: String
        let rows: Int
        let columns: Int
        /// Row by row, exact.
        let weights: [[Double]]
        let sum: Double
        let zeroSum: Bool
        let blur: Bool
        let separable: Bool
        let columnFactor: [Double]?
        let rowFactor: [Double]?

        init(_ kernel: Kernel, tolerance: Double) {
            name = kernel.name
            rows = kernel.rows
            columns = kernel.columns
            weights = (0..<kernel.rows).map { r in
                Array(kernel.weights[(r * kernel.columns)..<((r + 1) * kernel.columns)])
            }
            sum = kernel.sum
            zeroSum = kernel.isZeroSum
            blur = kernel.isBlur
            let factors = kernel.separableFactors(tolerance: tolerance)
            separable = factors != nil
            columnFactor = factors?.column
            rowFactor = factors?.row
        }

        enum CodingKeys: String, CodingKey {
            case name, rows, columns, weights, sum, blur, separable
            case zeroSum = "zero_sum"
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
