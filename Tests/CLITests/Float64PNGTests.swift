// Float64PNGTests: `filter --float64` to PNG maps the Float64 result to samples, as scipy's
// float64 result mapped exactly (scripts/make-range-fixtures.py), for results that differ by
// less than Float32 can tell, after one kernel and after a chain.

import ConvkitTestSupport
import Foundation
import ImageIO
import Testing

/// An 8-bit grey image, the kernels correlated with it in 'valid' mode, and the samples.
struct Float64ImageCase: Decodable, Sendable, CustomTestStringConvertible {
    struct Weights: Decodable, Sendable {
        let rows: Int
        let columns: Int
        let weights: [Double]

        /// The kernel as inline text, `[[a,b],[c,d]]`.
        var text: String {
            let rows = (0..<rows).map { row in
                weights[(row * columns)..<((row + 1) * columns)].map { "\($0)" }
                    .joined(separator: ",")
            }
            return "[[" + rows.joined(separator: "],[") + "]]"
        }
    }

    let name: String
    let rows: Int
    let columns: Int
    let values: [Int]
    let kernels: [Weights]
    let range: String
    let bitDepth: Int
    let expected: [Int]

    var testDescription: String { name }

    private struct File: Decodable {
        let imageCases: [Float64ImageCase]
    }

    static let all: [Float64ImageCase] =
        (try? FixtureFolder(packagePath: "Tests/ConvolutionTests/Fixtures")
            .decode(File.self, from: "output-ranges.json").imageCases) ?? []
}

@Suite struct Float64PNGTests {
    @Test func fixturesAreThere() {
        #expect(Float64ImageCase.all.count == 4)
    }

    @Test(arguments: Float64ImageCase.all)
    func pngSamplesComeFromTheFloat64Result(_ fixture: Float64ImageCase) throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let image = try Image(
            width: fixture.columns, height: fixture.rows, channels: 1,
            samples: .uint8(fixture.values.map { UInt8($0) }))
        try PNGEncoder.write(image, to: folder + "/in.png")
        let run = try CLI.run(
            ["filter", folder + "/in.png"] + fixture.kernels.flatMap { ["--kernel", $0.text] }
                + [
                    "--mode", "valid", "--correlate", "--float64", "--range", fixture.range,
                    "--bit-depth", "\(fixture.bitDepth)", "-o", folder + "/out.png",
                ])
        #expect(run.status == 0, "\(run.stderr)")
        let samples: [Int] =
            switch try PNGDecoder.read(path: folder + "/out.png").samples {
            case .uint8(let samples): samples.map(Int.init)
            case .uint16(let samples): samples.map(Int.init)
            }
        #expect(samples == fixture.expected)
    }
}
