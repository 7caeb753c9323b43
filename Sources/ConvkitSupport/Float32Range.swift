// Float32Range: whether a number read as Double can be filtered in Float32, the one test of
// every weight, fill value and other number that must fit the engine's precision.

extension Double {
    /// Whether this value is finite and rounds to a finite Float32, as numpy's `float32(v)`
    /// does: up to 3.4028235e38, the way numpy prints Float32's largest value, and not only up
    /// to that value's exact binary form (3.4028234663852886e38), which would refuse the printed
    /// one.
    package var fitsFloat32: Bool { Float(self).isFinite }
}
