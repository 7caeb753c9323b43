// ImageFolders: small folders of class folders of PNG images for the image-folder tests.

import Foundation
import ImageIO

/// Writes a `width` x `height` PNG at `path` (parent folders made), grey (`channels` 1) or RGB
/// (3), every sample `value`.
public func writeTestImage(
    _ path: String, width: Int = 4, height: Int = 4, channels: Int = 3, value: UInt8 = 128
) throws {
    try FileManager.default.createDirectory(
        atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    let image = try Image(
        width: width, height: height, channels: channels,
        samples: .uint8([UInt8](repeating: value, count: width * height * channels)))
    try PNGEncoder.write(image, to: path)
}

/// Writes a folder of class folders under `root`: `files` maps `class/name.png` to the image's
/// channels; a name ending in `/` makes an empty folder, other extensions a text file.
public func writeImageFolder(_ root: String, _ files: [String: Int]) throws {
    for (relative, channels) in files {
        let path = root + "/" + relative
        if relative.hasSuffix("/") {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true)
        } else if relative.hasSuffix(".png") {
            try writeTestImage(path, channels: channels, value: UInt8(relative.count * 7 % 256))
        } else {
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent,
                withIntermediateDirectories: true)
            try Data("not an image\n".utf8).write(to: URL(fileURLWithPath: path))
        }
    }
}

/// Runs `scripts/make-shapes-dataset.py` into `folder/shapes` (one flat folder per class,
/// `perClass` images each) and returns that path; throws if the script fails.
public func makeShapesDataset(in folder: String, perClass: Int) throws -> String {
    let output = folder + "/shapes"
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [
        "python3", packageRoot + "/scripts/make-shapes-dataset.py", output,
        "--per-class", String(perClass), "--flat",
    ]
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw FixtureError("make-shapes-dataset.py exited with \(process.terminationStatus)")
    }
    return output
}
