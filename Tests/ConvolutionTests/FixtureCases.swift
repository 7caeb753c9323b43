// FixtureCases: the scipy and PyTorch reference cases made by scripts/make-convolution-fixtures.py.

import Convolution
import Foundation
import Testing

/// One reference case: an input, a kernel, the options and what scipy or PyTorch computed.
struct FixtureCase: Decodable, CustomTestStringConvertible, Sendable {
    struct Matrix: Decodable, Sendable {
        let rows: Int
        let columns: Int
        let values: [Double]
    }

    let name: String
    let source: String
    let input: Matrix
    let kernel: Matrix
    let expected: Matrix
    let operation: String
    let mode: String
    let boundary: String
    let fill: Double
    let padding: [Int]
    let stride: [Int]
    let dilation: [Int]

    var testDescription: String { name }

    func makeKernel() throws -> Kernel {
        try Kernel(
            name: "fixture", rows: kernel.rows, columns: kernel.columns, weights: kernel.values)
    }

    func inputPlane() throws -> Plane<Double> {
        try Plane(rows: input.rows, columns: input.columns, values: input.values)
    }

    func options(path: ConvolutionPath? = nil, threads: Int? = nil) -> ConvolutionOptions {
        let rule: BoundaryRule =
            switch boundary {
            case "wrap": .wrap
            case "symm": .symm
            case "reflect101": .reflect101
            case "nearest": .nearest
            default: .fill(fill)
            }
        return ConvolutionOptions(
            operation: operation == "convolve" ? .convolve : .correlate,
            mode: ConvolutionMode(rawValue: mode) ?? .full,
            boundary: rule,
            padding: Padding(
                top: padding[0], bottom: padding[1], left: padding[2], right: padding[3]),
            stride: AxisPair(rows: stride[0], columns: stride[1]),
            dilation: AxisPair(rows: dilation[0], columns: dilation[1]),
            threads: threads, path: path)
    }

    /// The largest difference allowed: 1e-5 of the expected output's range.
    var tolerance: Double {
        let range = (expected.values.max() ?? 0) - (expected.values.min() ?? 0)
        return 1e-5 * max(range, 1)
    }
}

enum Fixtures {
    private struct File: Decodable {
        let cases: [FixtureCase]
    }

    static func load(_ name: String) -> [FixtureCase] {
        guard
            let url = Bundle.module.url(
                forResource: name, withExtension: "json", subdirectory: "Fixtures"),
            let data = try? Data(contentsOf: url),
            let file = try? JSONDecoder().decode(File.self, from: data)
        else { return [] }
        return file.cases
    }

    static let scipy = load("scipy-cases")
    static let torch = load("torch-cases")
    static let all = scipy + torch
}

/// The largest absolute difference between two equally long arrays.
func maxDifference(_ a: [Double], _ b: [Double]) -> Double {
    zip(a, b).map { abs($0 - $1) }.max() ?? 0
}
