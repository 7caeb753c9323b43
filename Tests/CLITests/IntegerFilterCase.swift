// IntegerFilterCase: generated integer images and an exact integer kernel whose filtered result
// a plain loop here computes, so filter outputs are checked against something convkit did not make.

import ConvkitSupport
import Foundation
import ImageIO

/// An 8-bit input image and the result `filter` must write for it.
struct IntegerFilterCase {
    let name: String
    let input: Image
    let expected: Image

    /// The kernel, in correlation orientation (rows top to bottom). Asymmetric, so a flipped or
    /// transposed kernel gives a different image; non-negative integers summing to 4, so inputs
    /// of 0...63 give exact integer outputs of 0...252 (no rounding, no clamping).
    static let kernel: [[Int]] = [[0, 1, 0], [0, 0, 2], [1, 0, 0]]

    /// The `convkit filter` options that apply ``kernel`` as scipy.signal.correlate2d(mode='same',
    /// boundary='fill', fillvalue=0) does, to every channel, keeping the values as they are.
    static let filterArguments = [
        "--kernel", "[[0,1,0],[0,0,2],[1,0,0]]", "--correlate", "--mode", "same", "--range",
        "clamp",
    ]

    /// `count` images of 32...96 pixels a side, grey or RGB, samples 0...63, from `seed`.
    static func generate(count: Int, seed: UInt64) throws -> [IntegerFilterCase] {
        var random = SeededGenerator(seed: seed)
        return try (0..<count).map { index in
            let width = Int(32 + random.next() % 65)
            let height = Int(32 + random.next() % 65)
            let channels = random.next() % 2 == 0 ? 1 : 3
            // Eight samples from each 64-bit draw, six bits each.
            let words = (0...(width * height * channels / 8)).map { _ in
                random.next() & 0x3F3F_3F3F_3F3F_3F3F
            }
            let samples = words.withUnsafeBytes { Array($0.prefix(width * height * channels)) }
            let input = try Image(
                width: width, height: height, channels: channels, samples: .uint8(samples))
            return IntegerFilterCase(
                name: String(format: "image%04d", index), input: input,
                expected: try correlated(samples, width: width, height: height, channels: channels))
        }
    }

    /// Writes every input as `folder/NAME.png` (plainly: inputs need no atomic replacement).
    static func writeInputs(_ cases: [IntegerFilterCase], to folder: String) throws {
        for item in cases {
            try Data(PNGEncoder.encode(item.input)).write(
                to: URL(fileURLWithPath: folder + "/" + item.name + ".png"))
        }
    }

    /// The bytes of a small valid PNG that stands for an output existing before a run: a run
    /// must leave it exactly so or replace it whole.
    static func previousOutput() throws -> Data {
        Data(
            try PNGEncoder.encode(
                try Image(width: 5, height: 4, channels: 1, samples: .uint8(Array(100..<120)))))
    }

    /// Whether `path` holds a PNG that decodes to exactly ``expected``.
    func matches(fileAt path: String) -> Bool {
        guard let image = try? PNGDecoder.read(path: path) else { return false }
        return image.width == expected.width && image.height == expected.height
            && image.channels == expected.channels
            && image.samples == expected.samples
    }

    /// out[y][x][c] = sum over i, j of kernel[i][j] * in[y + i - 1][x + j - 1][c], zero outside,
    /// summed tap by tap over the rows and columns where the tap falls inside the image.
    static func correlated(_ samples: [UInt8], width: Int, height: Int, channels: Int) throws
        -> Image
    {
        var output = [UInt8](repeating: 0, count: samples.count)
        samples.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { result in
                for i in 0..<3 {
                    for j in 0..<3 where kernel[i][j] != 0 {
                        let weight = UInt8(kernel[i][j])
                        let dy = i - 1
                        let dx = j - 1
                        let firstColumn = max(0, -dx)
                        let lastColumn = min(width, width - dx)
                        let run = (lastColumn - firstColumn) * channels
                        for y in max(0, -dy)..<min(height, height - dy) {
                            let target = (y * width + firstColumn) * channels
                            let source = ((y + dy) * width + firstColumn + dx) * channels
                            for k in 0..<run { result[target + k] &+= weight &* input[source + k] }
                        }
                    }
                }
            }
        }
        return try Image(width: width, height: height, channels: channels, samples: .uint8(output))
    }
}
