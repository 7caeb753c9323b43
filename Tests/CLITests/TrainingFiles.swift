// TrainingFiles: reads and checks the files `convkit train` writes (model, checkpoint, log)
// with a safetensors reader of its own, so a truncated or inconsistent file is caught.

import Foundation

/// A safetensors file read strictly: every tensor F32, the data section exactly covered by the
/// tensors' offsets, every value finite.
struct CheckedSafeTensors {
    let metadata: [String: String]
    /// Each tensor's raw little-endian bytes, by name.
    let tensorBytes: [String: Data]

    /// Reads `path`; the error says what is wrong.
    init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Problem("\(path): cannot be read")
        }
        let bytes = [UInt8](data)
        guard bytes.count >= 8 else {
            throw Problem("\(path): \(bytes.count) bytes, shorter than a header")
        }
        let length = (0..<8).reduce(0) { $0 | Int(bytes[$1]) << (8 * $1) }
        guard length > 0, length <= bytes.count - 8 else {
            throw Problem("\(path): header length \(length) exceeds the file")
        }
        guard
            let header = try? JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + length)]))
                as? [String: Any]
        else {
            throw Problem("\(path): the header is not a JSON object")
        }
        let dataSection = bytes[(8 + length)...]
        var metadata = [String: String]()
        var tensors = [String: Data]()
        var ranges = [(Int, Int)]()
        for (name, value) in header {
            if name == "__metadata__" {
                guard let strings = value as? [String: String] else {
                    throw Problem("\(path): metadata is not strings")
                }
                metadata = strings
                continue
            }
            guard let entry = value as? [String: Any], entry["dtype"] as? String == "F32",
                let shape = entry["shape"] as? [Int],
                let offsets = entry["data_offsets"] as? [Int], offsets.count == 2,
                offsets[1] - offsets[0] == shape.reduce(4, *), offsets[0] >= 0,
                offsets[1] <= dataSection.count
            else {
                throw Problem("\(path): tensor \(name) has a bad entry \(value)")
            }
            let slice = Data(dataSection.dropFirst(offsets[0]).prefix(offsets[1] - offsets[0]))
            let finite = slice.withUnsafeBytes { raw in
                stride(from: 0, to: raw.count, by: 4).allSatisfy {
                    Float(bitPattern: raw.loadUnaligned(fromByteOffset: $0, as: UInt32.self))
                        .isFinite
                }
            }
            guard finite else {
                throw Problem("\(path): tensor \(name) holds a value that is not finite")
            }
            tensors[name] = slice
            ranges.append((offsets[0], offsets[1]))
        }
        ranges.sort { $0.0 < $1.0 }
        var end = 0
        for range in ranges {
            guard range.0 == end else {
                throw Problem("\(path): tensor data has a gap or overlap at byte \(end)")
            }
            end = range.1
        }
        guard end == dataSection.count else {
            throw Problem("\(path): tensors cover \(end) of \(dataSection.count) data bytes")
        }
        guard metadata["format"] == "convkit-sequential", metadata["architecture"] != nil else {
            throw Problem("\(path): metadata lacks the convkit format and architecture")
        }
        self.metadata = metadata
        tensorBytes = tensors
    }
}

/// The training log's lines without the seconds column; throws unless it is the header followed
/// by epochs 1, 2, ... with numeric fields.
func checkedLogLines(path: String) throws -> [String] {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw Problem("\(path): cannot be read")
    }
    let text = String(decoding: data, as: UTF8.self)
    guard text.hasSuffix("\n") else { throw Problem("\(path): does not end with a newline") }
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(
        String.init)
    guard lines.first == "epoch,loss,accuracy,test_loss,test_accuracy,seconds" else {
        throw Problem("\(path): bad header \(lines.first ?? "")")
    }
    for (index, line) in lines.dropFirst().enumerated() {
        let fields = line.split(separator: ",", omittingEmptySubsequences: false)
        guard fields.count == 6, Int(fields[0]) == index + 1,
            fields.dropFirst().allSatisfy({ Double($0) != nil })
        else {
            throw Problem(
                "\(path): line \(index + 2) is not epoch \(index + 1) with five numbers: \(line)")
        }
    }
    return lines.map { $0.split(separator: ",").prefix(5).joined(separator: ",") }
}

/// A failed check, with a message naming the file.
struct Problem: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
