// DiagramCommandTests: `convkit diagram` as a user runs it: formats by extension, sizes in the
// report line, numbered frames, and one-line errors for bad parameters and paths.

import Foundation
import ImageIO
import Testing

@Suite struct DiagramCommandTests {
    @Test func gifReportsSizesAndFrames() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try CLI.run([
            "diagram", "--input", "5", "--kernel", "3", "--stride", "2", "--padding", "1",
            "--delay", "30", "-o", folder + "/conv.gif",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.output == "input 5x5 -> output 3x3, 9 frames\n")
        let bytes = try FileAccess.readAll(folder + "/conv.gif")
        #expect(bytes.starts(with: Array("GIF89a".utf8)))
        // Nine image descriptors (0x2C after a graphic control block) and the looping extension.
        #expect(String(decoding: bytes, as: UTF8.self).contains("NETSCAPE2.0"))
    }

    @Test func everyStillFormatAndNonSquareParameters() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for name in ["d.png", "d.svg", "d.pdf"] {
            let result = try CLI.run([
                "diagram", "--input", "6x4", "--kernel", "3x2", "--stride", "1x2", "--padding",
                "same",
                "--theme", "colorblind", "--frame", "2", "-o", folder + "/" + name,
            ])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.output == "input 6x4 -> output 6x2, 12 frames\n")
        }
        let png = try ImageFile.read(path: folder + "/d.png")
        #expect(png.width > 200 && png.height > 200)
        let svg = try String(contentsOfFile: folder + "/d.svg", encoding: .utf8)
        #expect(svg.hasPrefix("<?xml") && svg.contains("<svg"))
        #expect(try FileAccess.readPrefix(folder + "/d.pdf", count: 5) == Array("%PDF-".utf8))
    }

    @Test func transposedPoolingAndFramesFolder() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let transposed = try CLI.run([
            "diagram", "--input", "3", "--kernel", "3", "--stride", "2", "--padding", "1",
            "--transposed", "--output-padding", "1", "--flat", "-o", folder + "/t.svg",
        ])
        #expect(transposed.output == "input 3x3 -> output 6x6, 36 frames\n")
        let pooled = try CLI.run([
            "diagram", "--input", "4", "--kernel", "2", "--stride", "2", "--pool", "max",
            "--frames", folder + "/frames",
        ])
        #expect(pooled.status == 0, "\(pooled.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder + "/frames").sorted()
        #expect(names == ["frame-001.png", "frame-002.png", "frame-003.png", "frame-004.png"])
    }

    @Test func errorsAreOneLine() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let cases: [([String], Int32, String)] = [
            (
                ["--input", "3", "--kernel", "5", "-o", folder + "/x.png"], 2,
                "convkit: error: no output: the kernel spans 5x5 cells (dilation included), more than the 3x3 padded input"
            ),
            (
                ["-o", folder + "/x.jpg"], 2,
                "convkit: error: \(folder)/x.jpg: unknown extension '.jpg' for a diagram: name a .png, .svg, .pdf or .gif file"
            ),
            (
                ["--frame", "10", "-o", folder + "/x.png", "--input", "4"], 2,
                "convkit: error: frame 10 does not exist: the diagram has frames 1 to 4"
            ),
            (
                [
                    "--stride", "2", "--output-padding", "2", "--transposed", "-o",
                    folder + "/x.png",
                ], 2,
                "convkit: error: bad diagram parameters: output padding (2 on rows) must be smaller than the stride or the dilation (as in PyTorch)"
            ),
            (
                ["-o", folder + "/missing/x.png"], 1,
                "convkit: error: \(folder)/missing/x.png: cannot write:"
            ),
            (
                ["-o", folder + "/d.gif", "--input", "3"], 1,
                "convkit: error: \(folder)/d.gif: cannot write: is a directory\n"
            ),
            (
                ["-o", folder + "/d.svg", "--input", "3"], 1,
                "convkit: error: \(folder)/d.svg: cannot write: is a directory\n"
            ),
            (
                ["--padding", "wide", "-o", folder + "/x.png"], 2,
                "convkit: error: The value 'wide' is invalid for '--padding <N|T,B,L,R|same|valid|full>'"
            ),
            (
                ["--input", "2x3x4", "-o", folder + "/x.png"], 2,
                "convkit: error: The value '2x3x4' is invalid for '--input <N|WxH>'"
            ),
            ([], 2, "convkit: error: give an output"),
        ]
        for name in ["d.gif", "d.svg"] {
            try FileManager.default.createDirectory(
                atPath: folder + "/" + name, withIntermediateDirectories: false)
        }
        for (arguments, status, message) in cases {
            let result = try CLI.run(["diagram"] + arguments)
            #expect(result.status == status, "\(arguments)")
            #expect(result.stderr.hasPrefix(message), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments)")
            #expect(result.output.isEmpty)
        }
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == [
                "d.gif", "d.svg",
            ])
    }

    @Test func standardSetWithGallery() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try CLI.run(["diagram", "--all", "-o", folder + "/set/"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.output == "\(folder)/set/index.html: 19 diagrams, 39 files\n")
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: folder + "/set"))
        #expect(
            names.filter { $0.hasSuffix(".gif") }.count == 19
                && names.filter { $0.hasSuffix(".svg") }.count == 19)
        let page = try String(contentsOfFile: folder + "/set/index.html", encoding: .utf8)
        var referenced = Set<String>()
        for attribute in ["src=\"", "href=\""] {
            for piece in page.components(separatedBy: attribute).dropFirst() {
                if let end = piece.firstIndex(of: "\"") { referenced.insert(String(piece[..<end])) }
            }
        }
        #expect(referenced.count == 38)
        #expect(referenced.isSubset(of: names))
        for name in [
            "full_padding_no_strides.gif", "padding_strides_odd_transposed.gif", "dilation.gif",
        ] {
            #expect(
                try FileAccess.readPrefix(folder + "/set/" + name, count: 6) == Array("GIF89a".utf8)
            )
        }
        let misuse = try CLI.run([
            "diagram", "--all", "--frames", folder + "/f", "-o", folder + "/set2",
        ])
        #expect(misuse.status == 2)
    }
}
