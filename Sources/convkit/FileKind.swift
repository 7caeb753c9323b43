// FileKind: what a file is, from its first bytes, so a file of the wrong kind is named as such
// ("ascent.png is a PNG image, not a convkit model") instead of a parser's complaint.

import Foundation
import ImageIO

enum FileKind: Equatable {
    case png, npy, safetensors, gzip, idx, hdf5, zip, gif, jpeg, pdf, svg, text, empty, unknown

    /// The kind in words, with its article.
    var description: String {
        switch self {
        case .png: "a PNG image"
        case .npy: "a NumPy array (.npy)"
        case .safetensors: "a safetensors model file"
        case .gzip: "a gzip-compressed file"
        case .idx: "an IDX data file (MNIST format)"
        case .hdf5: "an HDF5 file (such as a Keras .h5 model)"
        case .zip: "a ZIP archive (such as a .keras or PyTorch .pt model)"
        case .gif: "a GIF image"
        case .jpeg: "a JPEG image"
        case .pdf: "a PDF document"
        case .svg: "an SVG drawing"
        case .text: "a text file"
        case .empty: "an empty file"
        case .unknown: "a file of unknown kind"
        }
    }

    /// The kind of the file at `path` (`unknown` if it cannot be read; standard input, a pipe
    /// or a FIFO is never read here, since reading it would consume it).
    static func of(path: String) -> FileKind {
        guard FileAccess.isRegularFile(path),
            let prefix = try? FileAccess.readPrefix(path, count: 512)
        else {
            return .unknown
        }
        return of(bytes: prefix)
    }

    /// The kind that `bytes`, a file's beginning, shows.
    static func of(bytes: [UInt8]) -> FileKind {
        func starts(_ signature: [UInt8]) -> Bool { bytes.starts(with: signature) }
        if bytes.isEmpty { return .empty }
        if starts([0x89, 0x50, 0x4E, 0x47]) { return .png }
        if NPY.hasMagic(bytes) { return .npy }
        if starts([0x89, 0x48, 0x44, 0x46]) { return .hdf5 }
        if starts([0x1F, 0x8B]) { return .gzip }
        if starts([0x50, 0x4B, 0x03, 0x04]) { return .zip }
        if starts(Array("GIF8".utf8)) { return .gif }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts(Array("%PDF".utf8)) { return .pdf }
        if bytes.count >= 4, bytes[0] == 0, bytes[1] == 0, (0x08...0x0E).contains(bytes[2]),
            (1...4).contains(bytes[3])
        {
            return .idx
        }
        if bytes.count > 8, bytes[8] == UInt8(ascii: "{"), bytes[4..<8].allSatisfy({ $0 == 0 }) {
            return .safetensors
        }
        let text = String(decoding: bytes, as: UTF8.self)
        if text.contains("<svg") { return .svg }
        let printable = bytes.allSatisfy { $0 >= 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        return printable && !text.contains("\u{FFFD}") ? .text : .unknown
    }

    /// Runs `body`; if it fails and the file is recognisably a kind outside `accepted`, the
    /// error becomes `PATH: is KIND, not EXPECTED`, which says more than a parser's complaint.
    static func expecting<T>(
        _ expected: String, path: String, accepted: Set<FileKind>, _ body: () throws -> T
    ) throws -> T {
        do {
            return try body()
        } catch {
            throw mismatch(path: path, expected: expected, accepted: accepted) ?? error
        }
    }

    /// `PATH: is KIND, not EXPECTED` when the file is recognisably a kind outside `accepted`.
    static func mismatch(path: String, expected: String, accepted: Set<FileKind>) -> CLIError? {
        let kind = of(path: path)
        guard ![.unknown, .empty].contains(kind), !accepted.contains(kind) else { return nil }
        return CLIError("\(path): is \(kind.description), not \(expected)")
    }
}
