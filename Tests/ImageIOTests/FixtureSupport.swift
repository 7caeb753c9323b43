// FixtureSupport: the committed fixtures and the PNG decoding cases of png/manifest.json.

import ConvkitTestSupport
import Foundation

@testable import ImageIO

/// The fixtures made by scripts/make-png-fixtures.py and scripts/make-array-fixtures.py.
let fixtures = FixtureFolder(bundle: .module)

/// The PNG decoding cases and what the reference decoder (Pillow) read from each.
enum PNGFixtures {
    /// One PNG decoding case from png/manifest.json.
    struct Case: CustomStringConvertible, Sendable {
        let name: String
        let width: Int
        let height: Int
        let channels: Int
        let bitDepth: Int
        let interlaced: Bool
        var description: String { name }
    }

    static let cases: [Case] = {
        let manifest = (try? fixtures.jsonObject("png/manifest.json")) ?? [:]
        return (manifest["cases"] as? [[String: Any]] ?? []).compactMap {
            guard let name = $0["name"] as? String, let width = $0["width"] as? Int,
                let height = $0["height"] as? Int, let channels = $0["channels"] as? Int,
                let bitDepth = $0["bit_depth"] as? Int, let interlaced = $0["interlaced"] as? Bool
            else { return nil }
            return Case(
                name: name, width: width, height: height, channels: channels, bitDepth: bitDepth,
                interlaced: interlaced)
        }
    }()

    /// The reference decoder's samples for a case, widened to Int.
    static func expectedSamples(_ testCase: Case) throws -> [Int] {
        let bytes = try FileAccess.readAll(fixtures.path("png/\(testCase.name).raw"))
        if testCase.bitDepth == 8 { return bytes.map(Int.init) }
        return stride(from: 0, to: bytes.count, by: 2).map {
            Int(bytes[$0]) | Int(bytes[$0 + 1]) << 8
        }
    }
}
