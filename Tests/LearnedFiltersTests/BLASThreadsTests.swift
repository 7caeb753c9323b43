// BLASThreadsTests: OpenBLAS's pool stopped, and its products still right on the calling thread.

import CConvKernels
import COpenBLAS
import Testing

@testable import LearnedFilters

@Suite struct BLASThreadsTests {
    @Test func openBLASPoolStopsAndProductsStayRight() {
        BLASCore.runOnCallingThread()
        // The shutdown was found (so the pool it names is gone) and running it again is harmless.
        #expect(ck_stop_blas_threads() == 1)
        // [[1, 2], [3, 4]] x [[5, 6], [7, 8]] = [[19, 22], [43, 50]].
        let a: [Float] = [1, 2, 3, 4]
        let b: [Float] = [5, 6, 7, 8]
        var c = [Float](repeating: .nan, count: 4)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    BLAS.gemm(
                        m: 2, n: 2, k: 2, a: a.baseAddress!, b: b.baseAddress!,
                        c: c.baseAddress!)
                }
            }
        }
        #expect(c == [19, 22, 43, 50])
        #expect(openblas_get_num_threads() == 1)
    }
}
