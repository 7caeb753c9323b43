// ColorMapTests: colour maps against matplotlib's (fixture from scripts/colormap-fixtures.py),
// and the symmetric range of the diverging scale.

import ConvkitTestSupport
import Drawing
import Testing

struct ColorMapTests {
    @Test func mapsMatchMatplotlib() throws {
        let rows = try fixtures.lines("colormaps.csv").dropFirst()
        #expect(rows.count >= 100)
        for row in rows {
            let fields = row.split(separator: ",").map(String.init)
            let map = try #require(ColorMap(rawValue: fields[0]))
            let t = try #require(Double(fields[1]))
            let expected = fields[2...4].compactMap(Double.init)
            let got = map.color(at: t)
            // Our tables hold 8-bit entries; matplotlib's hold doubles.
            for (ours, theirs) in zip([got.red, got.green, got.blue], expected) {
                #expect(abs(ours - theirs) <= 0.6 / 255, "\(map) at \(t): \(got) vs \(expected)")
            }
        }
    }

    @Test func divergingScaleIsSymmetric() {
        let scale = ColorScale(map: .diverging, fitting: [-0.5, 0.1, 2.0])
        #expect(scale.lower == -2 && scale.upper == 2)
        #expect(scale.position(of: 0) == 0.5)
        let middle = scale.color(for: 0)
        #expect(middle.red > 0.95 && middle.green > 0.95 && middle.blue > 0.95)
        let top = scale.color(for: 2)
        #expect(top.red > top.blue)
        let bottom = scale.color(for: -2)
        #expect(bottom.blue > bottom.red)
    }

    @Test func degenerateRanges() {
        #expect(ColorScale(map: .diverging, fitting: [0, 0]).upper == 1)
        let constant = ColorScale(map: .viridis, fitting: [3, 3])
        #expect(constant.lower == 3 && constant.upper == 4)
        let empty = ColorScale(map: .grey, fitting: [Double.nan])
        #expect(empty.lower == 0 && empty.upper == 1)
    }

    @Test func matrixImage() throws {
        let scale = ColorScale(map: .grey, lower: 0, upper: 1)
        let image = try scale.image(values: [0, 1, 1, 0, 0.5, 1], width: 3, height: 2)
        #expect(image.width == 3 && image.height == 2 && image.channels == 3)
        #expect(image.sample(x: 1, y: 0, channel: 0) == 255)
        #expect(image.sample(x: 0, y: 1, channel: 0) == 0)
        #expect(throws: (any Error).self) { try scale.image(values: [1, 2], width: 3, height: 2) }
    }
}
