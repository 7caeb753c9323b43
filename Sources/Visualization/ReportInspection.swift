// ReportInspection: the report's look inside the model: Grad-CAM of misclassified images, filter patterns.

import LearnedFilters

/// The two figures the report adds for models with a convolution: where the model looked when
/// it was wrong, and what its last convolution's filters respond to.
struct ReportInspection {
    var inspection: ModelInspection
    var test: Dataset

    /// Whether the model takes grey or colour images with a convolution to explain.
    private var applies: Bool {
        let shape = inspection.model.imageShape
        return shape.count == 3 && [1, 3].contains(shape[2])
            && inspection.model.lastConvolutionIndex != nil && test.shape == shape
    }

    /// Grad-CAM for the predicted class of the test images `indices` (nil when there are none
    /// or the model does not apply).
    func gradCAM(misclassified indices: [Int]) throws -> GradCAMGridFigure? {
        guard applies, !indices.isEmpty else { return nil }
        let size = test.shape.reduce(1, *)
        let inputs = indices.map { Array(test.images[$0 * size..<($0 + 1) * size]) }
        let maps = try inspection.model.attributions(
            of: inputs, targets: [Int?](repeating: nil, count: inputs.count))
        let layer = inspection.model.layers[inspection.model.lastConvolutionIndex ?? 0]
        return try GradCAMGridFigure(
            inputs: inputs, maps: maps, labels: indices.map { test.labels[$0] },
            classNames: inspection.classNames,
            title:
                "Grad-CAM on \(inspection.displayName(of: layer)) of the first misclassified \(Self.subject(classNames: inspection.classNames))"
        )
    }

    /// What the test images are called in a title: "digits" when the classes are the digits
    /// 0 to 9 (MNIST's), else "images" (clothing, shapes, a folder's classes).
    static func subject(classNames: [String]) -> String {
        classNames == (0...9).map(String.init) ? "digits" : "images"
    }

    func gradCAMCaption(_ figure: GradCAMGridFigure) -> String {
        let zero =
            figure.zeroMaps.isEmpty
            ? ""
            : " A tile marked '\(GradCAMGridFigure.zeroNote)' found no positive evidence for its class: its Grad-CAM is 0 everywhere."
        return
            "Where the model looked for the wrong answer: Grad-CAM of the predicted class for the first \(figure.maps.count) misclassified test images, each on its own scale (yellow: its largest value)."
            + zero
    }

    /// Steps of the report's pattern search: fewer than `visualize patterns`' 100, so that the
    /// report stays quick; the patterns have their shape by then.
    static let patternSteps = 30

    /// The patterns of the last convolution's filters with the default settings but
    /// ``patternSteps`` steps.
    func patterns() throws -> PatternFigure? {
        guard applies, let index = inspection.model.lastConvolutionIndex else { return nil }
        let layer = inspection.model.layers[index]
        let units = Array(0..<(layer.outputShape.last ?? 0))
        var settings = PatternSettings()
        settings.steps = Self.patternSteps
        let result = try inspection.model.maximizeActivations(
            layer: index, units: units, settings: settings)
        return try PatternFigure(
            images: result.images, shape: test.shape, labels: units.map(String.init),
            activations: result.activations,
            title:
                "\(inspection.displayName(of: layer)): the input each filter responds to most (\(settings.steps) steps)"
        )
    }

    static let patternsCaption =
        "Activation maximisation: for each filter of the last convolution, the input in 0...1 (white is 1) that maximises its mean activation, by gradient ascent from grey noise with decay, jitter and blur; the number is the activation reached."
}
