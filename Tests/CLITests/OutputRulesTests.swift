// OutputRulesTests: outputs behave as shell redirection would (mode kept, links followed, umask
// honoured), standard input has a name in a batch, and a closed pipe ends the run quietly.

import Foundation
import ImageIO
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct OutputRulesTests {
    private func mode(_ path: String) throws -> Int {
        try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int ?? -1
    }

    @Test func replacingAFileKeepsItsModeAndFollowsLinks() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let face = CLI.packageRoot + "/samples/face.png"
        let kept = folder + "/private.png"
        try FileManager.default.copyItem(atPath: face, toPath: kept)
        chmod(kept, 0o600)
        let replaced = try CLI.run(["convert", "samples/ascent.png", kept])
        #expect(replaced.status == 0, "\(replaced.stderr)")
        #expect(try mode(kept) == 0o600)
        #expect(try PNGDecoder.read(path: kept).width == 512)

        let target = folder + "/target.png"
        try FileManager.default.copyItem(atPath: face, toPath: target)
        chmod(target, 0o640)
        try FileManager.default.createSymbolicLink(
            atPath: folder + "/link.png", withDestinationPath: "target.png")
        let linked = try CLI.run(["convert", "samples/ascent.png", folder + "/link.png"])
        #expect(linked.status == 0, "\(linked.stderr)")
        #expect(
            try FileManager.default.destinationOfSymbolicLink(atPath: folder + "/link.png")
                == "target.png")
        #expect(try PNGDecoder.read(path: target).width == 512)
        #expect(try mode(target) == 0o640)
        #expect(folderNames(folder) == ["link.png", "private.png", "target.png"])
    }

    @Test func newFilesGetTheUsualModeLessTheUmask() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try CLI.run(
            ["convert", "samples/ascent.png", folder + "/new.png"], shellPrefix: "umask 027;")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try mode(folder + "/new.png") == 0o640)
    }

    @Test func aBatchNeverWritesOverItsOwnInputs() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let names = try BatchTree.make(in: folder + "/in", count: 2)
        try FileManager.default.createSymbolicLink(
            atPath: folder + "/link", withDestinationPath: "in")
        let before = names.map { FileManager.default.contents(atPath: folder + "/in/" + $0) }
        for arguments in [
            ["in/", "-o", "in/"], ["in/img001.png", "-o", "./in//"],
            ["link/img000.png", "-o", "in/"], ["in/img000.png", "in/img001.png", "-o", "link/"],
        ] {
            let result = try CLI.run(["filter"] + arguments + ["--kernel", "box3"], in: folder)
            #expect(result.status == 2, "\(arguments)")
            #expect(
                result.stderr.contains("would be replaced by its own output"), "\(result.stderr)")
        }
        // Another input's output would be in/x/img000.png, an input too; an output folder inside
        // a folder that --recursive walks is refused as such.
        try FileManager.default.createDirectory(
            atPath: folder + "/in/x", withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: folder + "/in/img000.png", toPath: folder + "/in/x/img000.png")
        let other = try CLI.run(
            ["filter", "in/", "--recursive", "-o", "in/x/", "--kernel", "box3"], in: folder)
        #expect(other.status == 2)
        #expect(
            other.stderr.contains(
                "in/x/: lies inside the input folder in/, which --recursive walks"),
            "\(other.stderr)")
        #expect(names.map { FileManager.default.contents(atPath: folder + "/in/" + $0) } == before)
        // Outputs of another format beside their inputs are new files, so they are written.
        let beside = try CLI.run(
            ["filter", "in/", "-o", "in/", "--format", "npy", "--kernel", "box3"], in: folder)
        #expect(beside.status == 0, "\(beside.stderr)")
    }

    @Test func standardInputHasANameInABatch() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let png = try Data(contentsOf: URL(fileURLWithPath: CLI.packageRoot + "/samples/face.png"))
        let result = try CLI.run(
            ["filter", "-", "samples/ascent.png", "--kernel", "box3", "-o", folder + "/out/"],
            input: png)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(folderNames(folder + "/out") == ["ascent.png", "stdin.png"])
    }

    /// An output folder's name says nothing of its files' format: in `x.npy/` a batch writes
    /// PNG files by default, so the options of PNG output apply.
    @Test func aFolderNamedLikeAnArrayHoldsPNGFiles() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try CLI.run([
            "filter", "samples/ascent.png", "--kernel", "box3", "--range", "clamp", "-o",
            folder + "/x.npy/",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(folderNames(folder + "/x.npy") == ["ascent.png"])
    }

    @Test func aClosedPipeEndsTheRunQuietly() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        // face.png re-encoded without compression is far larger than a pipe's buffer, so the
        // write is still going when head has left.
        process.arguments = [
            "-c",
            "'\(CLI.executable)' convert samples/face.png - --compression 0 2>err | head -c 8 >/dev/null; echo ${PIPESTATUS[0]}; cat err",
        ]
        process.currentDirectoryURL = URL(
            fileURLWithPath: try CLI.temporaryFolder(), isDirectory: true)
        let scratch = process.currentDirectoryURL?.path ?? ""
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try FileManager.default.createDirectory(
            atPath: scratch + "/samples", withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: CLI.packageRoot + "/samples/face.png", toPath: scratch + "/samples/face.png")
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(text == "141\n", "status and standard error: \(text)")
    }
}
