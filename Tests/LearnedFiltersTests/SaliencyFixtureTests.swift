// SaliencyFixtureTests: saliency, gradient x input and Grad-CAM against Captum and pytorch-grad-cam.

import Foundation
import ImageIO
import LearnedFilters
import Testing

/// The model and maps written by scripts/make-saliency-fixtures.py.
struct SaliencyFixture {
    let model: Model
    let inputs: [[Float]]
    let targets: [Int]

    init() throws {
        let manifest = try #require(
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: SaliencyFixture.url("manifest.json")))
                as? [String: Any])
        let architecture = try #require(manifest["architecture"] as? String)
        model = try Model(
            architecture: try LayerSpec.parse(architecture), inputShape: [28, 28, 1], seed: 1)
        for (name, parameter) in model.namedParameters {
            parameter.value = try SaliencyFixture.array(name)
        }
        let images = try SaliencyFixture.array("inputs")
        inputs = (0..<images.count / 784).map { Array(images[$0 * 784..<($0 + 1) * 784]) }
        targets = try #require(manifest["targets"] as? [Int])
    }

    /// The maps of every fixture input for its fixture target, computed by `implementation`.
    func maps(_ implementation: Implementation = .fast) throws -> [Attribution] {
        try model.attributions(of: inputs, targets: targets, implementation: implementation)
    }

    static func url(_ file: String) throws -> URL {
        try #require(
            Bundle.module.url(forResource: "Fixtures/saliency/" + file, withExtension: nil))
    }

    /// The float32 values of `name`.npy.
    static func array(_ name: String) throws -> [Float] {
        try NPY.read(path: url(name + ".npy").path).values.doubles.map(Float.init)
    }
}

/// The largest difference between `values` and `expected`, relative to the largest magnitude in `expected`.
func differenceOfRange(_ values: [Float], _ expected: [Float]) -> Float {
    guard values.count == expected.count else { return .infinity }
    let scale = max(expected.map(abs).max() ?? 0, Float.leastNormalMagnitude)
    return zip(values, expected).map { abs($0 - $1) }.max().map { $0 / scale } ?? 0
}

/// Min-max normalisation as pytorch-grad-cam's scale_cam_image does it.
func minMaxNormalised(_ values: [Float]) -> [Float] {
    let low = values.min() ?? 0
    let shifted = values.map { $0 - low }
    let high = shifted.max() ?? 0
    return shifted.map { $0 / (1e-7 + high) }
}

@Suite struct SaliencyFixtureTests {
    /// Tolerance: 1e-4 of each map's range (float32 sums in another order than PyTorch's).
    static let tolerance: Float = 1e-4

    @Test(arguments: Implementation.allCases)
    func saliencyAndGradientTimesInputMatchCaptum(_ implementation: Implementation) throws {
        let fixture = try SaliencyFixture()
        let maps = try fixture.maps(implementation)
        let logits = try SaliencyFixture.array("logits")
        let saliency = try SaliencyFixture.array("saliency")
        let product = try SaliencyFixture.array("input_x_gradient")
        for (row, map) in maps.enumerated() {
            let pixels = row * 784..<(row + 1) * 784
            #expect(map.target == fixture.targets[row])
            #expect(differenceOfRange(map.logits, Array(logits[row * 10..<(row + 1) * 10])) < 1e-5)
            #expect(
                differenceOfRange(map.saliency, Array(saliency[pixels])) < Self.tolerance,
                "row \(row)")
            #expect(
                differenceOfRange(map.gradientTimesInput, Array(product[pixels])) < Self.tolerance,
                "row \(row)")
        }
    }

    @Test(arguments: Implementation.allCases)
    func gradCAMMatchesCaptumLayerGradCam(_ implementation: Implementation) throws {
        let maps = try SaliencyFixture().maps(implementation)
        let layer = try SaliencyFixture.array("gradcam_layer")
        let upsampled = try SaliencyFixture.array("gradcam")
        let nonzero = (0..<maps.count).filter { (layer[$0 * 196..<($0 + 1) * 196].max() ?? 0) > 0 }
        #expect(nonzero.count >= 4, "the fixture's maps are mostly zero")
        for (row, map) in maps.enumerated() {
            #expect(map.layerSize.height == 14 && map.layerSize.width == 14)
            #expect(
                differenceOfRange(map.layerCAM, Array(layer[row * 196..<(row + 1) * 196]))
                    < Self.tolerance, "row \(row)")
            #expect(
                differenceOfRange(map.gradCAM, Array(upsampled[row * 784..<(row + 1) * 784]))
                    < Self.tolerance, "row \(row)")
        }
    }

    /// pytorch-grad-cam 1.5.7's `GradCAM` is not the raw Grad-CAM: `compute_cam_per_layer`
    /// takes the ReLU of the layer's map, min-max scales it to 0...1 and resizes it with
    /// `cv2.resize` (bilinear, half-pixel centres), and `aggregate_multi_layers` then min-max
    /// scales the resized map again (`scale_cam_image` both times). Captum's `LayerGradCam` is
    /// the raw map (compared above); here the same three steps are applied to ours. Without
    /// the second scaling the maps differ by 12-21% of the range wherever the peak is an
    /// interior pixel, whose bilinear upsampling never reaches 1.
    @Test func gradCAMMatchesPytorchGradCam() throws {
        let maps = try SaliencyFixture().maps()
        let expected = try SaliencyFixture.array("pytorch_grad_cam")
        var scaledOnceDiffers = 0
        for (row, map) in maps.enumerated() {
            let resized = Bilinear.resize(
                minMaxNormalised(map.layerCAM), height: 14, width: 14, toHeight: 28, toWidth: 28)
            let reference = Array(expected[row * 784..<(row + 1) * 784])
            #expect(
                differenceOfRange(minMaxNormalised(resized), reference) < Self.tolerance,
                "row \(row)")
            if differenceOfRange(resized, reference) > 0.1 { scaledOnceDiffers += 1 }
        }
        #expect(scaledOnceDiffers >= 3, "the second scaling should matter on most rows")
    }

    @Test func noTargetExplainsThePredictedClass() throws {
        let fixture = try SaliencyFixture()
        let maps = try fixture.model.attributions(
            of: fixture.inputs, targets: [Int?](repeating: nil, count: fixture.inputs.count))
        for map in maps {
            #expect(map.target == map.predicted)
            #expect(map.logits[map.target] == map.logits.max())
        }
        #expect(throws: LearnedFiltersError.self) {
            try fixture.model.attributions(of: [fixture.inputs[0]], targets: [10])
        }
    }

    /// The input gradient against central differences of the logit, the model evaluated in
    /// Double by ReferenceOps (float32 differences drown in rounding). The network is piecewise
    /// linear (ReLU, max pooling, dense), so a difference is exact only where no ReLU or
    /// pooling tie switches within the step: a pixel counts only where the forward and backward
    /// one-sided differences agree, and there the float32 gradient must match to 1e-5 of the
    /// largest. Black background pixels sit on such kinks (a filter's ReLU(bias) ties across a
    /// whole pooling window, and +h and -h pick different winners), so the check takes every
    /// other pixel of the digit's strokes, where most pixels are off kinks.
    @Test func inputGradientMatchesFiniteDifferences() throws {
        let fixture = try SaliencyFixture()
        let model = fixture.model
        for row in [0, 3] {
            let input = fixture.inputs[row]
            let target = fixture.targets[row]
            let pass = try model.inputGradient(
                Tensor(shape: [1, 28, 28, 1], values: input), throughLayer: model.layers.count - 1
            ) { output in
                var seed = Tensor(zeros: output.shape)
                seed.values[target] = 1
                return seed
            }
            let point = input.map(Double.init)
            let centre = try DoubleForward(model).logits(point)
            #expect(
                differenceOfRange(centre.map(Float.init), pass.output.values) < 1e-5,
                "row \(row): Double and float32 logits")
            let scale = pass.input.values.map { abs(Double($0)) }.max() ?? 0
            #expect(scale > 0)
            let step = 1e-4
            var (linear, tested) = (0, 0)
            let stroke = input.indices.filter { input[$0] > 0 }
            for pixel in stride(from: 0, to: stroke.count, by: 2).map({ stroke[$0] }) {
                var (up, down) = (point, point)
                up[pixel] += step
                down[pixel] -= step
                let forward = (try DoubleForward(model).logits(up)[target] - centre[target]) / step
                let backward =
                    (centre[target] - (try DoubleForward(model).logits(down)[target])) / step
                tested += 1
                guard abs(forward - backward) <= 1e-9 * max(1, abs(forward)) else { continue }
                linear += 1
                #expect(
                    abs(Double(pass.input.values[pixel]) - forward) <= 1e-5 * scale,
                    "row \(row), pixel \(pixel): \(pass.input.values[pixel]) vs \(forward)")
            }
            #expect(
                linear * 10 >= tested * 6,
                "row \(row): only \(linear) of \(tested) pixels off kinks")
        }
    }

    /// Weights that cancel on the way forward but not on the way back: the logits are finite,
    /// the input gradient (1e38 x 10 per pixel) is not, and that is an error, not a map.
    @Test(arguments: Implementation.allCases)
    func overflowingGradientsAreAnError(implementation: Implementation) throws {
        let model = try Model(
            architecture: try LayerSpec.parse("conv2d:1:2x2:s=2,flatten,dense:2"),
            inputShape: [4, 4, 1], seed: 1)
        let conv = try #require(model.layers[0].parameters.first { $0.name == "kernel" })
        conv.value = [1e38, -1e38, 1e38, -1e38]
        let dense = try #require(model.layers[2].parameters.first { $0.name == "kernel" })
        dense.value = [Float](repeating: 10, count: dense.value.count)
        let input = [Float](repeating: 0.5, count: 16)
        let logits = try model.forward(Tensor(shape: [1, 4, 4, 1], values: input)).values
        #expect(logits.allSatisfy { $0.isFinite })
        #expect(throws: LearnedFiltersError.gradientNotFinite) {
            try model.attributions(of: [input], targets: [nil], implementation: implementation)
        }
    }
}

/// A model's inference pass in Double through ReferenceOps, for finite differences.
struct DoubleForward {
    let model: Model

    init(_ model: Model) { self.model = model }

    /// The logits of one input.
    func logits(_ input: [Double]) throws -> [Double] {
        var value = input
        for layer in model.layers {
            switch layer {
            case let conv as Conv2D:
                value = ReferenceOps.convForward(
                    input: value, kernel: conv.kernel.value.map(Double.init),
                    bias: conv.bias.value.map(Double.init), batch: 1, geometry: conv.geometry,
                    filters: conv.filters)
                value = activated(value, conv.activation)
            case let pool as MaxPool2D:
                value =
                    ReferenceOps.maxPoolForward(input: value, batch: 1, geometry: pool.geometry)
                    .output
            case let dense as Dense:
                value = ReferenceOps.denseForward(
                    input: value, kernel: dense.kernel.value.map(Double.init),
                    bias: dense.bias.value.map(Double.init), batch: 1,
                    inputs: dense.inputShape[0], outputs: dense.outputShape[0])
                value = activated(value, dense.activation)
            case is Flatten, is Dropout:
                continue
            default:
                throw LearnedFiltersError.badInput("no Double forward for \(layer.name)")
            }
        }
        return value
    }

    private func activated(_ values: [Double], _ activation: Activation) -> [Double] {
        switch activation {
        case .linear: values
        case .relu: ReferenceOps.relu(values)
        default:
            preconditionFailure("the fixture model uses only linear and relu, not \(activation)")
        }
    }
}
