// Float32RangeTests: a number written near Float32's largest value is a usable weight exactly
// when numpy's float32() of it is finite (scripts/make-range-fixtures.py), so the value numpy
// prints as that largest value, 3.4028235e38, is accepted.

import ConvkitSupport
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

    /// Float32 changes a weight's meaning when it turns a non-zero weight into 0 or a whole
    /// number into another (numpy: `float32(1e-46) == 0`, `float32(16777217) == 16777216`);
    /// rounding a fraction (0.1) or a number beyond 2^53 (1e30) is ordinary.
    @Test func weightsWhoseMeaningFloat32Changes() throws {
        for changed in [1e-46, -1e-46, 16_777_217, -16_777_217, 1e15] {
            #expect(changed.isChangedByFloat32, "\(changed)")
            let kernel = try Kernel(name: "k", rows: 1, columns: 2, weights: [1, changed])
            #expect(kernel.weightChangedByFloat32 == changed)
        }
        for kept in [0, 0.1, -0.1, 1e-45, 1e-40, 16_777_216, 16_777_216.5, 33_554_432, 1e30, 3e38] {
            #expect(!kept.isChangedByFloat32, "\(kept)")
        }
    }
}
