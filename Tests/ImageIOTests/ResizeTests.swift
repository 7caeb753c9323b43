// ResizeTests: area resizing against OpenCV's INTER_AREA (fixtures from
// scripts/make-resize-fixtures.py) and the fast separable path against the naive reference.

import ConvkitTestSupport
import Foundation
import Testing

@testable import ImageIO

@Suite struct ResizeTests {
    // Fields like PNGFixtures.Case's on purpose: each case type holds its own manifest's keys.
    struct Case: Decodable, CustomStringConvertible {
        let width: Int
        let height: Int
        let channels: Int
        let newWidth: Int
        let newHeight: Int
        let input: [Float]
        let output: [Float]
        enum CodingKeys: String, CodingKey {
            case width, height, channels, input, output
            case newWidth = "new_width"
            case newHeight = "new_height"
        }
        var description: String { "\(width)x\(height)x\(channels) to \(newWidth)x\(newHeight)" }
    }

    struct Fixture: Decodable {
        let cases: [Case]
    }

    static let cases: [Case] =
        (try? fixtures.decode(Fixture.self, from: "resize/area.json").cases) ?? []

    @Test func fixturesArePresent() {
        #expect(Self.cases.count == 8)
    }

    @Test(arguments: cases) func matchesOpenCVInterArea(_ c: Case) throws {
        let resized = try AreaResize.resize(
            c.input, width: c.width, height: c.height, channels: c.channels,
            newWidth: c.newWidth, newHeight: c.newHeight)
        #expect(resized.count == c.output.count)
        let worst = zip(resized, c.output).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst < 1e-5, "largest difference \(worst)")
    }

    @Test(arguments: cases) func fastPathMatchesTheReference(_ c: Case) throws {
        let fast = try AreaResize.resize(
            c.input, width: c.width, height: c.height, channels: c.channels,
            newWidth: c.newWidth, newHeight: c.newHeight)
        let naive = try AreaResize.referenceResize(
            c.input, width: c.width, height: c.height, channels: c.channels,
            newWidth: c.newWidth, newHeight: c.newHeight)
        let worst = zip(fast, naive).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst < 1e-5, "largest difference \(worst)")
    }

    @Test func mixedDirectionsMatchTheReference() throws {
        var generator = SystemRandomNumberGenerator()
        let values = (0..<(13 * 6 * 3)).map { _ in Float.random(in: 0...1, using: &generator) }
        let fast = try AreaResize.resize(
            values, width: 13, height: 6, channels: 3, newWidth: 5, newHeight: 11)
        let naive = try AreaResize.referenceResize(
            values, width: 13, height: 6, channels: 3, newWidth: 5, newHeight: 11)
        #expect(zip(fast, naive).allSatisfy { abs($0 - $1) < 1e-5 })
    }

    @Test func aConstantImageStaysConstantAndTapsSumToOne() throws {
        let resized = try AreaResize.resize(
            [Float](repeating: 0.25, count: 7 * 5), width: 7, height: 5, channels: 1,
            newWidth: 4, newHeight: 3)
        #expect(resized.allSatisfy { abs($0 - 0.25) < 1e-6 })
        for taps in AreaResize.taps(input: 7, output: 3) + AreaResize.taps(input: 3, output: 7) {
            #expect(abs(taps.weights.reduce(0, +) - 1) < 1e-6)
        }
    }

    @Test func badSizesAreErrors() {
        #expect(throws: ImageIOError.self) {
            try AreaResize.resize(
                [1, 2, 3], width: 2, height: 2, channels: 1, newWidth: 1, newHeight: 1)
        }
        #expect(throws: ImageIOError.self) {
            try AreaResize.resize(
                [1, 2, 3, 4], width: 2, height: 2, channels: 1, newWidth: 1, newHeight: 0)
        }
    }
}
