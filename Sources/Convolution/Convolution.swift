// Convolution: the public entry point that plans a convolution and runs the chosen path.

import ConvkitSupport
import ImageIO

/// Convolution and correlation of planes, matching scipy and PyTorch.
///
/// `apply` on `Plane<Float>` computes in Float32 with the planner's fastest path (direct SIMD,
/// separable or FFT, on every core); on `Plane<Double>` it runs the plain reference loops in
/// Float64, for exactness checks. Both give `scipy.signal.convolve2d(x, k, mode, boundary,
/// fillvalue)` for `.convolve`, `correlate2d` for `.correlate`, and with padding, stride and
/// dilation `torch.nn.functional.conv2d` (see ``ConvolutionOptions``).
public enum Convolution {
    /// Convolves `input` with `kernel` in Float32 on the path the planner chooses.
    public static func apply(
        _ kernel: Kernel, to input: Plane<Float>, options: ConvolutionOptions = ConvolutionOptions()
    ) throws -> Plane<Float> {
        let plan = try ConvolutionPlan(
            kernel: kernel, inputRows: input.rows, inputColumns: input.columns, options: options)
        return try apply(plan, to: input)
    }

    /// Runs a plan made for this input's size.
    package static func apply(_ plan: ConvolutionPlan, to input: Plane<Float>) throws -> Plane<
        Float
    > {
        let g = plan.geometry
        guard input.rows == g.input.rows, input.columns == g.input.columns else {
            throw ConvolutionError.shapeMismatch(
                "plan made for \(g.input.columns)x\(g.input.rows), input is \(input.columns)x\(input.rows)"
            )
        }
        let threads = ThreadPolicy.resolve(plan.options.threads)
        let weights = plan.effective.weights.map(Float.init)
        let values: [Float]
        switch plan.path {
        case .reference:
            let double = try Plane<Double>(
                rows: input.rows, columns: input.columns, values: input.values.map(Double.init))
            let kernel =
                plan.options.operation == .convolve ? plan.effective.flipped : plan.effective
            let result = try ReferenceConvolution.apply(kernel, to: double, options: plan.options)
            values = result.values.map(Float.init)
        case .direct, .separable, .fft:
            values = try input.values.withUnsafeBufferPointer { buffer in
                let source = PaddedRows(
                    input: buffer.baseAddress!, inputRows: input.rows, inputColumns: input.columns,
                    geometry: g, boundary: plan.options.boundary)
                return try run(plan, source: source, weights: weights, threads: threads)
            }
        }
        return Plane(unchecked: g.output.rows, columns: g.output.columns, values: values)
    }

    /// Runs a plan made for this image's size on channel `channel` of `image`, in Float32. An
    /// 8-bit image is convolved from its samples, each worker widening only the rows it reads
    /// into a few reused rows (no float copy of the image); the result is the same as
    /// `apply(_:to:)` on the channel's float plane, value for value.
    package static func apply(_ plan: ConvolutionPlan, channel: Int, of image: Image) throws
        -> Plane<Float>
    {
        let g = plan.geometry
        guard image.height == g.input.rows, image.width == g.input.columns,
            (0..<image.channels).contains(channel)
        else {
            throw ConvolutionError.shapeMismatch(
                "plan made for \(g.input.columns)x\(g.input.rows), image is \(image.width)x\(image.height) with \(image.channels) channels, channel \(channel) asked for"
            )
        }
        guard case .uint8(let samples) = image.samples, plan.path != .reference else {
            return try apply(plan, to: ImagePlanes.split(image)[channel])
        }
        let threads = ThreadPolicy.resolve(plan.options.threads)
        let weights = plan.effective.weights.map(Float.init)
        let values = try samples.withUnsafeBufferPointer { buffer in
            let source = PaddedRows(
                samples: buffer.baseAddress!, channel: channel, of: image.channels,
                inputRows: image.height, inputColumns: image.width, geometry: g,
                boundary: plan.options.boundary)
            return try run(plan, source: source, weights: weights, threads: threads)
        }
        return Plane(unchecked: g.output.rows, columns: g.output.columns, values: values)
    }

    private static func run(
        _ plan: ConvolutionPlan, source: PaddedRows, weights: [Float], threads: Int
    ) throws -> [Float] {
        let g = plan.geometry
        switch plan.path {
        case .separable:
            guard let factors = plan.factors else {
                throw ConvolutionError.pathNotApplicable(.separable, "the kernel is not rank 1")
            }
            return SeparableConvolution.run(
                source, column: factors.column.map(Float.init), row: factors.row.map(Float.init),
                geometry: g, threads: threads, fused: FusedSums.active)
        case .fft:
            guard
                let result = FFTConvolution.run(
                    source, weights: weights, geometry: g, threads: threads,
                    rowTile: plan.options.fftRowTile)
            else {
                throw ConvolutionError.tooLarge(
                    "FFTW could not allocate or plan tiles for a \(g.padded.columns)x\(g.padded.rows) image"
                )
            }
            return result
        default:
            return DirectConvolution.run(
                source, weights: weights, geometry: g, threads: threads, fused: FusedSums.active)
        }
    }

    /// Convolves `input` with `kernel` in Float64 with the plain reference loops.
    public static func apply(
        _ kernel: Kernel, to input: Plane<Double>,
        options: ConvolutionOptions = ConvolutionOptions()
    ) throws -> Plane<Double> {
        try ReferenceConvolution.apply(kernel, to: input, options: options)
    }

}
