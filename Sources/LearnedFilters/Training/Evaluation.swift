// Evaluation: loss, accuracy, per-class accuracy and the confusion matrix of a model on a dataset.

import Foundation

/// How a model does on a labelled dataset.
public struct Evaluation: Sendable, Equatable {
    /// Mean cross-entropy.
    public var loss: Double
    /// Fraction of correct predictions.
    public var accuracy: Double
    /// `confusion[true][predicted]` counts.
    public var confusion: [[Int]]

    /// Accuracy of each true class; nil for a class with no samples, which has no accuracy
    /// (0 would read as a class the model always gets wrong).
    public var perClassAccuracy: [Double?] {
        confusion.enumerated().map { index, row in
            let total = row.reduce(0, +)
            return total == 0 ? nil : Double(row[index]) / Double(total)
        }
    }

    /// Runs the model on `data` in inference mode, `batchSize` samples at a time.
    public init(
        model: Model, data: some LabelledImages, batchSize: Int = 1000,
        implementation: Implementation = .fast
    ) throws {
        let classes = model.classes
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        var lossSum = 0.0
        var correct = 0
        var start = 0
        let step = max(1, batchSize)
        while start < data.count {
            let range = start..<min(data.count, start + step)
            let (images, labels) = try data.batch(Array(range)[...])
            guard labels.allSatisfy({ $0 < classes }) else {
                throw LearnedFiltersError.badInput(
                    "the data has labels beyond the model's \(classes) classes")
            }
            let logits = try model.forward(
                images, options: ForwardOptions(training: false, implementation: implementation))
            lossSum +=
                Double(
                    ReferenceOps.softmaxCrossEntropy(
                        logits: logits.values, labels: labels, classes: classes
                    ).loss) * Double(range.count)
            for (row, label) in labels.enumerated() {
                let predicted = predictedClass(logits.values, row: row, classes: classes)
                confusion[label][predicted] += 1
                if predicted == label { correct += 1 }
            }
            start = range.upperBound
        }
        self.loss = data.count == 0 ? 0 : lossSum / Double(data.count)
        self.accuracy = data.count == 0 ? 0 : Double(correct) / Double(data.count)
        self.confusion = confusion
    }
}

extension Model {
    /// Throws ``LearnedFiltersError/badInput(_:)`` unless `count` outputs can be class
    /// probabilities: one per class, two or more (a softmax over one output is always 1).
    public static func requireClassOutputs(_ count: Int) throws {
        guard count >= 2 else {
            throw LearnedFiltersError.badInput(
                "the model has \(count) output; class probabilities need one output per class (2 or more)"
            )
        }
    }

    /// Class probabilities (softmax of the logits) for a batch, one row per sample. Throws
    /// when the model has fewer than two outputs, where a softmax would give one class
    /// probability 1 whatever the input.
    public func probabilities(_ batch: Tensor) throws -> [[Double]] {
        let logits = try forward(batch)
        let classes = logits.itemSize
        return try (0..<logits.batch).map { row in
            try Self.probabilities(logits: logits.values[row * classes..<(row + 1) * classes])
        }
    }

    /// Softmax of one sample's `logits`, shifted by the largest for stability; throws
    /// ``LearnedFiltersError/badInput(_:)`` for fewer than two.
    public static func probabilities(logits: some Collection<Float>) throws -> [Double] {
        try requireClassOutputs(logits.count)
        let values = logits.map(Double.init)
        let top = values.max() ?? 0
        let exps = values.map { exp($0 - top) }
        let total = exps.reduce(0, +)
        return exps.map { $0 / total }
    }
}
