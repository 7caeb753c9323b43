// ReportBrowserTests: the report's index.html opened in headless Chromium shows its figures.

import Foundation
import ImageIO
import Testing

@Suite struct ReportBrowserTests {
    // Opens like ReportCommandTests on purpose: the same `convkit report` run, here on 500 images.
    @Test func reportRendersInHeadlessChromium() throws {
        let model = try VisualizeFixture.model.get()
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = try CLI.run([
            "report", model, "-o", folder + "/report", "--data", VisualizeFixture.mnist,
            "--test-limit", "500",
        ])
        #expect(run.status == 0, "\(run.stderr)")

        let browser = try #require(
            ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
                FileManager.default.isExecutableFile(atPath: $0)
            },
            "Chromium is missing: scripts/setup.sh installs it")
        let screenshot = folder + "/screenshot.png"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: browser)
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--window-size=1200,1600",
            "--user-data-dir=\(folder)/profile", "--screenshot=\(screenshot)",
            "file://\(folder)/report/index.html",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)

        // Not blank: the page's figures put many colours on a large part of the screen.
        let image = try PNGDecoder.read(path: screenshot)
        #expect(image.width == 1200 && image.height == 1600)
        var colours = Set<Int>()
        var inked = 0
        for y in stride(from: 0, to: image.height, by: 2) {
            for x in stride(from: 0, to: image.width, by: 2) {
                let rgb = (0..<3).map { image.sample(x: x, y: y, channel: $0) }
                colours.insert(rgb[0] << 16 | rgb[1] << 8 | rgb[2])
                if rgb.contains(where: { $0 < 200 }) { inked += 1 }
            }
        }
        #expect(colours.count > 500, "only \(colours.count) colours on the page")
        #expect(
            Double(inked) / Double(image.width * image.height / 4) > 0.05, "almost nothing drawn")
    }
}
