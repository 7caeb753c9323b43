// ReferenceConvolutionTests: the plain Double loops against scipy and PyTorch, case by case.

import ConvkitTestSupport
import Convolution
import Testing

@Suite struct ReferenceConvolutionTests {
    @Test func fixturesAreThere() {
        #expect(Fixtures.scipy.count >= 150)
        #expect(Fixtures.torch.count >= 10)
    }

    @Test(arguments: Fixtures.all)
    func matchesReference(_ fixture: ConvolutionFixture) throws {
        let result = try Convolution.apply(
            fixture.makeKernel(), to: fixture.inputPlane(), options: fixture.options())
        #expect(result.rows == fixture.expected.rows)
        #expect(result.columns == fixture.expected.columns)
        #expect(maxDifference(result.values, fixture.expected.values) <= fixture.tolerance * 1e-4)
    }

    @Test func convolveFlipsAndCorrelateDoesNot() throws {
        // A single 1 in the middle of the image reproduces the kernel: flipped by correlate,
        // as written by convolve (scipy's defining property of the two).
        var values = [Double](repeating: 0, count: 25)
        values[12] = 1
        let impulse = try Plane(rows: 5, columns: 5, values: values)
        let kernel = try Kernel(
            name: "k", rows: 3, columns: 3, weights: [1, 2, 3, 4, 5, 6, 7, 8, 9])
        let convolved = try Convolution.apply(
            kernel, to: impulse, options: ConvolutionOptions(operation: .convolve, mode: .valid))
        let correlated = try Convolution.apply(
            kernel, to: impulse, options: ConvolutionOptions(operation: .correlate, mode: .valid))
        #expect(convolved.values == [1, 2, 3, 4, 5, 6, 7, 8, 9])
        #expect(correlated.values == [9, 8, 7, 6, 5, 4, 3, 2, 1])
    }
}
