// FixtureCases: the reference cases (scipy, PyTorch) as Convolution kernels, planes and options.

import ConvkitTestSupport
import Convolution

extension ConvolutionFixture {
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
}

/// The reference cases, from scipy and from PyTorch.
enum Fixtures {
    static let scipy = ConvolutionFixture.cases("scipy-cases")
    static let torch = ConvolutionFixture.cases("torch-cases")
    static let all = scipy + torch
}

/// The largest absolute difference between two equally long arrays.
func maxDifference(_ a: [Double], _ b: [Double]) -> Double {
    zip(a, b).map { abs($0 - $1) }.max() ?? 0
}
