// ImageFilter: kernels applied to every channel of an image, with the alpha rules and combinations.

import ConvkitSupport
import ImageIO

/// What happens to an alpha channel while colour is filtered.
public enum AlphaPolicy: String, Sendable, CaseIterable {
    /// Premultiply for blurs (no dark fringes around transparent areas), pass through otherwise.
    case auto
    /// Colour is multiplied by alpha, both are filtered, then colour is divided by the new alpha.
    case premultiply
    /// Alpha is kept as it is (resampled to the output's geometry), never edge-filtered.
    case pass
    /// Alpha is filtered like any other channel.
    case filter
}

/// A filter for whole images: each step is one `--kernel` (several kernels in a step, such as the
/// eight Kirsch compass kernels, combine by the per-pixel maximum of their responses), steps apply
/// in order with the same options, and `magnitude` instead combines exactly two steps, each applied
/// to the input, as `sqrt(a^2 + b^2)`.
public struct ImageFilter: Sendable {
    /// The steps in order; a step of several kernels (a compass set) takes their per-pixel maximum.
    public var steps: [[Kernel]]
    /// The arithmetic every kernel uses.
    public var options: ConvolutionOptions
    /// Combine exactly two steps, each applied to the input, as `sqrt(a^2 + b^2)`.
    public var magnitude: Bool
    /// What happens to an alpha channel.
    public var alpha: AlphaPolicy
    /// Compute with the Float64 reference loops instead of the Float32 fast paths.
    public var float64: Bool

    // Written out: Swift synthesizes a memberwise initializer only at internal access, and
    // without the command line's defaults.
    /// A filter of `steps`, with the command line's defaults for everything else.
    public init(
        steps: [[Kernel]], options: ConvolutionOptions = ConvolutionOptions(),
        magnitude: Bool = false,
        alpha: AlphaPolicy = .auto, float64: Bool = false
    ) {
        (self.steps, self.options, self.magnitude) = (steps, options, magnitude)
        (self.alpha, self.float64) = (alpha, float64)
    }

    /// The alpha rule actually used: `auto` becomes `premultiply` when every kernel is a blur.
    public var effectiveAlpha: AlphaPolicy {
        guard alpha == .auto else { return alpha }
        return steps.allSatisfy { $0.allSatisfy(\.isBlur) } && !magnitude ? .premultiply : .pass
    }

    /// One line per step saying which algorithm runs and why (for `--verbose`).
    package func planDescriptions(rows: Int, columns: Int) throws -> [String] {
        var lines = [String]()
        var size = (rows: rows, columns: columns)
        for step in steps {
            for kernel in step {
                let plan = try ConvolutionPlan(
                    kernel: kernel, inputRows: size.rows, inputColumns: size.columns,
                    options: options)
                let path = float64 ? "reference Float64 loops (requested)" : plan.reason
                lines.append(
                    "\(kernel.name) on \(size.columns)x\(size.rows) -> \(plan.geometry.output.columns)x\(plan.geometry.output.rows): \(path)"
                )
            }
            if !magnitude, let first = step.first {
                let g = try ConvolutionGeometry(
                    inputRows: size.rows, inputColumns: size.columns, kernelRows: first.rows,
                    kernelColumns: first.columns, kernelName: first.name, options: options)
                size = (g.output.rows, g.output.columns)
            }
        }
        return lines
    }

    /// Filters every channel of `image`. Colour channels are filtered as the steps say; alpha
    /// follows ``effectiveAlpha``.
    public func apply(to image: Image) throws -> FilteredImage {
        try apply(to: image, fillingRows: [])
    }

    /// ``apply(to:)`` on a band of a boundary-extended image, whose rows `fillRows` stand for
    /// rows outside the image under `--boundary fill`: their colour and alpha become the fill
    /// value after premultiplication, as the whole image's extension would have it.
    func apply(to image: Image, fillingRows fillRows: [Int]) throws -> FilteredImage {
        guard !steps.isEmpty, steps.allSatisfy({ !$0.isEmpty }) else {
            throw ConvolutionError.shapeMismatch("no kernel to apply")
        }
        guard !magnitude || steps.count == 2 else {
            throw ConvolutionError.shapeMismatch(
                "a magnitude combines exactly two kernels, got \(steps.count)")
        }
        let maxValue = Float(image.maxSampleValue)
        var planes = ImagePlanes.split(image)
        var alphaPlane: Plane<Float>? = image.hasAlpha ? planes.removeLast() : nil
        let policy = effectiveAlpha
        if policy == .premultiply, let alpha = alphaPlane {
            planes = planes.map { plane in premultiplied(plane, by: alpha, maxValue: maxValue) }
        }
        if !fillRows.isEmpty, case .fill(let value) = options.boundary {
            planes = planes.map { filled($0, rows: fillRows, with: Float(value)) }
            alphaPlane = alphaPlane.map { filled($0, rows: fillRows, with: Float(value)) }
        }
        var colour = try planes.map { try run($0) }
        if let alpha = alphaPlane {
            switch policy {
            case .premultiply:
                let filteredAlpha = try run(alpha)
                colour = colour.map { unpremultiplied($0, by: filteredAlpha, maxValue: maxValue) }
                alphaPlane = filteredAlpha
            case .filter, .auto:
                alphaPlane = try run(alpha)
            case .pass:
                alphaPlane = try passThrough(alpha)
            }
        }
        return FilteredImage(colour: colour, alpha: alphaPlane, maxValue: image.maxSampleValue)
    }

    /// All steps on one plane, in Float32 (or the Float64 reference loops when ``float64``).
    func run(_ plane: Plane<Float>) throws -> Plane<Float> {
        try run(plane, convolve: convolve)
    }

    /// All steps on one plane, each kernel applied by `convolve`: the combination rules (steps in
    /// order, compass sets by maximum, `magnitude`) are the same at every precision.
    func run<Scalar>(
        _ plane: Plane<Scalar>, convolve: (Kernel, Plane<Scalar>) throws -> Plane<Scalar>
    ) throws -> Plane<Scalar> {
        if magnitude {
            let a = try step(steps[0], on: plane, convolve: convolve)
            let b = try step(steps[1], on: plane, convolve: convolve)
            try requireSameSize(a, b, what: "the magnitude's two kernels")
            return Plane(
                unchecked: a.rows, columns: a.columns,
                values: zip(a.values, b.values).map(Self.hypotenuse))
        }
        var current = plane
        for kernels in steps { current = try step(kernels, on: current, convolve: convolve) }
        return current
    }

    /// `sqrt(a^2 + b^2)` without overflowing in the squares when the result itself fits.
    static func hypotenuse<Scalar: BinaryFloatingPoint>(_ a: Scalar, _ b: Scalar) -> Scalar {
        if a.isNaN || b.isNaN { return .nan }
        let large = Swift.max(Swift.abs(a), Swift.abs(b))
        guard large > 0, large.isFinite else { return large }
        let (x, y) = (a / large, b / large)
        return large * (x * x + y * y).squareRoot()
    }

    /// One step: one kernel, or the per-pixel maximum over a compass set.
    private func step<Scalar>(
        _ kernels: [Kernel], on plane: Plane<Scalar>,
        convolve: (Kernel, Plane<Scalar>) throws -> Plane<Scalar>
    ) throws -> Plane<Scalar> {
        var result: Plane<Scalar>?
        for kernel in kernels {
            let response = try convolve(kernel, plane)
            if let previous = result {
                try requireSameSize(previous, response, what: "the kernels of one set")
                result = Plane(
                    unchecked: response.rows, columns: response.columns,
                    values: zip(previous.values, response.values).map { Swift.max($0, $1) })
            } else {
                result = response
            }
        }
        return result ?? plane
    }

    private func convolve(_ kernel: Kernel, _ plane: Plane<Float>) throws -> Plane<Float> {
        guard float64 else { return try Convolution.apply(kernel, to: plane, options: options) }
        let double = Plane<Double>(
            unchecked: plane.rows, columns: plane.columns, values: plane.values.map(Double.init))
        let result = try ReferenceConvolution.apply(kernel, to: double, options: options)
        return Plane(
            unchecked: result.rows, columns: result.columns, values: result.values.map(Float.init))
    }

    private func requireSameSize<Scalar>(_ a: Plane<Scalar>, _ b: Plane<Scalar>, what: String)
        throws
    {
        guard a.rows == b.rows, a.columns == b.columns else {
            throw ConvolutionError.shapeMismatch(
                "\(what) give outputs of different sizes, \(a.columns)x\(a.rows) and \(b.columns)x\(b.rows)"
            )
        }
    }

    /// Alpha carried through the same geometry as colour: each step becomes a single 1 at the
    /// kernel's anchor (the tap 'same' mode centres on), so in 'same' mode alpha is unchanged.
    func passThrough(_ alpha: Plane<Float>) throws -> Plane<Float> {
        var current = alpha
        let passes = magnitude ? Array(steps.prefix(1)) : steps
        for kernels in passes {
            guard let kernel = kernels.first else { continue }
            var weights = [Double](repeating: 0, count: kernel.rows * kernel.columns)
            let row = anchor(kernel.rows, dilation: options.dilation.rows)
            let column = anchor(kernel.columns, dilation: options.dilation.columns)
            weights[row * kernel.columns + column] = 1
            let delta = try Kernel(
                name: "alpha", rows: kernel.rows, columns: kernel.columns, weights: weights)
            current = try Convolution.apply(delta, to: current, options: options)
        }
        return current
    }

    /// The kernel index (as written) that 'same' mode places over each output's own pixel.
    private func anchor(_ size: Int, dilation: Int) -> Int {
        let span = dilatedKernelSpan(kernel: size, dilation: dilation)
        let before = ConvolutionGeometry.modePadding(
            span: span, mode: .same, operation: options.operation
        ).before
        let tap = Swift.min(size - 1, before / dilation)
        return options.operation == .convolve ? size - 1 - tap : tap
    }

    func filled(_ plane: Plane<Float>, rows: [Int], with value: Float) -> Plane<Float> {
        var result = plane
        for row in rows {
            for column in 0..<plane.columns { result.values[row * plane.columns + column] = value }
        }
        return result
    }

    func premultiplied<Scalar>(_ plane: Plane<Scalar>, by alpha: Plane<Scalar>, maxValue: Scalar)
        -> Plane<Scalar>
    {
        Plane(
            unchecked: plane.rows, columns: plane.columns,
            values: zip(plane.values, alpha.values).map { $0 * $1 / maxValue })
    }

    func unpremultiplied<Scalar>(
        _ plane: Plane<Scalar>, by alpha: Plane<Scalar>, maxValue: Scalar
    ) -> Plane<Scalar> {
        Plane(
            unchecked: plane.rows, columns: plane.columns,
            values: zip(plane.values, alpha.values).map {
                $1 > 1e-6 * maxValue ? $0 * maxValue / $1 : 0
            })
    }
}
