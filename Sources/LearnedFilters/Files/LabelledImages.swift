// LabelledImages: what training and evaluation read, held in memory or decoded batch by batch.

/// Labelled images of one shape, handed out a batch at a time.
public protocol LabelledImages: Sendable {
    /// Number of samples.
    var count: Int { get }
    /// Per-sample shape, `[h, w, channels]`.
    var shape: [Int] { get }
    /// Class index of each sample.
    var labels: [Int] { get }
    /// The samples at `indices` as a batch tensor `[n, h, w, channels]` and their labels.
    func batch(_ indices: ArraySlice<Int>) throws -> (images: Tensor, labels: [Int])
}

extension LabelledImages {
    /// Every sample in memory (for figures that show the images).
    public func loaded() throws -> Dataset {
        if let dataset = self as? Dataset { return dataset }
        let (images, labels) = try batch(Array(0..<count)[...])
        return Dataset(images: images.values, labels: labels, shape: shape)
    }
}

extension Dataset: LabelledImages {}
