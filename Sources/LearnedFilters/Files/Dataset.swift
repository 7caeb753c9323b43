// Dataset: MNIST-style IDX image and label files loaded as [0, 1] floats and class indices.

import ImageIO

/// Labelled images: `count` samples of `shape` (h, w, 1), values scaled to [0, 1].
public struct Dataset: Sendable {
    /// Images, NHWC, `count * h * w` values in [0, 1].
    public var images: [Float]
    /// Class index of each image.
    public var labels: [Int]
    /// Per-sample shape, `[h, w, 1]`.
    public var shape: [Int]

    /// Number of samples.
    public var count: Int { labels.count }

    /// A dataset of `labels.count` samples of `shape`, `images` holding them one after another.
    public init(images: [Float], labels: [Int], shape: [Int]) {
        self.images = images
        self.labels = labels
        self.shape = shape
    }

    /// The known datasets and their file names.
    public enum Name: String, Sendable, CaseIterable {
        /// Handwritten digits 0-9 (LeCun, Cortes and Burges).
        case mnist
        /// Zalando's clothing images, in MNIST's file format.
        case fashionMNIST = "fashion-mnist"

        /// Class names, in label order.
        public var classNames: [String] {
            switch self {
            case .mnist: (0...9).map(String.init)
            case .fashionMNIST:
                [
                    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                    "Sneaker", "Bag", "Ankle boot",
                ]
            }
        }
    }

    /// Training (60,000) or test (10,000) split.
    public enum Split: String, Sendable {
        /// The 60,000 training images (`train-*` files).
        case train
        /// The 10,000 test images (`t10k-*` files).
        case test

        var prefix: String { self == .train ? "train" : "t10k" }
    }

    /// Loads one split from `folder` (standard IDX names, raw or `.gz`). A missing file gives
    /// an error naming the fetch script; a malformed one names the file and the problem.
    public static func load(_ name: Name, split: Split, folder: String) throws -> Dataset {
        let imagesPath = try locate(
            folder: folder, base: "\(split.prefix)-images-idx3-ubyte", dataset: name)
        let labelsPath = try locate(
            folder: folder, base: "\(split.prefix)-labels-idx1-ubyte", dataset: name)
        let imageArray = try IDX.read(path: imagesPath)
        let labelArray = try IDX.read(path: labelsPath)
        guard let pixels = imageArray.uint8Values, imageArray.dimensions.count == 3 else {
            throw LearnedFiltersError.badDataset(
                path: imagesPath,
                detail:
                    "expected unsigned-byte images of shape (n, rows, columns), got \(imageArray.elementType) \(imageArray.dimensions)"
            )
        }
        guard let labelBytes = labelArray.uint8Values, labelArray.dimensions.count == 1 else {
            throw LearnedFiltersError.badDataset(
                path: labelsPath,
                detail:
                    "expected unsigned-byte labels of shape (n), got \(labelArray.elementType) \(labelArray.dimensions)"
            )
        }
        guard labelBytes.count == imageArray.dimensions[0] else {
            throw LearnedFiltersError.badDataset(
                path: labelsPath,
                detail:
                    "\(labelBytes.count) labels for \(imageArray.dimensions[0]) images in \(imagesPath)"
            )
        }
        if let bad = labelBytes.firstIndex(where: { $0 > 9 }) {
            throw LearnedFiltersError.badDataset(
                path: labelsPath,
                detail: "label \(labelBytes[bad]) at index \(bad) is not a class 0-9")
        }
        return Dataset(
            images: scaledToUnit(pixels), labels: labelBytes.map(Int.init),
            shape: [imageArray.dimensions[1], imageArray.dimensions[2], 1])
    }

    /// `pixels[i] / 255` as floats, in a loop the compiler vectorises (`map` divided and stored
    /// one value, and the array's count, per step).
    private static func scaledToUnit(_ pixels: [UInt8]) -> [Float] {
        [Float](unsafeUninitializedCapacity: pixels.count) { values, initialized in
            pixels.withUnsafeBufferPointer { bytes in
                for i in 0..<bytes.count { values[i] = Float(bytes[i]) / 255 }
            }
            initialized = pixels.count
        }
    }

    private static func locate(folder: String, base: String, dataset: Name) throws -> String {
        for candidate in ["\(folder)/\(base)", "\(folder)/\(base).gz"]
        where (try? FileAccess.fileSize(candidate)) != nil {
            return candidate
        }
        throw LearnedFiltersError.datasetMissing(
            path: "\(folder)/\(base).gz", dataset: dataset.rawValue)
    }

    /// The first `limit` samples (all when `limit` is nil or larger).
    public func prefix(_ limit: Int?) -> Dataset {
        guard let limit, limit < count else { return self }
        let size = shape.reduce(1, *)
        return Dataset(
            images: Array(images[0..<limit * size]), labels: Array(labels[0..<limit]), shape: shape)
    }

    /// Samples `start..<end`.
    public func slice(_ range: Range<Int>) -> Dataset {
        let size = shape.reduce(1, *)
        return Dataset(
            images: Array(images[range.lowerBound * size..<range.upperBound * size]),
            labels: Array(labels[range]), shape: shape)
    }

    /// The samples at `indices`, as a batch tensor and labels.
    public func batch(_ indices: ArraySlice<Int>) -> (images: Tensor, labels: [Int]) {
        let size = shape.reduce(1, *)
        var values = [Float](repeating: 0, count: indices.count * size)
        values.withUnsafeMutableBufferPointer { target in
            images.withUnsafeBufferPointer { source in
                for (row, index) in indices.enumerated() {
                    (target.baseAddress! + row * size).update(
                        from: source.baseAddress! + index * size, count: size)
                }
            }
        }
        return (Tensor(shape: [indices.count] + shape, values: values), indices.map { labels[$0] })
    }
}
