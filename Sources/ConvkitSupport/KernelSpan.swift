// KernelSpan: the extent of a dilated kernel, `d*(k-1)+1`, in the one place every module
// (convolution, layers, diagrams, model export) reads it from.

/// The extent of a kernel of size `kernel` with `dilation` along one axis: `d*(k-1)+1` cells.
/// Every module that needs a dilated kernel's size calls this one function.
package func dilatedKernelSpan(kernel: Int, dilation: Int) -> Int {
    dilation * (kernel - 1) + 1
}
