// `convkit info`: describes image files without decoding their pixels.

import ArgumentParser
import Foundation
import ImageIO

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Describe PNG or NPY files, or model files (format, layers, shapes, parameters).",
        discussion: """
            Reads only the header of each file, so it is fast on any size of image. A file that
            cannot be read is reported on standard error and the others are still described;
            the exit status is then 1. A model file (.safetensors, .keras, .weights.h5 with
            --arch, .onnx) is described by its format, layers, shapes, parameter count and class
            names.
            """
    )

    @Argument(help: "PNG, NPY or model files ('-' for standard input).")
    var files: [String]

    @Flag(name: .long, help: "Print a JSON array with one object per file instead of text.")
    var json = false

    @OptionGroup var model: ModelSourceOptions

    func run() throws {
        var records = [[String: Any]]()
        var failed = false
        for path in files {
            do {
                let isModel = ModelInfo.isModel(path)
                let record = try isModel ? ModelInfo.describe(path, source: model) : describe(path)
                if json {
                    records.append(record)
                } else {
                    print(isModel ? ModelInfo.text(record) : textLine(path: path, record: record))
                }
            } catch let error as UserFacingError {
                printError("convkit: error: \(error)")
                failed = true
            }
        }
        if json {
            let data = try JSONSerialization.data(
                withJSONObject: records,
                options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
        }
        if failed { throw ExitCode(1) }
    }

    private func describe(_ path: String) throws -> [String: Any] {
        if path == "-" {
            let bytes = try FileAccess.readAll(path)
            return try describe(bytes: bytes, path: path, fileSize: bytes.count)
        }
        let size = try FileAccess.fileSize(path)
        let magic = try FileAccess.readPrefix(path, count: 6)
        if NPY.hasMagic(magic) {
            return try describe(bytes: FileAccess.readAll(path), path: path, fileSize: size)
        }
        let header = try PNGDecoder.header(path: path)
        return record(header: header, path: path, fileSize: size)
    }

    private func describe(bytes: [UInt8], path: String, fileSize: Int) throws -> [String: Any] {
        if NPY.hasMagic(bytes) {
            let array = try NPY.decode(bytes, name: path)
            return [
                "file": path, "format": "npy", "shape": array.shape, "dtype": array.values.dtype,
                "file_size": fileSize,
            ]
        }
        return record(
            header: try PNGDecoder.header(bytes, name: path), path: path, fileSize: fileSize)
    }

    private func record(header: PNGDecoder.Header, path: String, fileSize: Int) -> [String: Any] {
        [
            "file": path, "format": "png", "width": header.width, "height": header.height,
            "color_type": header.format.colorType.name, "bit_depth": header.format.bitDepth,
            "channels": header.channels, "decoded_bit_depth": header.decodedBitDepth,
            "interlaced": header.format.interlaced,
            "transparency_chunk": header.format.hasTransparencyChunk,
            "file_size": fileSize,
        ]
    }

    private func textLine(path: String, record: [String: Any]) -> String {
        if record["format"] as? String == "npy" {
            let shape = (record["shape"] as? [Int] ?? []).map(String.init).joined(separator: "x")
            return
                "\(path): NPY array, shape \(shape), dtype \(record["dtype"] ?? ""), \(record["file_size"] ?? 0) bytes"
        }
        let channels = record["channels"] as? Int ?? 0
        let interlace =
            (record["interlaced"] as? Bool ?? false) ? "Adam7 interlaced" : "not interlaced"
        let trns = (record["transparency_chunk"] as? Bool ?? false) ? " + tRNS" : ""
        return
            "\(path): \(record["width"] ?? 0)x\(record["height"] ?? 0), \(record["color_type"] ?? "")\(trns), "
            + "\(record["bit_depth"] ?? 0)-bit, \(channels) channel\(channels == 1 ? "" : "s") decoded, "
            + "\(interlace), \(record["file_size"] ?? 0) bytes"
    }
}
