// AtomicWriteTests: writes replace a file whole or not at all.

import ConvkitTestSupport
import Foundation
import Testing

@testable import ImageIO

@Suite final class AtomicWriteTests {
    let folder: String

    init() throws { folder = try temporaryFolder("atomic") }

    deinit { try? FileManager.default.removeItem(atPath: folder) }

    @Test func writingOverTheInputFileWorks() throws {
        let path = folder + "/image.png"
        try FileAccess.writeAtomically(
            try FileAccess.readAll(fixtures.path("png/rgb8.png")), to: path)
        let image = try PNGDecoder.read(path: path)
        try PNGEncoder.write(image.grayscale(), to: path)
        #expect(try PNGDecoder.read(path: path).channels == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["image.png"])
    }

    @Test func aFailedWriteLeavesTheOldFileAndNoTemporaryFile() throws {
        let path = folder + "/keep.png"
        let original = try FileAccess.readAll(fixtures.path("png/rgba16.png"))
        try FileAccess.writeAtomically(original, to: path)
        let image = try Image(width: 2, height: 2, channels: 1, samples: .uint8([1, 2, 3, 4]))
        #expect(throws: ImageIOError.self) {
            try PNGEncoder.write(image, to: path, options: PNGWriteOptions(compressionLevel: 42))
        }
        #expect(throws: ImageIOError.self) {
            try FileAccess.writeAtomically([1, 2, 3], to: folder)
        }
        #expect(throws: ImageIOError.self) {
            try FileAccess.writeAtomically([1, 2, 3], to: folder + "/missing/x.png")
        }
        #expect(try FileAccess.readAll(path) == original)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["keep.png"])
    }

    @Test func aNameOfTheLongestLengthIsWritten() throws {
        // 255 bytes: ASCII, and two-byte characters that a cut must not split.
        let names = [
            String(repeating: "a", count: 251) + ".png",
            String(repeating: "é", count: 125) + "a.png",
        ]
        for name in names {
            #expect(name.utf8.count == FileAccess.longestName)
            try FileAccess.writeAtomically([1, 2, 3], to: folder + "/" + name)
            #expect(try FileAccess.readAll(folder + "/" + name) == [1, 2, 3])
            let prefix = FileAccess.temporaryPrefix(for: name)
            #expect(prefix.utf8.count + 6 <= FileAccess.longestName)
            #expect(FileAccess.isTemporaryFileName(prefix + "AbC123"))
        }
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == names.sorted())
    }
}
