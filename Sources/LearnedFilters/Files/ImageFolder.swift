// ImageFolder: a folder of class folders of PNG images (torchvision's ImageFolder layout),
// scanned once and decoded batch by batch.

import ConvkitSupport
import Foundation
import ImageIO

/// Labelled PNG images laid out one folder per class, class names from the folder names in
/// sorted order, optionally split into `train/` and `test/` folders with the same classes.
/// Only the file list is held: images are decoded (in parallel) when a batch asks for them,
/// converted to grey or RGB in [0, 1] (alpha dropped) and area-resized to ``shape``.
public struct ImageFolder: LabelledImages {
    /// One image file and its class index.
    public struct Sample: Sendable, Equatable {
        /// The image file's path.
        public var path: String
        /// The index of its class in ``ImageFolder/classNames``.
        public var label: Int
    }

    /// Which part of the folder: the training images or the test (validation) ones.
    public enum Part: String, Sendable {
        /// The training images: `train/`, or the part not held out.
        case train
        /// The test images: `test/`, or the part held out for validation.
        case test
    }

    /// Class names, in label order (the class folders' names, sorted).
    public let classNames: [String]
    /// The images of this part, class by class, each class's files in name order.
    public let samples: [Sample]
    /// `[h, w, channels]`: channels 1 for grey images and 3 for colour ones.
    public let shape: [Int]
    /// The class index of every sample, in sample order.
    public var labels: [Int] { samples.map(\.label) }
    /// Number of images in this part.
    public var count: Int { samples.count }

    /// Whether `folder` has `train/` and `test/` folders.
    public static func hasSplitFolders(_ folder: String) -> Bool {
        FileAccess.isDirectory(folder + "/train") && FileAccess.isDirectory(folder + "/test")
    }

    /// Whether `folder` looks like a folder of class folders (or of `train/` and `test/`).
    public static func looksLikeImageFolder(_ folder: String) -> Bool {
        let entries = (try? FileAccess.folderEntries(folder)) ?? []
        return entries.contains { !$0.hasPrefix(".") && FileAccess.isDirectory(folder + "/" + $0) }
    }

    /// Scans `folder` (checking every image's header, in both parts) and keeps `part`'s images.
    ///
    /// - Parameters:
    ///   - folder: the folder of class folders (or of `train/` and `test/` holding them).
    ///   - part: which part's images to keep.
    ///   - imageSize: `(height, width)` to resize every image to; nil requires all images to
    ///     have the size of the first.
    ///   - validationSplit: the fraction of a folder without `train/` and `test/` held out as
    ///     the test part, chosen by a shuffle seeded with `seed` (Keras' `validation_split`).
    ///     Nil uses every image for either part.
    ///   - seed: the seed of that shuffle.
    /// - Throws: ``LearnedFiltersError/badDataset(path:detail:)`` naming the folder or file for
    ///   an empty class folder, a file that is not a PNG image, an image whose colour type (grey
    ///   or colour) or size differs from the first, or fewer than two classes.
    public static func open(
        _ folder: String, part: Part, imageSize: (height: Int, width: Int)? = nil,
        validationSplit: Double? = nil, seed: UInt64 = 1
    ) throws -> ImageFolder {
        let trimmed = folder.count > 1 && folder.hasSuffix("/") ? String(folder.dropLast()) : folder
        guard FileAccess.isDirectory(trimmed) else {
            throw LearnedFiltersError.badDataset(path: trimmed, detail: "not a folder")
        }
        var samples: [Sample]
        let names: [String]
        let shape: [Int]
        if hasSplitFolders(trimmed) {
            if validationSplit != nil {
                throw LearnedFiltersError.alreadySplit(path: trimmed)
            }
            let train = try scanClasses(trimmed + "/train")
            let test = try scanClasses(trimmed + "/test")
            guard train.names == test.names else {
                throw LearnedFiltersError.badDataset(
                    path: trimmed + "/test",
                    detail:
                        "its classes (\(test.names.joined(separator: ", "))) differ from train/'s (\(train.names.joined(separator: ", ")))"
                )
            }
            names = train.names
            shape = try checkHeaders(train.samples + test.samples, imageSize: imageSize)
            samples = part == .train ? train.samples : test.samples
        } else {
            let all = try scanClasses(trimmed)
            names = all.names
            samples = all.samples
            shape = try checkHeaders(samples, imageSize: imageSize)
            if let validationSplit {
                samples = try split(samples, fraction: validationSplit, seed: seed, part: part)
            }
        }
        return ImageFolder(classNames: names, samples: samples, shape: shape)
    }

    /// The class folders of `root` (sorted, hidden entries skipped) and their PNG files.
    private static func scanClasses(_ root: String) throws -> (names: [String], samples: [Sample]) {
        let names = try FileAccess.folderEntries(root).filter {
            !$0.hasPrefix(".") && FileAccess.isDirectory(root + "/" + $0)
        }.sorted()
        guard names.count >= 2 else {
            throw LearnedFiltersError.badDataset(
                path: root,
                detail: names.isEmpty
                    ? "no class folders (expected one folder of PNG images per class)"
                    : "only one class folder (\(names[0])); a classifier needs at least two")
        }
        var samples = [Sample]()
        for (label, name) in names.enumerated() {
            let classFolder = root + "/" + name
            let files = try FileAccess.folderEntries(classFolder).filter { !$0.hasPrefix(".") }
                .sorted()
            guard !files.isEmpty else {
                throw LearnedFiltersError.badDataset(
                    path: classFolder, detail: "empty class folder: no PNG images")
            }
            for file in files {
                let path = classFolder + "/" + file
                if FileAccess.isDirectory(path) {
                    throw LearnedFiltersError.badDataset(
                        path: path, detail: "a folder inside a class folder (expected PNG images)")
                }
                samples.append(Sample(path: path, label: label))
            }
        }
        return (names, samples)
    }

    /// The samples of `part` after holding out `fraction` of them, in their original order.
    private static func split(_ samples: [Sample], fraction: Double, seed: UInt64, part: Part)
        throws -> [Sample]
    {
        var order = Array(samples.indices)
        var generator = SeededGenerator(seed: seed ^ 0x5641_4C49_4441_5445)
        for i in stride(from: order.count - 1, to: 0, by: -1) {
            order.swapAt(i, Int(generator.next() % UInt64(i + 1)))
        }
        let held = Int((Double(samples.count) * fraction).rounded())
        guard held >= 1, held < samples.count else {
            throw LearnedFiltersError.badInput(
                "a validation split of \(fraction) of \(samples.count) images leaves \(held == 0 ? "no test" : "no training") images"
            )
        }
        let chosen = part == .test ? order.suffix(held) : order.prefix(samples.count - held)
        return chosen.sorted().map { samples[$0] }
    }

    /// Reads every file's PNG header (in parallel): each must be a PNG of the first one's colour
    /// type (grey or colour) and, without `imageSize`, its size. Returns `[h, w, channels]`.
    private static func checkHeaders(
        _ samples: [Sample], imageSize: (height: Int, width: Int)?
    ) throws -> [Int] {
        var headers = [Result<PNGDecoder.Header, Error>?](repeating: nil, count: samples.count)
        headers.withSharedMutablePointer { slots in
            parallelBands(samples.count, minimumBand: 64) { range in
                for index in range {
                    slots[index] = Result { try PNGDecoder.header(path: samples[index].path) }
                }
            }
        }
        var first: (path: String, header: PNGDecoder.Header)?
        for (index, sample) in samples.enumerated() {
            let header: PNGDecoder.Header
            do { header = try headers[index]!.get() } catch ImageIOError.notThisFormat(_, _) {
                throw LearnedFiltersError.badDataset(
                    path: sample.path,
                    detail: "not a PNG image (a class folder holds PNG images only)")
            } catch let error as ImageIOError {
                throw LearnedFiltersError.badDataset(
                    path: sample.path, detail: "not a readable PNG image: \(error)")
            }
            guard let (firstPath, firstHeader) = first else {
                first = (sample.path, header)
                continue
            }
            if colour(header.channels) != colour(firstHeader.channels) {
                throw LearnedFiltersError.badDataset(
                    path: sample.path,
                    detail:
                        "a \(kind(header.channels)) image among \(kind(firstHeader.channels)) ones (the first is \(firstPath)); the images of a dataset are all grey or all colour"
                )
            }
            if imageSize == nil,
                header.width != firstHeader.width
                    || header.height != firstHeader.height
            {
                throw LearnedFiltersError.mixedImageSizes(
                    path: sample.path, size: "\(header.width)x\(header.height)",
                    firstPath: firstPath, firstSize: "\(firstHeader.width)x\(firstHeader.height)")
            }
        }
        let header = first!.header
        let channels = colour(header.channels) ? 3 : 1
        return [imageSize?.height ?? header.height, imageSize?.width ?? header.width, channels]
    }

    private static func colour(_ channels: Int) -> Bool { channels >= 3 }
    private static func kind(_ channels: Int) -> String { colour(channels) ? "colour" : "grey" }

    /// `limit` samples taken from the classes in turn (all when `limit` is nil or larger): the
    /// first image (in name order) of every class in class order, then the second of every
    /// class that has one, and so on. A limit thus keeps every class that it can, in
    /// proportions as even as the classes' sizes allow, and picks the same images whatever the
    /// seed; the first `limit` of the class-by-class list would hold the first classes only.
    /// The images kept stay in class-by-class order.
    public func limited(to limit: Int?) -> ImageFolder {
        guard let limit, limit < count else { return self }
        var rank = [Int]()
        var taken = [Int: Int]()
        for sample in samples {
            rank.append(taken[sample.label, default: 0])
            taken[sample.label, default: 0] += 1
        }
        let chosen = samples.indices.sorted {
            (rank[$0], samples[$0].label, $0) < (rank[$1], samples[$1].label, $1)
        }.prefix(max(0, limit)).sorted()
        return ImageFolder(
            classNames: classNames, samples: chosen.map { samples[$0] }, shape: shape)
    }

    /// Decodes the images at `indices` in parallel.
    public func batch(_ indices: ArraySlice<Int>) throws -> (images: Tensor, labels: [Int]) {
        let size = shape.reduce(1, *)
        let list = Array(indices)
        var values = [Float](repeating: 0, count: list.count * size)
        var failures = [Error?](repeating: nil, count: list.count)
        let shape = self.shape
        let samples = self.samples
        values.withSharedMutablePointer { target in
            failures.withSharedMutablePointer { failed in
                parallelBands(list.count) { range in
                    for row in range {
                        do {
                            let path = samples[list[row]].path
                            let pixels = try Self.input(
                                from: PNGDecoder.read(path: path), shape: shape, path: path)
                            (target + row * size).update(from: pixels, count: size)
                        } catch { failed[row] = error }
                    }
                }
            }
        }
        if let failure = failures.lazy.compactMap({ $0 }).first { throw failure }
        return (Tensor(shape: [list.count] + shape, values: values), list.map { samples[$0].label })
    }

    /// `image` as the values a model of input `shape` (`[h, w, 1 or 3]`) takes: grey or RGB in
    /// [0, 1], alpha dropped, area-resized to h x w. A grey image for a colour model (or the
    /// reverse) is an error naming `path`.
    public static func input(from image: Image, shape: [Int], path: String) throws -> [Float] {
        let channels = shape[2]
        guard colour(image.channels) == (channels == 3) else {
            throw LearnedFiltersError.badDataset(
                path: path,
                detail:
                    "a \(kind(image.channels)) image, but the model takes \(channels == 3 ? "colour" : "grey") images"
            )
        }
        let full: Float = image.bitDepth == 16 ? 65535 : 255
        let pixels = image.width * image.height
        var values = [Float](repeating: 0, count: pixels * channels)
        func fill<T: BinaryInteger>(_ samples: [T]) {
            for pixel in 0..<pixels {
                for c in 0..<channels {
                    values[pixel * channels + c] =
                        Float(samples[pixel * image.channels + c]) / full
                }
            }
        }
        switch image.samples {
        case .uint8(let samples): fill(samples)
        case .uint16(let samples): fill(samples)
        }
        return try AreaResize.resize(
            values, width: image.width, height: image.height, channels: channels,
            newWidth: shape[1], newHeight: shape[0])
    }
}
