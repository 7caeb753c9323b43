// BatchTree: folders of small seeded PNGs for the batch tests, and the files a run wrote.

import ConvkitSupport
import Foundation
import ImageIO

enum BatchTree {
    /// Writes `count` small grey PNGs named `img000.png`... into `folder`, spread over the
    /// subfolders `subfolders` (cycled; "" is the folder itself), and returns their paths
    /// relative to `folder`.
    @discardableResult
    static func make(
        in folder: String, count: Int, first: Int = 0, subfolders: [String] = [""], seed: UInt64 = 1
    ) throws -> [String] {
        var generator = SeededGenerator(seed: seed)
        var names = [String]()
        for index in first..<(first + count) {
            let sub = subfolders[index % subfolders.count]
            let name = (sub.isEmpty ? "" : sub + "/") + String(format: "img%03d.png", index)
            try FileManager.default.createDirectory(
                atPath: folder + "/" + (sub.isEmpty ? "." : sub), withIntermediateDirectories: true)
            let width = Int.random(in: 3...9, using: &generator)
            let height = Int.random(in: 3...9, using: &generator)
            let pixels = (0..<(width * height)).map { _ in
                UInt8.random(in: 0...255, using: &generator)
            }
            try ImageFile.write(
                try Image(width: width, height: height, channels: 1, samples: .uint8(pixels)),
                to: folder + "/" + name)
            names.append(name)
        }
        return names
    }

    /// The files under `folder`, as sorted relative paths (nil if it does not exist).
    static func files(_ folder: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: folder) else { return [] }
        var found = [String]()
        while let name = enumerator.nextObject() as? String {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder + "/" + name, isDirectory: &isFolder),
                !isFolder.boolValue
            {
                found.append(name)
            }
        }
        return found.sorted()
    }

    /// The manifest at `path` as JSON objects, one per line (every line must parse).
    static func manifest(_ path: String) throws -> [[String: Any]] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try text.split(separator: "\n").map {
            guard
                let object = try JSONSerialization.jsonObject(with: Data($0.utf8))
                    as? [String: Any]
            else { throw BatchTreeError("not a JSON object: \($0)") }
            return object
        }
    }

    struct BatchTreeError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
