// StreamCommandTests: `filter` streams PNG images over its memory budget or --max-pixels in
// bands, says so with --verbose, and writes what the in-memory path writes (PNG pixels and
// NPY bytes), normalising from a first pass; interlaced input falls back to memory; PNG to PNG
// streams by default from a megapixel.

import ConvkitSupport
import ConvkitTestSupport
import Foundation
import ImageIO
import Testing

@Suite struct StreamCommandTests {
    func filter(_ arguments: [String]) throws -> CLIResult {
        try CLI.run(["filter"] + arguments)
    }

    @Test func streamedOutputsEqualInMemoryOutputs() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(
            try CLI.run([
                "convert", "samples/face.png", folder + "/rgb16.png", "--bit-depth", "16",
            ]).status == 0)
        let cases: [[String]] = [
            ["samples/ascent.png", "--kernel", "sobel-x"],  // normalize: two passes
            ["samples/ascent.png", "--kernel", "box3", "--boundary", "wrap", "--stride", "2"],
            [
                folder + "/rgb16.png", "--kernel", "gaussian5", "--mode", "full", "--boundary",
                "symm",
            ],
            [
                "samples/face.png", "--kernel", "sobel-x", "--kernel", "sobel-y", "--magnitude",
                "--gray",
            ],
            ["samples/face.png", "--kernel", "kirsch", "--padding", "2,0,1,3", "--dilation", "2"],
            [
                folder + "/rgb16.png", "--kernel", "gaussian5", "--kernel", "sharpen", "--kernel",
                "sobel-y", "--boundary", "reflect101", "--stride", "2",
            ],
        ]
        for (index, arguments) in cases.enumerated() {
            for format in ["png", "npy"] {
                let memory = "\(folder)/m\(index).\(format)"
                let streamed = "\(folder)/s\(index).\(format)"
                #expect(try filter(arguments + ["--memory", "2G", "-o", memory]).status == 0)
                let run = try filter(arguments + ["--band-rows", "5", "--verbose", "-o", streamed])
                #expect(run.status == 0, "\(run.stderr)")
                #expect(run.stderr.contains("streaming in bands of 5 rows"), "\(run.stderr)")
                if format == "npy" {
                    #expect(
                        FileManager.default.contents(atPath: memory)
                            == FileManager.default.contents(atPath: streamed), "\(arguments)")
                } else {
                    let a = try PNGDecoder.read(path: memory)
                    let b = try PNGDecoder.read(path: streamed)
                    #expect(a.samples == b.samples && a.width == b.width, "\(arguments)")
                    #expect(a.channels == b.channels && a.bitDepth == b.bitDepth)
                }
            }
        }
    }

    @Test func memoryBudgetAndMaxPixelsChooseStreaming() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let base = ["samples/ascent.png", "--kernel", "box3", "--verbose", "-o", folder + "/o.png"]
        let small = try filter(base + ["--memory", "1M"])
        #expect(small.status == 0)
        #expect(small.stderr.contains("streaming in bands of"), "\(small.stderr)")
        #expect(small.stderr.contains("more than the --memory budget of 1.0 MB"))
        let large = try filter(base + ["--memory", "2G"])
        #expect(large.stderr.contains("filtering in memory"), "\(large.stderr)")
        let capped = try filter(base + ["--max-pixels", "1000"])
        #expect(capped.status == 0, "\(capped.stderr)")
        #expect(capped.stderr.contains("exceed --max-pixels 1000"))
        #expect(try PNGDecoder.read(path: folder + "/o.png").width == 512)
        // Over a budget the user gave, a filter that cannot stream says so without --verbose.
        let wrapped = try filter([
            "samples/ascent.png", "--kernel", "box3", "--kernel", "sobel-x", "--boundary", "wrap",
            "--memory", "1M", "-o", folder + "/w.png",
        ])
        #expect(wrapped.status == 0)
        #expect(
            wrapped.stderr.hasPrefix(
                "convkit: note: samples/ascent.png: cannot stream: with --boundary wrap")
                && wrapped.stderr.contains("more than the --memory budget of 1.0 MB)"),
            "\(wrapped.stderr)")
    }

    /// A float32 array over the budget streams from its file with the in-memory result, as
    /// NPY, as a normalised PNG and as a 16-bit PNG; a float64 array over --max-pixels, which
    /// cannot stream, is refused before it is filtered.
    @Test func floatArraysStreamOverTheBudget() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let array = folder + "/gx.npy"
        #expect(
            try filter(["samples/face.png", "--kernel", "sobel-x", "-o", array]).status == 0)
        let cases: [(arguments: [String], format: String)] = [
            (["--kernel", "gaussian5", "--boundary", "reflect101"], "npy"),
            (["--kernel", "box3", "--kernel", "sharpen", "--range", "normalize"], "png"),
            (["--kernel", "gaussian5", "--range", "offset", "--bit-depth", "16"], "png"),
        ]
        for (index, (arguments, format)) in cases.enumerated() {
            let memory = "\(folder)/m\(index).\(format)"
            let streamed = "\(folder)/s\(index).\(format)"
            #expect(try filter([array] + arguments + ["-o", memory]).status == 0)
            let run = try filter(
                [array] + arguments + ["--memory", "1M", "--verbose", "-o", streamed])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stderr.contains("streaming in bands of"), "\(run.stderr)")
            #expect(
                FileManager.default.contents(atPath: memory)
                    == FileManager.default.contents(atPath: streamed) || format == "png",
                "\(arguments)")
            if format == "png" {
                #expect(
                    try PNGDecoder.read(path: memory).samples
                        == PNGDecoder.read(path: streamed).samples, "\(arguments)")
            }
        }
        // inf or NaN in a streamed array is named once, at its place.
        var values = [Float](repeating: 1, count: 40 * 30)
        values[33 * 30 + 2] = .nan
        try NPY.write(
            try NPYArray(shape: [40, 30], values: .float32(values)), to: folder + "/nan.npy")
        let nan = try filter([
            folder + "/nan.npy", "--kernel", "box3", "--memory", "1K", "-o", folder + "/n.npy",
        ])
        #expect(nan.status == 1)
        #expect(
            nan.stderr
                == "convkit: error: \(folder)/nan.npy: holds nan at x 2, y 33; filter needs finite numbers\n",
            "\(nan.stderr)")
        let needsRange = try filter([
            array, "--kernel", "box3", "--memory", "1M", "-o", folder + "/r.png",
        ])
        #expect(needsRange.status == 2)
        #expect(needsRange.stderr.contains("PNG output needs --range"), "\(needsRange.stderr)")
        let double = folder + "/f8.npy"
        try NPY.write(
            NPYArray(shape: [40, 30], values: .float64(Array(repeating: 1, count: 1200))),
            to: double)
        let refused = try filter([
            double, "--kernel", "box3", "--max-pixels", "1000", "-o", folder + "/d.npy",
        ])
        #expect(refused.status == 1)
        #expect(
            refused.stderr.contains(
                "f8.npy: image too large: 30x40 is 1200 pixels, more than the limit of 1000"),
            "\(refused.stderr)")
    }

    @Test func interlacedInputStreamsNotAndFallsBackWithinMaxPixels() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let image = try PNGDecoder.read(path: CLI.packageRoot + "/samples/ascent.png")
        try PNGEncoder.write(
            image, to: folder + "/i.png", options: PNGWriteOptions(interlaced: true))
        let run = try filter([
            folder + "/i.png", "--kernel", "box3", "--memory", "1K", "--verbose", "-o",
            folder + "/o.png",
        ])
        #expect(run.status == 0)
        #expect(run.stderr.contains("cannot stream an interlaced PNG"), "\(run.stderr)")
        let refused = try filter([
            folder + "/i.png", "--kernel", "box3", "--max-pixels", "1000", "-o", folder + "/o.png",
        ])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("more than the limit of 1000"), "\(refused.stderr)")
    }

    @Test func pngToPNGStreamsByDefaultFromAMegapixelWithTheInMemoryResult() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var generator = SeededGenerator(seed: 17)
        for (name, width, height, channels) in [("big", 1024, 1030, 3), ("small", 1000, 1000, 1)] {
            let samples = (0..<(width * height * channels)).map { index in
                index % 7 == 0 ? UInt8.random(in: 0...255, using: &generator) : UInt8(index % 251)
            }
            try PNGEncoder.write(
                try Image(
                    width: width, height: height, channels: channels, samples: .uint8(samples)),
                to: "\(folder)/\(name).png")
        }
        for (input, kernel, streams) in [
            ("big", "gaussian5", true), ("big", "box:15", true), ("big", "sobel-x", false),
            ("small", "gaussian5", false),
        ] {
            let label = "\(input) \(kernel)"
            let base = ["\(folder)/\(input).png", "--kernel", kernel, "--verbose"]
            let byDefault = try filter(base + ["-o", folder + "/d.png"])
            #expect(byDefault.status == 0, "\(label): \(byDefault.stderr)")
            #expect(
                byDefault.stderr.contains("PNG to PNG in bands takes less memory") == streams,
                "\(label): \(byDefault.stderr)")
            // --verbose prints the stage times on both paths.
            #expect(
                byDefault.stderr.contains(streams ? "ms beside (total " : "convolve "),
                "\(label): \(byDefault.stderr)")
            let inMemory = try filter(base + ["--memory", "2G", "-o", folder + "/m.png"])
            #expect(inMemory.stderr.contains("filtering in memory"), "\(label): \(inMemory.stderr)")
            let a = try PNGDecoder.read(path: folder + "/d.png")
            let b = try PNGDecoder.read(path: folder + "/m.png")
            #expect(
                a.samples == b.samples && a.width == b.width && a.height == b.height, "\(label)")
            #expect(a.channels == b.channels && a.bitDepth == b.bitDepth, "\(label)")
        }
    }

    @Test func aFailedStreamLeavesTheOutputAsItWas() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let output = folder + "/o.png"
        try Data("old".utf8).write(to: URL(fileURLWithPath: output))
        let run = try filter([
            "samples/ascent.png", "--kernel", "[[3e38,1],[3,4]]", "--band-rows", "8", "-o", output,
        ])
        #expect(run.status == 1)
        #expect(run.stderr.contains("the result is not finite"), "\(run.stderr)")
        #expect(FileManager.default.contents(atPath: output) == Data("old".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["o.png"])
    }
}
