// ConfusionMatrix: counts of (true class, predicted class) pairs, the per-class errors, and CSV.

/// A confusion matrix: `counts[trueClass][predictedClass]`.
package struct ConfusionMatrix: Sendable, Equatable {
    package let counts: [[Int]]
    package let classNames: [String]

    /// - Throws: ``VisualizationError/badData(_:)`` unless `counts` is square with one row per
    ///   class name and no negative count.
    package init(counts: [[Int]], classNames: [String]) throws {
        guard !classNames.isEmpty, counts.count == classNames.count,
            counts.allSatisfy({ $0.count == classNames.count })
        else {
            throw VisualizationError.badData(
                "a confusion matrix needs \(classNames.count)x\(classNames.count) counts, got \(counts.count) rows"
            )
        }
        guard counts.joined().allSatisfy({ $0 >= 0 }) else {
            throw VisualizationError.badData("a confusion matrix cannot hold negative counts")
        }
        self.counts = counts
        self.classNames = classNames
    }

    /// Counts the pairs of `labels` and `predictions`.
    /// - Throws: ``VisualizationError/badData(_:)`` when the lists differ in length or hold a class
    ///   outside `0..<classNames.count`.
    package init(labels: [Int], predictions: [Int], classNames: [String]) throws {
        let classes = classNames.count
        guard labels.count == predictions.count else {
            throw VisualizationError.badData(
                "\(labels.count) labels for \(predictions.count) predictions")
        }
        var counts = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        for (label, predicted) in zip(labels, predictions) {
            guard (0..<classes).contains(label), (0..<classes).contains(predicted) else {
                throw VisualizationError.badData(
                    "class \(max(label, predicted)) is outside the \(classes) classes")
            }
            counts[label][predicted] += 1
        }
        try self.init(counts: counts, classNames: classNames)
    }

    package var classes: Int { classNames.count }

    /// All samples counted.
    package var total: Int { counts.joined().reduce(0, +) }

    /// Samples on the diagonal.
    package var correct: Int { (0..<classes).reduce(0) { $0 + counts[$1][$1] } }

    /// Misclassified samples of each true class (its row without the diagonal).
    package var errorsPerClass: [Int] {
        (0..<classes).map { counts[$0].reduce(0, +) - counts[$0][$0] }
    }

    /// The matrix as CSV: a header `true\predicted,NAME,...`, then one row per true class.
    package var csv: String {
        let header = (["true\\predicted"] + classNames.map(csvField)).joined(separator: ",")
        let rows = zip(classNames, counts).map { name, row in
            ([csvField(name)] + row.map(String.init)).joined(separator: ",")
        }
        return ([header] + rows).joined(separator: "\n") + "\n"
    }
}
