// Folders: the package root, committed fixture folders and fresh temporary folders for tests.

import Foundation

/// The package's root folder (for samples/, filters/ and data/).
public let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().path

/// A folder of committed fixtures: a test target's `Fixtures` resource, or a folder in the tree.
public struct FixtureFolder: Sendable {
    /// The folder's path.
    public let root: String

    /// The `Fixtures` folder copied into `bundle` (a test target's `Bundle.module`).
    public init(bundle: Bundle) {
        root = bundle.url(forResource: "Fixtures", withExtension: nil)?.path ?? "Fixtures"
    }

    /// A folder given relative to the package root.
    public init(packagePath: String) {
        root = packageRoot + "/" + packagePath
    }

    /// The path of `relative` inside the folder.
    public func path(_ relative: String) -> String { root + "/" + relative }

    /// The bytes of `relative`.
    public func data(_ relative: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: path(relative)))
    }

    /// `relative` decoded as JSON into `type`.
    public func decode<T: Decodable>(_ type: T.Type, from relative: String) throws -> T {
        try JSONDecoder().decode(type, from: data(relative))
    }

    /// `relative` parsed as a JSON object.
    public func jsonObject(_ relative: String) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: data(relative)) as? [String: Any]
        else { throw FixtureError("\(relative) is not a JSON object") }
        return object
    }

    /// The lines of a text fixture, without `#` comment lines.
    public func lines(_ relative: String) throws -> [String] {
        let text = try String(contentsOfFile: path(relative), encoding: .utf8)
        return text.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") }
    }
}

/// A fixture that is not what its reader expects.
public struct FixtureError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A fresh empty folder under the system's temporary folder, named `convkit-PREFIX-UUID`.
public func temporaryFolder(_ prefix: String = "test") throws -> String {
    let path = NSTemporaryDirectory() + "convkit-\(prefix)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
