// OutputRangeFixtureTests: float arrays at the edges of their formats become the PNG samples
// that exact arithmetic gives (scripts/make-range-fixtures.py), in every range and bit depth:
// a span beyond the largest finite value, one so narrow that top/span overflows, subnormals,
// and float64 values that Float32 cannot hold or tell apart.

import ConvkitTestSupport
import Convolution
import ImageIO
import Testing

struct OutputRangeCase: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let dtype: String
    let rows: Int
    let columns: Int
    let values: [Double]
    let range: String
    let bitDepth: Int
    let expected: [Int]

    var testDescription: String { name }

    private struct File: Decodable {
        let cases: [OutputRangeCase]
    }

    static let all: [OutputRangeCase] =
        (try? FixtureFolder(packagePath: "Tests/ConvolutionTests/Fixtures")
            .decode(File.self, from: "output-ranges.json").cases) ?? []
}

@Suite struct OutputRangeFixtureTests {
    @Test func fixturesAreThere() {
        #expect(OutputRangeCase.all.count == 72)
    }

    @Test(arguments: OutputRangeCase.all)
    func floatArrayMapsAsExactArithmeticDoes(_ fixture: OutputRangeCase) throws {
        let values: NPYArray.Values =
            fixture.dtype == "float32"
            ? .float32(fixture.values.map(Float.init)) : .float64(fixture.values)
        let array = try NPYArray(shape: [fixture.rows, fixture.columns], values: values)
        let identity = try Kernel(name: "identity", rows: 1, columns: 1, weights: [1])
        let filtered = try ImageFilter(steps: [[identity]]).apply(to: array, name: fixture.name)
        let range = try #require(OutputRange(rawValue: fixture.range))
        let image = try filtered.image(range: range, bitDepth: fixture.bitDepth)
        let samples: [Int] =
            switch image.samples {
            case .uint8(let samples): samples.map(Int.init)
            case .uint16(let samples): samples.map(Int.init)
            }
        #expect(image.bitDepth == fixture.bitDepth)
        #expect(samples == fixture.expected)
    }
}
