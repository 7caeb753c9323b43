// TestSetPredictions: a model's predicted class and the mean loss over a labelled dataset, in batches.

import Foundation
import LearnedFilters

/// The predictions of a model on every sample of a dataset.
package struct TestSetPredictions: Sendable {
    /// The predicted class of each sample (the largest logit; the lowest class on a tie).
    package let predictions: [Int]
    /// Mean cross-entropy of the softmax of the logits against the labels.
    package let loss: Double

    /// Runs `model` on `data` in inference mode, `batchSize` samples at a time.
    /// - Throws: ``VisualizationError/mismatch(_:)`` when the data's shape or labels do not fit
    ///   the model.
    package init(model: Model, data: Dataset, batchSize: Int = 500) throws {
        guard data.shape == model.imageShape else {
            throw VisualizationError.mismatch(
                "the model expects inputs of shape \(model.inputShape), the dataset has \(data.shape)"
            )
        }
        let classes = model.classes
        guard data.labels.allSatisfy({ (0..<classes).contains($0) }) else {
            throw VisualizationError.mismatch(
                "the data has labels beyond the model's \(classes) classes")
        }
        var predictions = [Int]()
        predictions.reserveCapacity(data.count)
        var lossSum = 0.0
        var start = 0
        while start < data.count {
            let range = start..<min(data.count, start + max(1, batchSize))
            let (images, labels) = data.batch(Array(range)[...])
            // A model taking [h, w] gets the [h, w, 1] images' values in the same order.
            let batch = Tensor(shape: [images.batch] + model.inputShape, values: images.values)
            let logits = try model.forward(batch, options: ForwardOptions(training: false)).values
            for (row, label) in labels.enumerated() {
                let scores = logits[row * classes..<(row + 1) * classes].map(Double.init)
                let best = scores.indices.reduce(scores.startIndex) {
                    scores[$1] > scores[$0] ? $1 : $0
                }
                let top = scores[best]
                let logSum = top + log(scores.reduce(0) { $0 + exp($1 - top) })
                lossSum += logSum - scores[scores.startIndex + label]
                predictions.append(best - scores.startIndex)
            }
            start = range.upperBound
        }
        self.predictions = predictions
        self.loss = data.count == 0 ? 0 : lossSum / Double(data.count)
    }
}
