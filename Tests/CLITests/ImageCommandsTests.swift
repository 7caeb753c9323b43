// ImageCommandsTests: `convkit info` and `convkit convert` as a user runs them.

import ConvkitTestSupport
import Foundation
import ImageIO
import Testing

@Suite struct ImageCommandsTests {
    @Test func infoDescribesSamples() throws {
        let result = try CLI.run(["info", "samples/ascent.png", "samples/face.png"])
        #expect(result.status == 0)
        #expect(result.output.contains("samples/ascent.png: 512x512, grey, 8-bit"))
        #expect(result.output.contains("samples/face.png: 1024x768, RGB, 8-bit, 3 channels"))
    }

    @Test func infoJSONIsMachineReadable() throws {
        let result = try CLI.run(["info", "--json", "samples/face.png"])
        let records = try JSONSerialization.jsonObject(with: result.stdout) as? [[String: Any]]
        #expect(records?.first?["width"] as? Int == 1024)
        #expect(records?.first?["color_type"] as? String == "RGB")
        #expect(records?.first?["interlaced"] as? Bool == false)
    }

    @Test func infoReportsBadFilesAndGoesOn() throws {
        let result = try CLI.run([
            "info", "Package.swift", "samples/ascent.png", "no-such.png", "samples",
        ])
        #expect(result.status == 1)
        #expect(result.output.contains("ascent.png: 512x512"))
        let lines = result.stderr.split(separator: "\n")
        #expect(
            lines == [
                "convkit: error: Package.swift: is a text file, not a PNG, NPY or model file",
                "convkit: error: no-such.png: cannot read: No such file or directory",
                "convkit: error: samples: is a directory, not a file",
                "convkit: 3 of 4 files failed",
            ])
    }

    /// info reads an array's header, not its data: a 3.6 GB array (a sparse file here) is
    /// described at once, and one whose file is shorter than its shape is reported.
    @Test func infoReadsAnArraysHeaderOnly() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // numpy's version 1.0 header: magic, length, the dictionary padded to 64 bytes.
        var dictionary = "{'descr': '<f4', 'fortran_order': False, 'shape': (30000, 30000), }"
        dictionary += String(repeating: " ", count: 63 - (10 + dictionary.count) % 64) + "\n"
        let large =
            [0x93] + Array("NUMPY".utf8) + [
                1, 0, UInt8(dictionary.count % 256),
                UInt8(dictionary.count / 256),
            ] + Array(dictionary.utf8)
        let path = folder + "/large.npy"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(large)))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: UInt64(large.count) + 30000 * 30000 * 4)
        try handle.close()
        let result = try CLI.run(["info", path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.output.contains("large.npy: NPY array, shape (30000, 30000), float32"))
        let short = folder + "/short.npy"
        #expect(
            FileManager.default.createFile(atPath: short, contents: Data(large + [0, 0, 0, 0])))
        let truncated = try CLI.run(["info", short])
        #expect(truncated.status == 1)
        #expect(
            truncated.stderr.contains(
                "short.npy: truncated: shape [30000, 30000] needs 3600000000 data bytes, found 4"),
            "\(truncated.stderr)")
    }

    /// convert and filter keep a PNG's colour space, resolution and text (Pillow's fixture),
    /// in memory and streamed; --gray drops the ICC profile and chromaticities, --stride
    /// divides the resolution.
    @Test func colourSpaceResolutionAndTextSurvive() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let input = CLI.packageRoot + "/Tests/ImageIOTests/Fixtures/png-chunks/rgb.png"
        let original = PNGChunks.read(path: input)
        #expect(original.chunks.count == 6)
        let grey = original.forGrey()
        let runs: [(arguments: [String], output: String, expected: PNGChunks)] = [
            (["convert", input, "c.png", "--compression", "9"], "c.png", original),
            (["convert", input, "g.png", "--gray"], "g.png", grey),
            (["filter", input, "--kernel", "gaussian3", "-o", "f.png"], "f.png", original),
            (
                ["filter", input, "--kernel", "box3", "--band-rows", "2", "-o", "s.png"], "s.png",
                original
            ),
            (
                ["filter", input, "--kernel", "sobel-x", "--gray", "--stride", "2", "-o", "t.png"],
                "t.png", grey.stepped(columns: 2, rows: 2)
            ),
        ]
        for (arguments, output, expected) in runs {
            let result = try CLI.run(arguments, in: folder)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(PNGChunks.read(path: folder + "/" + output) == expected, "\(arguments)")
        }
        #expect(grey.chunks.map(\.type) == ["gAMA", "tEXt", "iTXt", "pHYs"])
        // From standard input too: the chunks come from the bytes the pixels are decoded from.
        let piped = try CLI.run(
            ["filter", "-", "--kernel", "box3", "-o", "p.png"],
            input: FileManager.default.contents(atPath: input), in: folder)
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(PNGChunks.read(path: folder + "/p.png") == original)
    }

    /// An animated PNG is read as its default image, and every command that reads it says so:
    /// info in its description, convert and filter (in memory and streamed) in a note.
    @Test func anAnimatedPNGIsNamedAsSuch() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let input = CLI.packageRoot + "/Tests/ImageIOTests/Fixtures/png-chunks/animated.png"
        let info = try CLI.run(["info", input])
        #expect(
            info.output.hasSuffix(
                "animated PNG of 3 frames (convkit reads its default image)\n"), "\(info.output)")
        let note =
            "convkit: note: \(input): an animated PNG of 3 frames; convkit reads its default image only\n"
        for command in [
            ["convert", input, folder + "/c.png"], ["convert", input, folder + "/c.npy"],
            ["filter", input, "--kernel", "box3", "-o", folder + "/f.png"],
            ["filter", input, "--kernel", "box3", "-o", folder + "/s.png", "--max-pixels", "4"],
        ] {
            let run = try CLI.run(command)
            #expect(run.status == 0 && run.stderr == note, "\(command): \(run.stderr)")
        }
    }

    /// --bit-depth 8 writes 8-bit samples whatever the input stores: a palette or 1-, 2- or
    /// 4-bit grey PNG came back in its own form, as without the option.
    @Test func bitDepthEightExpandsLowDepthAndPalettes() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let fixtures = CLI.packageRoot + "/Tests/ImageIOTests/Fixtures/png/"
        for name in ["gray1", "gray4", "palette4", "palette4-trns", "palette8"] {
            let output = folder + "/\(name).png"
            let run = try CLI.run(["convert", fixtures + name + ".png", output, "--bit-depth", "8"])
            #expect(run.status == 0, "\(run.stderr)")
            let original = try PNGDecoder.read(path: fixtures + name + ".png")
            let written = try PNGDecoder.read(path: output)
            #expect(written.source?.bitDepth == 8, "\(name)")
            #expect(written.source?.colorType != .palette, "\(name)")
            #expect(written.samples == original.samples && written.channels == original.channels)
        }
    }

    /// Over --max-pixels, convert goes a band of rows at a time, with the whole image's
    /// result: the same samples, chunks and NPY bytes, grey, 16-bit and with alpha.
    @Test func convertStreamsOverMaxPixels() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let chunked = CLI.packageRoot + "/Tests/ImageIOTests/Fixtures/png-chunks/rgb.png"
        let rgba = try Image.noise(width: 300, height: 301, channels: 4, bitDepth: 16, seed: 9)
        try PNGEncoder.write(rgba, to: folder + "/rgba16.png")
        for input in ["samples/face.png", chunked, folder + "/rgba16.png"] {
            for options in [
                [], ["--gray"], ["--bit-depth", "16"], ["--gray", "--bit-depth", "8"],
            ] {
                for format in ["png", "npy"] {
                    let whole = folder + "/whole." + format
                    let banded = folder + "/banded." + format
                    #expect(try CLI.run(["convert", input, whole] + options).status == 0)
                    let run = try CLI.run(
                        ["convert", input, banded, "--max-pixels", "100"] + options)
                    #expect(run.status == 0, "\(run.stderr)")
                    if format == "npy" {
                        #expect(
                            FileManager.default.contents(atPath: whole)
                                == FileManager.default.contents(atPath: banded),
                            "\(input) \(options)")
                    } else {
                        let a = try PNGDecoder.read(path: whole)
                        let b = try PNGDecoder.read(path: banded)
                        #expect(
                            a.samples == b.samples && a.channels == b.channels,
                            "\(input) \(options)")
                        #expect(PNGChunks.read(path: whole) == PNGChunks.read(path: banded))
                    }
                }
            }
        }
    }

    @Test func convertWritesNPYThatMatchesThePNG() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try CLI.run(["convert", "samples/face.png", folder + "/face.npy"])
        #expect(result.status == 0, "\(result.stderr)")
        let array = try NPY.read(path: folder + "/face.npy")
        #expect(array.shape == [768, 1024, 3])
        #expect(
            array.values
                == .uint8(
                    try {
                        guard
                            case .uint8(let v) = try PNGDecoder.read(
                                path: CLI.packageRoot + "/samples/face.png"
                            ).samples
                        else { return [] }
                        return v
                    }()))
    }

    @Test func convertToGrey16AndBack() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(
            try CLI.run([
                "convert", "samples/face.png", folder + "/g.png", "--gray", "--bit-depth", "16",
                "--compression", "1",
            ]).status == 0)
        let grey = try PNGDecoder.read(path: folder + "/g.png")
        #expect(grey.channels == 1 && grey.bitDepth == 16)
        #expect(
            try CLI.run(["convert", folder + "/g.png", folder + "/g8.png", "--bit-depth", "8"])
                .status == 0)
        #expect(try PNGDecoder.read(path: folder + "/g8.png").bitDepth == 8)
    }

    @Test func standardInputAndOutput() throws {
        let png = try Data(
            contentsOf: URL(fileURLWithPath: CLI.packageRoot + "/samples/ascent.png"))
        let result = try CLI.run(["convert", "-", "-", "--compression", "0"], input: png)
        #expect(result.status == 0, "\(result.stderr)")
        let decoded = try PNGDecoder.decode([UInt8](result.stdout))
        #expect(
            decoded.withoutSource()
                == (try PNGDecoder.read(path: CLI.packageRoot + "/samples/ascent.png"))
                .withoutSource())
        let info = try CLI.run(["info", "-"], input: png)
        #expect(info.output.hasPrefix("-: 512x512"))
    }

    @Test func usageErrorsExitWithTwo() throws {
        let result = try CLI.run(["convert", "a.png", "b.png", "--bit-depth", "12"])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("convkit: error: --bit-depth must be 8 or 16, got 12"))
        #expect(try CLI.run(["info"]).status == 2)
    }

    /// An image decoded whole (here for an interlaced output, which cannot be written by
    /// rows) is refused over --max-pixels before it is decoded.
    @Test func maxPixelsRefusesBeforeDecoding() throws {
        let result = try CLI.run([
            "convert", "samples/ascent.png", "/tmp/never-written.png", "--max-pixels", "1000",
            "--interlace",
        ])
        #expect(result.status == 1)
        #expect(
            result.stderr.contains(
                "samples/ascent.png: image too large: 512x512 is 262144 pixels, more than the limit of 1000"
            ))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/never-written.png"))
    }

    @Test func aWriteThatFailsLeavesTheOldFileByteIdentical() throws {
        // A 16 KiB file-size limit makes the write of a ~1 MB PNG fail part way, as a full disk would.
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let target = folder + "/existing.png"
        let before = Data("previous contents".utf8)
        try before.write(to: URL(fileURLWithPath: target))
        let result = try CLI.run(
            ["convert", "samples/face.png", target, "--compression", "0"],
            shellPrefix: "ulimit -f 16;")
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("convkit: error: \(target): cannot write: File too large"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: target)) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["existing.png"])
    }

    @Test func convertingOverTheInputWorks() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/a.png"
        try FileManager.default.copyItem(
            atPath: CLI.packageRoot + "/samples/ascent.png", toPath: path)
        #expect(try CLI.run(["convert", path, path, "--bit-depth", "16"]).status == 0)
        #expect(try PNGDecoder.read(path: path).bitDepth == 16)
    }
}

extension Image {
    func withoutSource() -> Image {
        var copy = self
        copy.source = nil
        return copy
    }
}
