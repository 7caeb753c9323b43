// ConvolutionPlanner: picks direct, separable or FFT for a kernel and an image, and says why.

/// A decided convolution: its sizes, the algorithm, and the reason in words (what
/// `convkit filter --verbose` prints).
package struct ConvolutionPlan: Sendable {
    package let geometry: ConvolutionGeometry
    package let path: ConvolutionPath
    package let reason: String
    package let options: ConvolutionOptions
    /// The kernel as it is correlated: flipped for `convolve`, as written for `correlate`.
    let effective: Kernel
    /// Rank-1 factors of `effective` when the path is separable.
    let factors: (column: [Double], row: [Double])?

    /// Decides how to convolve a `inputRows x inputColumns` plane with `kernel`. A path forced in
    /// `options.path` is used if it can compute the result, otherwise this throws.
    ///
    /// Rules: dilated kernels go direct (sparse taps over a wide span); a rank-1 kernel whose two
    /// passes cost at most half its taps goes separable, and so does any other whose passes
    /// run in registers (``SeparableConvolution/fitsRegisters(rows:columns:columnStride:columnDilation:)``);
    /// other kernels with more than ``fftThreshold`` taps go FFT; the rest go direct.
    ///
    /// Measured with `convkit bench crossover --size 1024 --repeat 3` (2 threads, AVX2 + FMA
    /// sums, machine loaded by other work, so only the order matters), median ms direct /
    /// separable: rank-1 3x3 1.0 / 0.8, 4x4 1.8 / 1.0, 5x5 4.5 / 1.2, 9x9 18.4 / 2.0; the rule
    /// switches at 4x4, where separable is clearly ahead (at 3x3 the two are within the noise).
    /// With the passes in registers, each row one call, and the direct sums on AVX-512
    /// (`--repeat 31`, quiet, three runs), direct / separable: 2x2 0.36-0.38 / 0.30-0.32 on 1
    /// thread and 0.26 / 0.22-0.27 on 2, 3x3 0.42-0.43 / 0.28-0.31 and 0.29-0.32 / 0.24-0.25.
    package init(kernel: Kernel, inputRows: Int, inputColumns: Int, options: ConvolutionOptions)
        throws
    {
        geometry = try ConvolutionGeometry(
            inputRows: inputRows, inputColumns: inputColumns, kernelRows: kernel.rows,
            kernelColumns: kernel.columns, kernelName: kernel.name, options: options)
        self.options = options
        effective = options.operation == .convolve ? kernel.flipped : kernel
        let taps = kernel.rows * kernel.columns
        let passes = kernel.rows + kernel.columns
        let isTwoDimensional = kernel.rows > 1 && kernel.columns > 1
        let rankOne = isTwoDimensional ? effective.separableFactors() : nil
        let size = "\(kernel.columns)x\(kernel.rows)"
        if let forced = options.path {
            if forced == .separable && rankOne == nil {
                throw ConvolutionError.pathNotApplicable(
                    .separable, "kernel '\(kernel.name)' (\(size)) is not rank 1")
            }
            path = forced
            factors = forced == .separable ? rankOne : nil
            reason = "\(forced.rawValue) (requested)"
            return
        }
        let dilated = options.dilation != AxisPair(1)
        if dilated {
            path = .direct
            factors = nil
            reason =
                "direct SIMD: the \(size) kernel is dilated, so its cost is its \(taps) taps, not its span"
        } else if let rankOne, 2 * passes <= taps {
            path = .separable
            factors = rankOne
            reason =
                "separable: the \(size) kernel is rank 1, so two 1-D passes cost \(passes) multiplies per output instead of \(taps)"
        } else if let rankOne,
            SeparableConvolution.fitsRegisters(
                rows: kernel.rows, columns: kernel.columns, columnStride: options.stride.columns,
                columnDilation: 1)
        {
            path = .separable
            factors = rankOne
            reason =
                "separable: the \(size) kernel is rank 1, and its two passes in AVX-512 registers load each input value once per output row where \(taps) direct taps load it \(kernel.columns) times"
        } else if taps > Self.fftThreshold {
            path = .fft
            factors = nil
            let why =
                rankOne == nil ? "not separable" : "separable but too large for two passes to pay"
            reason =
                "fft: the \(size) kernel is \(why) and has \(taps) taps (more than \(Self.fftThreshold)), "
                + "where FFTW tiles cost less than direct sums"
        } else {
            path = .direct
            factors = nil
            let why =
                rankOne != nil && isTwoDimensional
                ? "rank 1 but two passes (\(passes)) save too little over \(taps) taps"
                : (isTwoDimensional ? "not separable" : "one-dimensional")
            reason =
                "direct SIMD: the \(size) kernel is \(why), and \(taps) taps are few enough to sum directly"
        }
    }

    /// Above this many taps a non-separable kernel goes to the FFT path. Measured with `convkit
    /// bench crossover --size 1024 --repeat 31` (quiet, direct sums on 16 lanes), median ms
    /// direct / FFT on 1 thread: random 9x9 3.2 / 8.4, 11x11 4.4-5.1 / 10.6-11.4, 13x13 6.8 /
    /// 4.8, 15x15 9.9 / 5.1; on 2 threads 11x11 2.8 / 5.8, 13x13 4.0 / 2.7: direct wins up to
    /// 11x11 (121 taps), FFT from 13x13.
    package static let fftThreshold = 121
}
