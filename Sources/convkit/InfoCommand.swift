// `convkit info`: describes image files without decoding their pixels.

import ArgumentParser
import ConvkitSupport
import Foundation
import ImageIO

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Describe PNG or NPY files, or model files (format, layers, shapes, parameters).",
        usage: "convkit info <file> ... [<options>]",
        discussion: """
            Reads only the header of each file, so it is fast on any size of image: for a PNG \
            its size (width x height), colour type, bit depth and interlacing; for an NPY file \
            its shape (numpy's order) and dtype, any numeric dtype. A model file \
            (.safetensors, .keras, .h5, .weights.h5 with --arch, .onnx) is described by its format, \
            layers, shapes, parameter count and class names. A file that cannot be read is \
            reported on standard error and the others are still described; the exit status is \
            then 1.

            Examples:
              convkit info samples/*.png
              convkit info --json samples/face.png
              convkit info model.safetensors
            """
    )

    @Argument(
        help: ArgumentHelp("PNG, NPY or model files ('-' for standard input).", valueName: "file"))
    var files: [String]

    @Flag(help: "Print a JSON array with one object per file instead of text.")
    var json = false

    @OptionGroup var model: ModelSourceOptions

    func run() throws {
        try FileReports.run(files, json: json) { path in
            let isModel = ModelInfo.isModel(path)
            let record = try FileKind.expecting(
                "a PNG, NPY or model file", path: path,
                accepted: [.png, .npy, .safetensors, .zip, .hdf5]
            ) { try isModel ? ModelInfo.describe(path, source: model) : describe(path) }
            return (record, isModel ? ModelInfo.text(record) : textLine(path: path, record: record))
        }
    }

    private func describe(_ path: String) throws -> [String: Any] {
        // Standard input or a pipe is read once, whole; a file's header is read alone.
        if !FileAccess.isRegularFile(path) && !FileAccess.isDirectory(path) {
            let bytes = try FileAccess.readAll(path)
            return try describe(bytes: bytes, path: path, fileSize: bytes.count)
        }
        let size = try FileAccess.fileSize(path)
        let magic = try FileAccess.readPrefix(path, count: 6)
        if NPY.hasMagic(magic) {
            return record(header: try NPY.header(path: path), path: path, fileSize: size)
        }
        let header = try PNGDecoder.header(path: path)
        return record(
            header: header, chunks: PNGChunks.read(path: path), path: path, fileSize: size)
    }

    private func describe(bytes: [UInt8], path: String, fileSize: Int) throws -> [String: Any] {
        if NPY.hasMagic(bytes) {
            return record(header: try NPY.header(bytes, name: path), path: path, fileSize: fileSize)
        }
        return record(
            header: try PNGDecoder.header(bytes, name: path), chunks: PNGChunks.read(bytes: bytes),
            path: path, fileSize: fileSize)
    }

    private func record(header: NPY.Header, path: String, fileSize: Int) -> [String: Any] {
        [
            "file": path, "format": "npy", "shape": header.shape, "dtype": header.dtype,
            "file_size": fileSize,
        ]
    }

    private func record(
        header: PNGDecoder.Header, chunks: PNGChunks, path: String, fileSize: Int
    ) -> [String: Any] {
        var record: [String: Any] = [
            "file": path, "format": "png", "width": header.width, "height": header.height,
            "color_type": header.format.colorType.name, "bit_depth": header.format.bitDepth,
            "channels": header.channels, "decoded_bit_depth": header.decodedBitDepth,
            "interlaced": header.format.interlaced,
            "transparency_chunk": header.format.hasTransparencyChunk,
            "file_size": fileSize,
        ]
        if let frames = chunks.frames { record["apng_frames"] = frames }
        return record
    }

    private func textLine(path: String, record: [String: Any]) -> String {
        let bytes = counted(record["file_size"] as? Int ?? 0, "byte")
        if record["format"] as? String == "npy" {
            let dimensions = (record["shape"] as? [Int] ?? []).map(String.init)
            let shape =
                dimensions.count == 1
                ? "(\(dimensions[0]),)" : "(" + dimensions.joined(separator: ", ") + ")"
            return "\(path): NPY array, shape \(shape), \(record["dtype"] ?? ""), \(bytes)"
        }
        let channels = record["channels"] as? Int ?? 0
        let interlace =
            (record["interlaced"] as? Bool ?? false) ? "Adam7 interlaced" : "not interlaced"
        let trns = (record["transparency_chunk"] as? Bool ?? false) ? " + tRNS" : ""
        let size = Sizes.text(
            width: record["width"] as? Int ?? 0, height: record["height"] as? Int ?? 0)
        let animation = (record["apng_frames"] as? Int).map {
            ", animated PNG of \(counted($0, "frame")) (convkit reads its default image)"
        }
        return
            "\(path): \(size), \(record["color_type"] ?? "")\(trns), "
            + "\(record["bit_depth"] ?? 0)-bit, \(counted(channels, "channel")) decoded, "
            + "\(interlace), \(bytes)\(animation ?? "")"
    }
}
