// ConvolutionFixture: the scipy and PyTorch reference cases of scripts/make-convolution-fixtures.py.

import Testing

/// One reference case: an input, a kernel, the options, and what scipy or PyTorch computed.
public struct ConvolutionFixture: Decodable, Sendable, CustomTestStringConvertible {
    /// A row-major matrix.
    public struct Matrix: Decodable, Sendable {
        public let rows: Int
        public let columns: Int
        public let values: [Double]
    }

    public let name: String
    public let source: String
    public let input: Matrix
    public let kernel: Matrix
    public let expected: Matrix
    public let operation: String
    public let mode: String
    public let boundary: String
    public let fill: Double
    public let padding: [Int]
    public let stride: [Int]
    public let dilation: [Int]

    public var testDescription: String { name }

    /// The largest difference allowed: 1e-5 of the expected output's range.
    public var tolerance: Double {
        let range = (expected.values.max() ?? 0) - (expected.values.min() ?? 0)
        return 1e-5 * max(range, 1)
    }

    private struct File: Decodable {
        let cases: [ConvolutionFixture]
    }

    /// The cases of `Tests/ConvolutionTests/Fixtures/NAME.json`; empty if it cannot be read,
    /// which the tests that use it then report as having no cases.
    public static func cases(_ name: String) -> [ConvolutionFixture] {
        let folder = FixtureFolder(packagePath: "Tests/ConvolutionTests/Fixtures")
        return (try? folder.decode(File.self, from: "\(name).json").cases) ?? []
    }
}
