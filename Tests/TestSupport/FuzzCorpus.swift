// FuzzCorpus: replaying a fuzz target's committed corpus (Tests/Fuzz/TARGET) in the module tests.

import Foundation
import Testing

/// The committed corpus of one fuzz target: seeds and, in regressions/, the reproducers of
/// fixed findings.
public struct FuzzCorpus: Sendable {
    /// The target's name (png, npy, idx, kernel, safetensors, arch, ...).
    public let target: String

    public init(_ target: String) {
        self.target = target
    }

    /// The corpus folder.
    public var folder: String { packageRoot + "/Tests/Fuzz/" + target }

    /// Every file of the corpus, sorted, subfolders included.
    public var files: [String] {
        let entries =
            FileManager.default.enumerator(atPath: folder)?.compactMap { $0 as? String } ?? []
        return entries.sorted().map { folder + "/" + $0 }.filter {
            var isFolder: ObjCBool = false
            return FileManager.default.fileExists(atPath: $0, isDirectory: &isFolder)
                && !isFolder.boolValue
        }
    }

    /// The bytes of the corpus file `relative` (e.g. "regressions/x.png").
    public func bytes(_ relative: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/" + relative)))
    }

    /// Runs `body` on every file of the corpus, as the fuzz target would. Each input must
    /// either pass `body` or throw a `Refusal`; any other error is recorded as a failure. A
    /// corpus of fewer than five files, or where every input gave the same outcome, means the
    /// replay does not test what it should, and is recorded as a failure too.
    public func replay<Refusal: Error>(
        refusing _: Refusal.Type, _ body: (_ path: String, _ bytes: [UInt8]) throws -> Void
    ) {
        let files = self.files
        #expect(files.count >= 5, "the \(target) corpus has \(files.count) files")
        var (accepted, refused) = (0, 0)
        for path in files {
            guard let data = FileManager.default.contents(atPath: path) else {
                Issue.record("\(path) cannot be read")
                continue
            }
            do {
                try body(path, Array(data))
                accepted += 1
            } catch is Refusal {
                refused += 1
            } catch {
                Issue.record("\(path) threw \(type(of: error)): \(error)")
            }
        }
        #expect(
            accepted > 0 && refused > 0,
            "\(target) corpus: \(accepted) accepted, \(refused) refused")
    }
}
