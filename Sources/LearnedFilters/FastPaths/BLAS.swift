// BLAS: the thin layer over OpenBLAS's cblas_sgemm used by the fast layers.

import COpenBLAS

/// Row-major single-precision matrix products through OpenBLAS.
enum BLAS {
    /// OpenBLAS set to one thread, once, before the first product: the layers split the batch
    /// over convkit's own threads, which keeps each thread's matrices in cache and avoids
    /// OpenBLAS's spinning workers competing with them.
    private static let singleThreaded: Void = openblas_set_num_threads(1)

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
