// InputFiles: reading the images, arrays and models that commands take, with a file of the
// wrong kind named as such.

import ArgumentParser
import Foundation
import ImageIO
import LearnedFilters
import ModelExchange
import Visualization

/// What `filter` can read: an image (PNG, or an integer NPY array) with the ancillary chunks of
/// its PNG, or a float NPY array.
enum FilterInput {
    case image(Image, PNGChunks)
    case array(NPYArray)
}

enum InputFiles {
    /// The dtypes an NPY image may have, and the float dtypes `filter` also reads, in words.
    static let imageDescription = "a PNG or NPY image"

    /// Reads a PNG, or an NPY array of uint8 or uint16 samples, shape (H, W) or (H, W, C), with
    /// the PNG's ancillary chunks.
    static func image(_ path: String, maxPixels: Int) throws -> (image: Image, chunks: PNGChunks) {
        switch try imageOrArray(path, maxPixels: maxPixels) {
        case .image(let image, let chunks): return (image, chunks)
        case .array(let array):
            throw CLIError(
                "\(path): a \(dtypeName(array.values)) array has no sample range to read as an image; "
                    + "'convkit filter \(path) --kernel identity --range normalize -o OUT.png' maps it to one"
            )
        }
    }

    /// How an image becomes the input of a model taking images of `shape` (its
    /// ``Model/imageShape``): grey or colour in [0, 1], area-resized, for a colour model, a model
    /// trained on a folder of images (`model`'s metadata says so) or a grey model of another
    /// shape than square; else prepared as MNIST's digits were
    /// (``DigitImage/mnistInput(from:side:)``). Nil for a model that takes no images.
    static func preparation(for shape: [Int], model: String) -> (
        (Image, String) throws -> [Float]
    )? {
        guard shape.count == 3, [1, 3].contains(shape[2]) else { return nil }
        if shape[2] == 3 || shape[0] != shape[1] || ModelPaths.trainedOnImages(model) {
            return { image, path in try ImageFolder.input(from: image, shape: shape, path: path) }
        }
        return { image, _ in try DigitImage.mnistInput(from: image, side: shape[0]) }
    }

    /// The input values of a model taking images of `shape` (its ``Model/imageShape``, `[h, w,
    /// c]`) read from `path`: a float32 or float64 NPY array is taken as it is (values as the
    /// model takes them) and must have that shape, or `(h, w)` for one channel; an image is
    /// prepared by `prepare`.
    static func modelInput(
        _ path: String, shape: [Int], maxPixels: Int, prepare: (Image) throws -> [Float]
    ) throws -> [Float] {
        let image: Image
        switch try imageOrArray(path, maxPixels: maxPixels) {
        case .image(let read, _): image = read
        case .array(let array):
            let accepted = shape.last == 1 ? [Array(shape.dropLast()), shape] : [shape]
            guard accepted.contains(array.shape) else {
                let forms = accepted.map(tupleText).joined(separator: " or ")
                throw CLIError(
                    "\(path): a float array is taken as the model's input as it is, so its shape must be \(forms); this one is \(tupleText(array.shape))"
                )
            }
            let values: [Float] =
                switch array.values {
                case .float32(let values): values
                case .float64(let values): values.map(Float.init)
                case .uint8, .uint16: []
                }
            guard values.allSatisfy({ $0.isFinite }) else {
                throw CLIError(
                    "\(path): holds values that are inf or NaN in float32; a model's input must be finite"
                )
            }
            return values
        }
        return try naming(path) { try prepare(image) }
    }

    /// A shape as numpy prints it: `(28, 28)`, `(5,)`.
    static func tupleText(_ shape: [Int]) -> String {
        "(" + shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? ",)" : ")")
    }

    /// The chunks of the PNG at `path` (``PNGChunks/read(path:)``), with a note when it is
    /// animated.
    static func chunks(of path: String) -> PNGChunks {
        noted(PNGChunks.read(path: path), path: path)
    }

    /// `chunks`, after a note on standard error when they come from an animated PNG, of which
    /// only the default image is read.
    static func noted(_ chunks: PNGChunks, path: String) -> PNGChunks {
        if let frames = chunks.frames, frames > 1 {
            printError(
                "convkit: note: \(path): an animated PNG of \(frames) frames; convkit reads its default image only"
            )
        }
        return chunks
    }

    /// Reads an image (with its PNG's chunks, from the same bytes), or a float32 or float64 NPY
    /// array (for `filter`).
    static func imageOrArray(_ path: String, maxPixels: Int) throws -> FilterInput {
        try FileKind.expecting(imageDescription, path: path, accepted: [.png, .npy]) {
            let bytes = try FileAccess.readAll(path)
            guard NPY.hasMagic(bytes) else {
                return .image(
                    try PNGDecoder.decode(bytes, name: path, maxPixels: maxPixels),
                    noted(PNGChunks.read(bytes: bytes), path: path))
            }
            let header = try NPY.dataHeader(bytes, name: path)
            try NPY.requireData(of: header, fileBytes: bytes.count, name: path)
            let shape = header.shape
            if shape.count >= 2, shape[0] * shape[1] > maxPixels {
                throw ImageIOError.exceedsPixelLimit(
                    path: path,
                    detail:
                        "\(shape[1])x\(shape[0]) is \(shape[0] * shape[1]) pixels, more than the limit of \(maxPixels)"
                )
            }
            let array = try NPY.decode(bytes, name: path)
            switch array.values {
            case .float32, .float64: return .array(array)
            case .uint8, .uint16: return .image(try ImageFile.image(from: array, name: path), .none)
            }
        }
    }

    /// The kinds of file a model may be: convkit's or a state dict's safetensors, a Keras
    /// archive (ZIP) or weights file (HDF5), or ONNX (protobuf, which has no signature).
    static let modelKinds: Set<FileKind> = [.safetensors, .zip, .hdf5, .unknown]

    /// Opens any model file convkit reads, printing on standard error where convkit's outputs
    /// will differ from those of the framework that wrote it.
    static func model(_ path: String, source: ModelSourceOptions) throws -> Model {
        let imported = try FileKind.expecting("a model file", path: path, accepted: modelKinds) {
            try source.open(path)
        }
        try requireUsedOptions(imported, path: path)
        for caution in imported.cautions { printError("convkit: note: \(path): \(caution)") }
        return imported.model
    }

    /// Fails with a command-line mistake (status 2) when the model file `path` makes an option
    /// given meaningless (``ImportedModel/unusedOptions``): it would be silently ignored.
    static func requireUsedOptions(_ imported: ImportedModel, path: String) throws {
        if let unused = imported.unusedOptions.first {
            throw ValidationError("\(path): \(unused)")
        }
    }

    /// Opens a model with the class names its figures use: its own, or `defaultClassNames`.
    static func inspection(
        _ path: String, source: ModelSourceOptions, defaultClassNames: [String]? = nil
    ) throws -> ModelInspection {
        let network = try model(path, source: source)
        return ModelInspection(
            model: network, classNames: network.classNames ?? defaultClassNames)
    }

    /// Reads a safetensors file (a model or a checkpoint) without building a model from it.
    static func safeTensors(_ path: String, what: String) throws
        -> SafeTensorsFile
    {
        try FileKind.expecting(what, path: path, accepted: [.safetensors]) {
            try SafeTensorsFile.read(path: path)
        }
    }

    /// numpy's name for an array's dtype (`float32`), as people write it.
    static func dtypeName(_ values: NPYArray.Values) -> String {
        switch values {
        case .uint8: "uint8"
        case .uint16: "uint16"
        case .float32: "float32"
        case .float64: "float64"
        }
    }
}
