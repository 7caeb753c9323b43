// FixtureSupport: locating the committed fixtures and reading their manifests.

import Foundation

@testable import ImageIO

enum Fixtures {
    /// The folder holding the committed fixtures (copied into the test bundle).
    static var root: String {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.path
    }

    static func path(_ relative: String) -> String { root + "/" + relative }

    static func json(_ relative: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path(relative)))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    /// One PNG decoding case from png/manifest.json.
    struct PNGCase: CustomStringConvertible, Sendable {
        let name: String
        let width: Int
        let height: Int
        let channels: Int
        let bitDepth: Int
        let interlaced: Bool
        var description: String { name }
    }

    static let pngCases: [PNGCase] = {
        let manifest = (try? json("png/manifest.json")) ?? [:]
        return (manifest["cases"] as? [[String: Any]] ?? []).map {
            PNGCase(
                name: $0["name"] as! String, width: $0["width"] as! Int,
                height: $0["height"] as! Int,
                channels: $0["channels"] as! Int, bitDepth: $0["bit_depth"] as! Int,
                interlaced: $0["interlaced"] as! Bool)
        }
    }()

    /// The reference decoder's samples for a case, widened to Int.
    static func expectedSamples(_ testCase: PNGCase) throws -> [Int] {
        let bytes = try FileAccess.readAll(path("png/\(testCase.name).raw"))
        if testCase.bitDepth == 8 { return bytes.map(Int.init) }
        return stride(from: 0, to: bytes.count, by: 2).map {
            Int(bytes[$0]) | Int(bytes[$0 + 1]) << 8
        }
    }
}

extension Image {
    /// Every sample widened to Int, for comparisons.
    var allSamples: [Int] {
        switch samples {
        case .uint8(let v): v.map(Int.init)
        case .uint16(let v): v.map(Int.init)
        }
    }
}
