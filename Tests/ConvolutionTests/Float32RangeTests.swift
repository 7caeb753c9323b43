// Float32RangeTests: a number written near Float32's largest value is a usable weight exactly
// when numpy's float32() of it is finite (scripts/make-range-fixtures.py), so the value numpy
// prints as that largest value, 3.4028235e38, is accepted.

import ConvkitTestSupport
import Testing

@testable import Convolution

struct Float32RoundingCase: Decodable, Sendable, CustomTestStringConvertible {
    let text: String
    let finite: Bool

    var testDescription: String { text }

    private struct File: Decodable {
        let float32Rounding: [Float32RoundingCase]
    }

    static let all: [Float32RoundingCase] =
        (try? FixtureFolder(packagePath: "Tests/ConvolutionTests/Fixtures")
            .decode(File.self, from: "output-ranges.json").float32Rounding) ?? []
}

@Suite struct Float32RangeTests {
    @Test func fixturesAreThere() {
        #expect(Float32RoundingCase.all.count == 8)
    }

    @Test(arguments: Float32RoundingCase.all)
    func weightIsUsableWhenNumpysFloat32IsFinite(_ fixture: Float32RoundingCase) throws {
        let parsed = KernelText.number(Substring(fixture.text))
        if case .success(let value) = parsed {
            #expect(fixture.finite)
            let kernel = try Kernel(name: "k", rows: 1, columns: 1, weights: [value])
            #expect(Float(kernel.weights[0]).isFinite)
        } else {
            #expect(!fixture.finite)
        }
    }
}
