// FolderWalkTests: what a folder input gives `filter`: a FIFO or device named like an image is
// skipped with a note instead of blocking the run, and an output folder inside a folder that
// --recursive walks is refused however it is written.

import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct FolderWalkTests {
    @Test func aFIFOOrDeviceInAFolderIsSkippedWithANote() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try BatchTree.make(in: folder + "/in", count: 2)
        // Opening a FIFO for reading waits for a writer; /dev/zero never ends.
        #expect(mkfifo(folder + "/in/pipe.png", 0o644) == 0)
        #expect(symlink("/dev/zero", folder + "/in/zero.npy") == 0)
        let result = try ChildProcess.run(
            CLI.executable, ["filter", folder + "/in", "--kernel", "box3", "-o", folder + "/out/"],
            scratch: folder, killAfter: 60)
        #expect(result.signal == nil, "convkit hung on a FIFO or device: \(result.description)")
        #expect(result.status == 0, "\(result.description)")
        #expect(BatchTree.files(folder + "/out") == ["img000.png", "img001.png"])
        #expect(
            result.stderr.contains("2 entries that are not regular files skipped: ")
                && result.stderr.contains("/in/pipe.png (a FIFO)")
                && result.stderr.contains("/in/zero.npy (a device)"),
            "\(result.stderr)")
    }

    @Test func anOutputFolderInsideARecursiveInputIsRefusedHoweverWritten() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try BatchTree.make(in: folder + "/in", count: 4, subfolders: ["", "a"])
        try FileManager.default.createDirectory(
            atPath: folder + "/elsewhere", withIntermediateDirectories: true)
        // A link out of the input is not walked, so an output folder through it is fine.
        #expect(symlink("../elsewhere", folder + "/in/away") == 0)
        #expect(symlink("in/a", folder + "/to-a") == 0)
        let before = BatchTree.files(folder + "/in")
        for output in ["in/out/", "in/a", "./in/new/deeper/", "to-a/", folder + "/in/a/../b/"] {
            let result = try CLI.run(
                ["filter", "in", "--recursive", "--kernel", "box3", "-o", output], in: folder)
            #expect(result.status == 2, "\(output): \(result.stderr)")
            #expect(
                result.stderr.contains("\(output): lies inside the input folder in,"),
                "\(result.stderr)")
        }
        #expect(BatchTree.files(folder + "/in") == before)
        for (output, recursive) in [("in/away/", true), ("in/out/", false), ("out/", true)] {
            let result = try CLI.run(
                ["filter", "in", "--kernel", "box3", "-o", output]
                    + (recursive ? ["--recursive"] : []), in: folder)
            #expect(result.status == 0, "\(output): \(result.stderr)")
        }
    }
}
