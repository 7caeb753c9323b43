// BLAS: the thin layer over OpenBLAS's cblas_sgemm used by the fast layers.

import COpenBLAS

/// Row-major single-precision matrix products through OpenBLAS.
enum BLAS {
    /// OpenBLAS set to one thread, once, before the first product: the layers split the batch
    /// over convkit's own threads (``BLASCore/runOnCallingThread()``).
    private static let singleThreaded: Void = BLASCore.runOnCallingThread()

    /// `C = alpha * op(A) * op(B) + beta * C` for row-major `A` (m x k after `op`), `B` (k x n
    /// after `op`) and `C` (m x n).
    static func gemm(
        transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
        beta: Float = 0, c: UnsafeMutablePointer<Float>
    ) {
        _ = singleThreaded
        let lda = transposeA ? m : k
        let ldb = transposeB ? k : n
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(n))
    }
}
