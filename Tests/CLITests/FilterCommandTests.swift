// FilterCommandTests: `convkit filter` end to end, against PyTorch and scipy fixtures and on real images.

import ConvkitTestSupport
import Foundation
import ImageIO
import Testing

@Suite struct FilterCommandTests {
    /// The fixture's input as an 8-bit grey PNG (its values are integers 0...255).
    func writeInput(_ matrix: ConvolutionFixture.Matrix, to path: String) throws {
        let image = try Image(
            width: matrix.columns, height: matrix.rows, channels: 1,
            samples: .uint8(matrix.values.map { UInt8($0) }))
        try PNGEncoder.write(image, to: path)
    }

    func inlineKernel(_ matrix: ConvolutionFixture.Matrix) -> String {
        let rows = (0..<matrix.rows).map { r in
            "["
                + (0..<matrix.columns).map { c in "\(matrix.values[r * matrix.columns + c])" }
                .joined(separator: ",") + "]"
        }
        return "[" + rows.joined(separator: ",") + "]"
    }

    func arguments(for fixture: ConvolutionFixture, input: String, output: String) -> [String] {
        var arguments = [
            "filter", input, "-o", output, "--kernel", inlineKernel(fixture.kernel),
            "--mode", fixture.mode, "--boundary",
            fixture.boundary == "fill" ? "fill" : fixture.boundary,
            // Sizes are width x height on the command line; the fixtures list rows first.
            "--stride", "\(fixture.stride[1])x\(fixture.stride[0])",
            "--dilation", "\(fixture.dilation[1])x\(fixture.dilation[0])",
        ]
        if fixture.boundary == "fill" { arguments += ["--fill", "\(fixture.fill)"] }
        if fixture.padding != [0, 0, 0, 0] {
            arguments += ["--padding", fixture.padding.map(String.init).joined(separator: ",")]
        }
        if fixture.operation == "correlate" { arguments.append("--correlate") }
        return arguments
    }

    func floats(_ path: String) throws -> (shape: [Int], values: [Double]) {
        let array = try NPY.read(path: path)
        return (array.shape, array.values.doubles)
    }

    @Test func matchesTorchConv2dWithStridePaddingDilation() throws {
        let fixtures = ConvolutionFixture.cases("torch-cases")
        #expect(fixtures.count >= 10)
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for (index, fixture) in fixtures.enumerated() {
            try writeInput(fixture.input, to: folder + "/in\(index).png")
            let result = try CLI.run(
                arguments(
                    for: fixture, input: folder + "/in\(index).png",
                    output: folder + "/out\(index).npy"))
            #expect(result.status == 0, "\(fixture.name): \(result.stderr)")
            let output = try floats(folder + "/out\(index).npy")
            #expect(
                output.shape == [fixture.expected.rows, fixture.expected.columns], "\(fixture.name)"
            )
            let range = (fixture.expected.values.max() ?? 0) - (fixture.expected.values.min() ?? 0)
            let difference =
                zip(output.values, fixture.expected.values).map { abs($0 - $1) }.max() ?? .infinity
            #expect(difference <= 1e-5 * range, "\(fixture.name): off by \(difference)")
        }
    }

    @Test func floatArraysInMatchScipyAndKeepTheirPrecision() throws {
        let fixtures = Array(ConvolutionFixture.cases("scipy-cases").prefix(12))
        #expect(fixtures.count >= 8)
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for (index, fixture) in fixtures.enumerated() {
            let shape = [fixture.input.rows, fixture.input.columns]
            let single = folder + "/in\(index)-f4.npy"
            let double = folder + "/in\(index)-f8.npy"
            try NPY.write(
                NPYArray(shape: shape, values: .float32(fixture.input.values.map(Float.init))),
                to: single)
            try NPY.write(
                NPYArray(shape: shape, values: .float64(fixture.input.values)), to: double)
            let range = (fixture.expected.values.max() ?? 0) - (fixture.expected.values.min() ?? 0)
            for (input, tolerance) in [(single, 1e-5), (double, 1e-12)] {
                let output = folder + "/out\(index)-\(input == single ? "f4" : "f8").npy"
                let result = try CLI.run(arguments(for: fixture, input: input, output: output))
                #expect(result.status == 0, "\(fixture.name): \(result.stderr)")
                let array = try NPY.read(path: output)
                #expect(array.shape == [fixture.expected.rows, fixture.expected.columns])
                #expect(
                    array.values.dtype == (input == single ? "<f4" : "<f8"), "\(fixture.name)")
                let difference =
                    zip(array.values.doubles, fixture.expected.values).map { abs($0 - $1) }.max()
                    ?? .infinity
                #expect(
                    difference <= tolerance * max(range, 1),
                    "\(fixture.name) from \(input): off by \(difference)")
            }
        }
    }

    @Test func matchesScipyForEvenKernelsInSameMode() throws {
        let fixtures = ConvolutionFixture.cases("scipy-cases").filter {
            $0.mode == "same" && $0.kernel.rows == 4 && $0.boundary != "fill"
        }
        #expect(fixtures.count >= 8)
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for (index, fixture) in fixtures.enumerated() {
            try writeInput(fixture.input, to: folder + "/in\(index).png")
            var args = arguments(
                for: fixture, input: folder + "/in\(index).png", output: folder + "/out\(index).npy"
            )
            args.append("--float64")
            let result = try CLI.run(args)
            #expect(result.status == 0, "\(fixture.name): \(result.stderr)")
            // --float64 writes float64: scipy's result to rounding in the last places.
            #expect(try NPY.read(path: folder + "/out\(index).npy").values.dtype == "<f8")
            let output = try floats(folder + "/out\(index).npy")
            let scale = fixture.expected.values.map(abs).max() ?? 1
            let difference =
                zip(output.values, fixture.expected.values).map { abs($0 - $1) }.max() ?? .infinity
            #expect(difference <= 1e-12 * max(scale, 1), "\(fixture.name): off by \(difference)")
        }
    }

    /// --float64 keeps Float64 to the file for colour with alpha and for float32 arrays: the
    /// same values as the Float32 run, to its precision, written as float64 (the scipy cases
    /// above check the last bits).
    @Test func float64OutputKeepsEveryBitOfAlphaAndArrays() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let rgba = try Image.noise(width: 13, height: 11, channels: 4, bitDepth: 8, seed: 3)
        try PNGEncoder.write(rgba, to: folder + "/rgba.png")
        try NPY.write(
            try NPYArray(
                shape: [11, 13], values: .float32((0..<143).map { Float($0 % 17) * 0.37 - 2 })),
            to: folder + "/f4.npy")
        for (input, extra) in [
            ("rgba.png", ["--kernel", "gaussian5"]), ("rgba.png", ["--kernel", "sobel-x"]),
            ("rgba.png", ["--kernel", "box3", "--alpha", "filter"]),
            ("f4.npy", ["--kernel", "gaussian5", "--kernel", "sharpen"]),
        ] {
            let arguments = ["filter", folder + "/" + input] + extra
            #expect(try CLI.run(arguments + ["-o", folder + "/single.npy"]).status == 0)
            let run = try CLI.run(arguments + ["--float64", "-o", folder + "/double.npy"])
            #expect(run.status == 0, "\(run.stderr)")
            let single = try NPY.read(path: folder + "/single.npy")
            let double = try NPY.read(path: folder + "/double.npy")
            #expect(single.values.dtype == "<f4" && double.values.dtype == "<f8", "\(extra)")
            #expect(single.shape == double.shape)
            let difference =
                zip(single.values.doubles, double.values.doubles).map { abs($0 - $1) }.max() ?? 1
            #expect(difference < 1e-3, "\(input) \(extra): \(difference)")
        }
    }

    @Test func readmeCommandNormalisesTheEdgeMap() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try CLI.run([
            "filter", "samples/ascent.png", "--kernel", "scharr-x", "-o", folder + "/edges.png",
            "--verbose",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        // Separable in AVX-512 registers where the processor has them, direct otherwise.
        #expect(
            ["direct", "separable"].contains {
                result.stderr.contains("scharr-x on 512x512 -> 512x512: \($0)")
            }, "\(result.stderr)")
        let times = result.stderr.split(separator: "\n").first { $0.contains(" (total ") }
        #expect(
            times.map { line in
                ["read ", "convolve ", "range ", "write "].allSatisfy { line.contains($0) }
            } == true, "\(result.stderr)")
        let image = try PNGDecoder.read(path: folder + "/edges.png")
        #expect(
            image.width == 512 && image.height == 512 && image.channels == 1 && image.bitDepth == 8)
        guard case .uint8(let samples) = image.samples else { return }
        #expect(samples.min() == 0 && samples.max() == 255)
        // A flat region (zero response) lands in the middle of the normalised range, not at 0.
        let histogramPeak =
            Dictionary(grouping: samples, by: { $0 }).max { $0.value.count < $1.value.count }?.key
            ?? 0
        #expect((60...200).contains(histogramPeak))
    }

    @Test func blursPremultiplyAlphaAndEdgesPassItThrough() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // Left half opaque white, right half fully transparent black.
        var samples = [UInt8]()
        for _ in 0..<8 {
            for x in 0..<8 { samples += x < 4 ? [255, 255, 255, 255] : [0, 0, 0, 0] }
        }
        try PNGEncoder.write(
            Image(width: 8, height: 8, channels: 4, samples: .uint8(samples)), to: folder + "/a.png"
        )
        #expect(
            try CLI.run([
                "filter", folder + "/a.png", "--kernel", "box3", "--boundary", "nearest", "-o",
                folder + "/blur.png",
            ]).status == 0)
        let blurred = try PNGDecoder.read(path: folder + "/blur.png")
        // At the edge alpha is partly covered but the colour stays white: no dark fringe.
        #expect(blurred.sample(x: 4, y: 3, channel: 3) == 85)
        #expect(blurred.sample(x: 4, y: 3, channel: 0) == 255)
        #expect(
            try CLI.run([
                "filter", folder + "/a.png", "--kernel", "sobel-x", "-o", folder + "/edge.png",
            ]).status == 0)
        let edges = try PNGDecoder.read(path: folder + "/edge.png")
        #expect(
            (0..<8).allSatisfy { x in edges.sample(x: x, y: 2, channel: 3) == (x < 4 ? 255 : 0) })
        let straight = try CLI.run([
            "filter", folder + "/a.png", "--kernel", "box3", "--alpha", "filter", "--boundary",
            "nearest", "-o", folder + "/s.png",
        ])
        #expect(straight.status == 0)
        #expect(try PNGDecoder.read(path: folder + "/s.png").sample(x: 4, y: 3, channel: 0) == 85)
    }

    @Test func sixteenBitStaysSixteenBitAndNPYKeepsFloats() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(
            try CLI.run([
                "convert", "samples/face.png", folder + "/g16.png", "--gray", "--bit-depth", "16",
            ]).status == 0)
        #expect(
            try CLI.run([
                "filter", folder + "/g16.png", "--kernel", "gaussian3", "-o", folder + "/b.png",
            ]).status == 0)
        #expect(try PNGDecoder.read(path: folder + "/b.png").bitDepth == 16)
        #expect(
            try CLI.run([
                "filter", "samples/face.png", "--kernel", "sobel-x", "-o", folder + "/f.npy",
            ]).status == 0)
        let array = try NPY.read(path: folder + "/f.npy")
        #expect(array.shape == [768, 1024, 3])
        #expect(array.values.dtype == "<f4")
        #expect(array.values.doubles.contains { $0 < 0 })
    }

    /// `--bit-depth 16` from 8-bit input rescales by 257 before rounding, so a signed result
    /// keeps the fractions scipy computes; 8-bit output of the same result keeps 256 levels.
    @Test func sixteenBitOutputOfAnEightBitInputMatchesScipyTimes257() throws {
        let fixtures = Array(ConvolutionFixture.cases("scipy-cases").prefix(12))
        #expect(fixtures.count >= 8)
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for (index, fixture) in fixtures.enumerated() {
            let input = folder + "/in\(index).png"
            let output = folder + "/out\(index).png"
            try writeInput(fixture.input, to: input)
            let result = try CLI.run(
                arguments(for: fixture, input: input, output: output) + [
                    "--range", "offset", "--bit-depth", "16",
                ])
            #expect(result.status == 0, "\(fixture.name): \(result.stderr)")
            let image = try PNGDecoder.read(path: output)
            #expect(image.bitDepth == 16)
            guard case .uint16(let samples) = image.samples else { continue }
            let expected = fixture.expected.values.map {
                min(max(($0 * 257 + 32768).rounded(), 0), 65535)
            }
            let difference = zip(samples, expected).map { abs(Double($0) - $1) }.max() ?? .infinity
            // Float32 against scipy's float64 may round a value near a half the other way.
            #expect(difference <= 1, "\(fixture.name): off by \(difference)")
        }
    }

    /// A 16-bit image filtered into a float array and on into a 16-bit PNG gives the samples
    /// one run of both kernels gives, in memory and in bands.
    @Test func aChainThroughFloatArraysKeepsSixteenBits() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let grey = folder + "/g16.png"
        #expect(
            try CLI.run(["convert", "samples/face.png", grey, "--gray", "--bit-depth", "16"]).status
                == 0)
        let direct = folder + "/direct.png"
        #expect(
            try CLI.run([
                "filter", grey, "--kernel", "gaussian5", "--kernel", "sharpen", "-o", direct,
            ]).status == 0)
        let middle = folder + "/blurred.npy"
        #expect(try CLI.run(["filter", grey, "--kernel", "gaussian5", "-o", middle]).status == 0)
        let reference = try PNGDecoder.read(path: direct)
        #expect(reference.bitDepth == 16)
        for extra in [[], ["--band-rows", "16"]] {
            let chained = folder + "/chained\(extra.count).png"
            let result = try CLI.run(
                [
                    "filter", middle, "--kernel", "sharpen", "--range", "clamp", "--bit-depth",
                    "16", "-o", chained,
                ] + extra)
            #expect(result.status == 0, "\(result.stderr)")
            let image = try PNGDecoder.read(path: chained)
            #expect(image.bitDepth == 16)
            #expect(image.samples == reference.samples, "\(extra)")
        }
        // Without --bit-depth a float array still gives 8 bits, and 16-bit input can be written
        // with 8: each sample the nearest of 256 levels.
        let eight = folder + "/eight.png"
        #expect(
            try CLI.run(["filter", middle, "--kernel", "identity", "--range", "clamp", "-o", eight])
                .status == 0)
        #expect(try PNGDecoder.read(path: eight).bitDepth == 8)
        let narrowed = folder + "/narrowed.png"
        #expect(
            try CLI.run([
                "filter", grey, "--kernel", "gaussian5", "--kernel", "sharpen", "--bit-depth", "8",
                "-o", narrowed,
            ]).status == 0)
        #expect(
            try PNGDecoder.read(path: narrowed).samples
                == reference.converted(toBitDepth: 8).samples)
    }

    @Test func magnitudeIsTheRootOfSquares() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for (name, extra) in [
            ("x", ["--kernel", "sobel-x"]), ("y", ["--kernel", "sobel-y"]),
            ("m", ["--kernel", "sobel-x", "--kernel", "sobel-y", "--magnitude"]),
        ] {
            #expect(
                try CLI.run(
                    ["filter", "samples/ascent.png", "-o", folder + "/\(name).npy"] + extra
                ).status == 0)
        }
        let x = try floats(folder + "/x.npy").values
        let y = try floats(folder + "/y.npy").values
        let m = try floats(folder + "/m.npy").values
        var worst = 0.0
        for i in 0..<m.count {
            let expected: Double = (x[i] * x[i] + y[i] * y[i]).squareRoot()
            worst = max(worst, abs(m[i] - expected))
        }
        #expect(m.count == x.count && worst < 1e-2)
    }

    @Test func batchReportsBadFilesAndProcessesTheRest() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(
            atPath: folder + "/in", withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: CLI.packageRoot + "/samples/ascent.png", toPath: folder + "/in/a.png")
        try FileManager.default.copyItem(
            atPath: CLI.packageRoot + "/samples/face.png", toPath: folder + "/in/b.png")
        try Data("not a png".utf8).write(to: URL(fileURLWithPath: folder + "/in/broken.png"))
        let result = try CLI.run([
            "filter", folder + "/in", "--kernel", "box3", "-o", folder + "/out/",
        ])
        #expect(result.status == 1)
        #expect(
            result.stderr.contains(
                "convkit: error: \(folder)/in/broken.png: is a text file, not a PNG or NPY image"))
        #expect(result.stderr.contains("1 of 3 files failed"))
        #expect(FileManager.default.fileExists(atPath: folder + "/out/a.png"))
        #expect(FileManager.default.fileExists(atPath: folder + "/out/b.png"))
        // --skip-existing leaves finished outputs alone.
        try Data("keep".utf8).write(to: URL(fileURLWithPath: folder + "/out/a.png"))
        let again = try CLI.run([
            "filter", folder + "/in/a.png", folder + "/in/b.png", "--kernel", "box3", "-o",
            folder + "/out", "--skip-existing",
        ])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(FileManager.default.contents(atPath: folder + "/out/a.png") == Data("keep".utf8))
    }

    @Test func errorsInWords() throws {
        let unknown = try CLI.run([
            "filter", "samples/ascent.png", "--kernel", "sobelx", "-o", "/tmp/never.png",
        ])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.hasPrefix("convkit: error: "))
        #expect(unknown.stderr.contains("sobel-x"))
        let stride = try CLI.run([
            "filter", "samples/ascent.png", "--kernel", "box3", "--stride", "0x1", "-o",
            "/tmp/never.png",
        ])
        #expect(stride.status == 2)
        #expect(stride.stderr.contains("--stride must be at least 1 on each axis, got 0x1"))
        let padding = try CLI.run([
            "filter", "samples/ascent.png", "--kernel", "box3", "--padding=1,-1,0,0", "-o",
            "/tmp/never.png",
        ])
        #expect(padding.status == 2)
        #expect(padding.stderr.contains("--padding cannot be negative"))
        let large = try CLI.run([
            "filter", "samples/ascent.png", "--kernel", "box:31", "--mode", "valid", "--dilation",
            "20", "-o", "/tmp/never.png",
        ])
        #expect(large.status == 1)
        #expect(
            large.stderr.contains(
                "samples/ascent.png: kernel 'box:31' spans 601x601 cells, larger than the 512x512"))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/never.png"))
    }
}
