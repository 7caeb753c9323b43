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
}
