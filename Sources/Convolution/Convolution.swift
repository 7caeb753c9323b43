// Convolution: the public entry point that plans a convolution and runs the chosen path.

/// Convolution and correlation of planes, matching scipy and PyTorch.
///
/// `apply` on `Plane<Float>` computes in Float32 with the planner's fastest path (direct SIMD,
/// separable or FFT, on every core); on `Plane<Double>` it runs the plain reference loops in
/// Float64, for exactness checks. Both give `scipy.signal.convolve2d(x, k, mode, boundary,
/// fillvalue)` for `.convolve`, `correlate2d` for `.correlate`, and with padding, stride and
/// dilation `torch.nn.functional.conv2d` (see ``ConvolutionOptions``).
public enum Convolution {
    /// Convolves `input` with `kernel` in Float32 on the path the planner chooses.
    public static func apply(_ kernel: Kernel, to input: Plane<Float>, options: ConvolutionOptions = ConvolutionOptions()) throws -> Plane<Float> {
        let plan = try ConvolutionPlan(kernel: kernel, inputRows: input.rows, inputColumns: input.columns, options: options)
        return try apply(plan, to: input)
    }

    /// Runs a plan made for this input's size.
    public static func apply(_ plan: ConvolutionPlan, to input: Plane<Float>) throws -> Plane<Float> {
        let g = plan.geometry
        guard input.rows == g.input.rows, input.columns == g.input.columns else {
            throw ConvolutionError.shapeMismatch("plan made for \(g.input.rows)x\(g.input.columns), input is \(input.rows)x\(input.columns)")
        }
        let threads = Parallel.threadCount(plan.options.threads)
        let weights = plan.effective.weights.map(Float.init)
        let values: [Float]
        switch plan.path {
        case .reference:
            let double = try Plane<Double>(rows: input.rows, columns: input.columns, values: input.values.map(Double.init))
            let kernel = plan.options.operation == .convolve ? plan.effective.flipped : plan.effective
            let result = try ReferenceConvolution.apply(kernel, to: double, options: plan.options)
            values = result.values.map(Float.init)
        case .direct:
            let padded = PaddedPlane(input, geometry: g, boundary: plan.options.boundary, threads: threads)
            values = DirectConvolution.run(padded, weights: weights, geometry: g, threads: threads)
        case .separable:
            guard let factors = plan.factors else {
                throw ConvolutionError.pathNotApplicable(.separable, "the kernel is not rank 1")
            }
            let padded = PaddedPlane(input, geometry: g, boundary: plan.options.boundary, threads: threads)
            values = SeparableConvolution.run(padded, column: factors.column.map(Float.init), row: factors.row.map(Float.init),
                                              geometry: g, threads: threads)
        case .fft:
            let padded = PaddedPlane(input, geometry: g, boundary: plan.options.boundary, threads: threads)
            guard let result = FFTConvolution.run(padded, weights: weights, geometry: g, threads: threads) else {
                throw ConvolutionError.tooLarge("FFTW could not allocate or plan \(g.padded.rows)x\(g.padded.columns) tiles")
            }
            values = result
        }
        return Plane(unchecked: g.output.rows, columns: g.output.columns, values: values)
    }

    /// Convolves `input` with `kernel` in Float64 with the plain reference loops.
    public static func apply(_ kernel: Kernel, to input: Plane<Double>, options: ConvolutionOptions = ConvolutionOptions()) throws -> Plane<Double> {
        try ReferenceConvolution.apply(kernel, to: input, options: options)
    }

}
