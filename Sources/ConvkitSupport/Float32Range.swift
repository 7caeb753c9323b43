// Float32Range: whether a number read as Double can be filtered in Float32, the one test of
// every weight, fill value and other number that must fit the engine's precision.

extension Double {
    /// Whether this value is finite and rounds to a finite Float32, as numpy's `float32(v)`
    /// does: up to 3.4028235e38, the way numpy prints Float32's largest value, and not only up
    /// to that value's exact binary form (3.4028234663852886e38), which would refuse the printed
    /// one.
    package var fitsFloat32: Bool { Float(self).isFinite }
}

extension Double {
    /// Whether Float32 changes this value in a way that changes what a kernel means: a non-zero
    /// value that underflows to 0 (below Float32's smallest subnormal, about 1.4e-45), or a
    /// whole number from 2^24 to 2^53 that Float32 cannot hold (16777217 becomes 16777216), as
    /// integer kernels are expected to be exact. Ordinary rounding of a fraction (0.1) does not
    /// count, nor of a number beyond 2^53 (1e30), which Double does not hold as written either.
    package var isChangedByFloat32: Bool {
        let single = Float(self)
        if self != 0 && single == 0 { return true }
        return (0x1p24...0x1p53).contains(abs(self)) && self == rounded()
            && Double(single) != self
    }
}
