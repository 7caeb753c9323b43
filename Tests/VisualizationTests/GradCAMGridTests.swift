// GradCAMGridTests: the report's Grad-CAM grid names the data it shows and marks maps that are zero.

import ConvkitTestSupport
import Drawing
import Testing

@testable import LearnedFilters
@testable import Visualization

struct GradCAMGridTests {
    /// The tutorial network, untrained: its Grad-CAM maps need no data set.
    static func inspection(classNames: [String]) throws -> ReportInspection {
        let model = try Model(
            architecture: LayerSpec.parse(LayerSpec.tutorial), inputShape: [28, 28, 1], seed: 7)
        let images = (0..<2 * 784).map { Float($0 % 29) / 28 }
        return ReportInspection(
            inspection: ModelInspection(model: model, classNames: classNames),
            test: Dataset(images: images, labels: [0, 1], shape: [28, 28, 1]))
    }

    /// "digits" only for MNIST's classes: Fashion-MNIST and a folder's classes are images.
    @Test func titleNamesTheData() throws {
        let fashion = Dataset.Name.fashionMNIST.classNames
        let cases = [
            (Dataset.Name.mnist.classNames, "digits"), (fashion, "images"),
            (["circle", "square"] + (2..<10).map { "shape\($0)" }, "images"),
        ]
        for (names, word) in cases {
            let figure = try #require(
                try Self.inspection(classNames: names).gradCAM(misclassified: [0, 1]))
            #expect(figure.title.hasSuffix("of the first misclassified \(word)"), "\(figure.title)")
        }
    }

    /// A map with no positive value is noted on its tile (white behind the note) and in the
    /// caption, instead of showing an empty picture.
    @Test func zeroMapIsNoted() throws {
        func map(_ values: [Float]) -> Attribution {
            Attribution(
                target: 1, logits: [0, 1], predicted: 1, height: 4, width: 4, saliency: values,
                gradientTimesInput: values, gradCAM: values, layerCAM: values,
                layerSize: (4, 4))
        }
        let ramp = (0..<16).map { Float($0) / 15 }
        let figure = try GradCAMGridFigure(
            inputs: [ramp, ramp], maps: [map(ramp), map([Float](repeating: 0, count: 16))],
            labels: [0, 0], classNames: ["a", "b"], title: "t")
        #expect(figure.zeroMaps == [1])
        let image = try figure.render().image()
        let note = Canvas.measure(GradCAMGridFigure.zeroNote, font: Font(size: 10))
        for position in [0, 1] {
            let rect = figure.tileRect(position)
            let pixel = image.rgb(Int(rect.center.x - note.width / 2 - 1), Int(rect.center.y))
            #expect((pixel == [255, 255, 255]) == (position == 1), "tile \(position): \(pixel)")
        }
        let caption = try Self.inspection(classNames: []).gradCAMCaption(figure)
        #expect(caption.contains("'\(GradCAMGridFigure.zeroNote)'"), "\(caption)")
    }
}
