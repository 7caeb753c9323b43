// ImageURLTests: the one-call read and write by URL, against Pillow's samples of the fixtures.

import ConvkitTestSupport
import Foundation
import ImageIO
import Testing

@Suite struct ImageURLTests {
    @Test(arguments: PNGFixtures.cases)
    func readsLikeTheReference(_ testCase: PNGFixtures.Case) throws {
        let url = URL(fileURLWithPath: fixtures.path("png/\(testCase.name).png"))
        let image = try Image(contentsOf: url)
        #expect(image.width == testCase.width && image.height == testCase.height)
        #expect(image.channels == testCase.channels && image.bitDepth == testCase.bitDepth)
        #expect(image.allSamples == (try PNGFixtures.expectedSamples(testCase)))
    }

    @Test func writesTheFormatItsExtensionNames() throws {
        let folder = try temporaryFolder("image-url")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let image = try Image(contentsOf: URL(fileURLWithPath: fixtures.path("png/rgba16.png")))
        for name in ["copy.png", "copy.NPY"] {
            let url = URL(fileURLWithPath: folder + "/" + name)
            try image.write(to: url)
            let again = try Image(contentsOf: url)
            #expect(again.samples == image.samples && again.channels == image.channels, "\(name)")
        }
        let png = try FileAccess.readPrefix(folder + "/copy.png", count: 8)
        #expect(png == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(NPY.hasMagic(try FileAccess.readPrefix(folder + "/copy.NPY", count: 6)))
    }

    @Test func refusesWhatItCannotHonour() throws {
        let folder = try temporaryFolder("image-url")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let image = try Image(contentsOf: URL(fileURLWithPath: fixtures.path("png/gray8.png")))
        #expect(
            throws: ImageIOError.unsupported(
                path: folder + "/x.jpg", detail: "unknown output format: name a .png or .npy file")
        ) { try image.write(to: URL(fileURLWithPath: folder + "/x.jpg")) }
        #expect(!FileManager.default.fileExists(atPath: folder + "/x.jpg"))
        let web = try #require(URL(string: "https://example.com/a.png"))
        #expect(throws: ImageIOError.unreadable(path: web.absoluteString, reason: "not a file URL"))
        { try Image(contentsOf: web) }
        let gray8 = URL(fileURLWithPath: fixtures.path("png/gray8.png"))
        #expect(throws: ImageIOError.self) { try Image(contentsOf: gray8, maxPixels: 34) }
        do {
            _ = try Image(contentsOf: gray8, maxPixels: 1)
            Issue.record("a 1-pixel limit read a larger image")
        } catch ImageIOError.exceedsPixelLimit(let path, let detail) {
            #expect(path == gray8.path && !detail.contains("--"))
        }
    }
}
