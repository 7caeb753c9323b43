// NormalizeConstantTests: `--range normalize` on a result of one value writes zeros and says so.

import ConvkitTestSupport
import Foundation
import ImageIO
import Testing

@Suite struct NormalizeConstantTests {
    /// A flat grey image blurred with a nearest-value border is one value everywhere:
    /// normalize has no span, and every way `filter` maps it (in memory, in Float64, from a
    /// float array, in bands) writes zeros, as `cv2.normalize(..., NORM_MINMAX)` does, with a
    /// note on stderr. A result with a span gets no note.
    @Test func constantResultIsNotedAndZero() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let flat = try Image(
            width: 9, height: 7, channels: 1, samples: .uint8([UInt8](repeating: 100, count: 63)))
        try PNGEncoder.write(flat, to: folder + "/flat.png")
        try NPY.write(
            NPYArray(shape: [7, 9], values: .float32([Float](repeating: 0.25, count: 63))),
            to: folder + "/flat.npy")
        try PNGEncoder.write(
            Image(width: 9, height: 7, channels: 1, samples: .uint8((0..<63).map { UInt8($0) })),
            to: folder + "/ramp.png")
        let common = ["--kernel", "box3", "--boundary", "nearest", "--range", "normalize"]
        for (input, extra) in [
            ("flat.png", []), ("flat.png", ["--float64"]), ("flat.npy", []),
            ("flat.npy", ["--band-rows", "2"]), ("ramp.png", []),
        ] {
            let output = folder + "/out.png"
            let result = try CLI.run(
                ["filter", folder + "/" + input, "-o", output] + common + extra)
            let name = "\(input) \(extra)"
            #expect(result.status == 0, "\(name): \(result.stderr)")
            let noted = result.stderr.contains(
                "convkit: note: \(folder)/\(input): the result is one value everywhere")
            #expect(noted == input.hasPrefix("flat"), "\(name): \(result.stderr)")
            let samples = try PNGDecoder.read(path: output).allSamples
            #expect(samples.allSatisfy { $0 == 0 } == input.hasPrefix("flat"), "\(name)")
        }
    }
}
