// ReferenceConvolution: the plain, obviously correct convolution every fast path is tested against.

/// Convolution in Double with the most direct loops: for each output, sum kernel weight times
/// the boundary-extended input value. No buffers, no SIMD, no threads; slow but easy to check.
package enum ReferenceConvolution {
    /// Convolves (or correlates) `input` with `kernel` as the options say; the result matches
    /// `scipy.signal.convolve2d`/`correlate2d` and `torch.nn.functional.conv2d` exactly in Double.
    package static func apply(
        _ kernel: Kernel, to input: Plane<Double>, options: ConvolutionOptions
    )
        throws -> Plane<Double>
    {
        let geometry = try ConvolutionGeometry(
            inputRows: input.rows, inputColumns: input.columns, kernelRows: kernel.rows,
            kernelColumns: kernel.columns, kernelName: kernel.name, options: options)
        let effective = options.operation == .convolve ? kernel.flipped : kernel
        let fill: Double
        if case .fill(let value) = options.boundary { fill = value } else { fill = 0 }
        var output = Plane<Double>(
            rows: geometry.output.rows, columns: geometry.output.columns, repeating: 0)
        for outRow in 0..<geometry.output.rows {
            for outColumn in 0..<geometry.output.columns {
                var sum = 0.0
                for r in 0..<kernel.rows {
                    let y =
                        outRow * geometry.stride.rows + r * geometry.dilation.rows
                        - geometry.before.rows
                    let sourceRow = options.boundary.sourceIndex(y, count: input.rows)
                    for c in 0..<kernel.columns {
                        let x =
                            outColumn * geometry.stride.columns + c * geometry.dilation.columns
                            - geometry.before.columns
                        let value: Double
                        if let sourceRow,
                            let sourceColumn = options.boundary.sourceIndex(x, count: input.columns)
                        {
                            value = input[sourceRow, sourceColumn]
                        } else {
                            value = fill
                        }
                        sum += effective[r, c] * value
                    }
                }
                output.values[outRow * geometry.output.columns + outColumn] = sum
            }
        }
        return output
    }
}
