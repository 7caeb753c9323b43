// KernelProperties: what the engine asks of a kernel to pick defaults (output range, alpha rule).

extension Kernel {
    /// Whether the weights sum to 0 (within rounding): edge and derivative detectors such as
    /// Sobel, Scharr, Laplacian, LoG and DoG. Their output is signed around 0, so `filter`
    /// normalises it by default instead of clamping.
    public var isZeroSum: Bool {
        abs(sum) <= 1e-9 * weights.reduce(0) { $0 + abs($1) }
    }

    /// Whether the kernel is a blur: no negative weight and at least one positive weight (box,
    /// Gaussian, disk). Blurs are applied to premultiplied colour so transparent pixels do not
    /// bleed dark fringes.
    public var isBlur: Bool {
        weights.allSatisfy { $0 >= 0 } && weights.contains { $0 > 0 }
    }
}

extension Kernel {
    /// The sum of the weights' magnitudes: the most one output can grow over its inputs.
    package var magnitudeSum: Double { weights.reduce(0) { $0 + abs($1) } }
}
