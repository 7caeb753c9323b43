// ThreadCountTests: a thread count from a caller, however large, is brought within the thread
// policy's maximum instead of overflowing the loops' band arithmetic (a trap), and the result
// does not depend on it.

import Convolution
import Testing

@Suite struct ThreadCountTests {
    @Test(arguments: [ConvolutionPath.direct, .separable, .fft])
    func hugeThreadCountGivesTheOneThreadResult(path: ConvolutionPath) throws {
        let input = try TestData.float(TestData.plane(rows: 67, columns: 45, seed: 11))
        let kernel =
            path == .separable
            ? try TestData.rankOneKernel(rows: 3, columns: 5, seed: 12)
            : try TestData.kernel(rows: 4, columns: 3, seed: 13)
        let one = try Convolution.apply(
            kernel, to: input, options: ConvolutionOptions(threads: 1, path: path))
        for threads in [Int.max, 1 << 40, 257] {
            let many = try Convolution.apply(
                kernel, to: input, options: ConvolutionOptions(threads: threads, path: path))
            #expect(many == one, "\(threads) threads")
        }
    }
}
