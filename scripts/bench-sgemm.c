// bench-sgemm.c: the single-thread rate of the system OpenBLAS's cblas_sgemm, on a large square
// product and on the shapes of the Winograd products of the tutorial network's second layer
// (a block of 4 samples: 196 tiles, 32 channels, 64 filters), forward (beta 0), input gradient
// (beta 0) and kernel gradient (A transposed, beta 1): the rates over which an epoch's FLOP count
// gives the floor of its products in time. Best of 5 repeats, GFLOPS.
//
//   cc -O2 scripts/bench-sgemm.c -o /tmp/bench-sgemm -lopenblas && /tmp/bench-sgemm
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static void run(const char *name, int ta, int m, int n, int k, double beta, int reps) {
  float *a = malloc(sizeof(float) * m * k), *b = malloc(sizeof(float) * k * n), *c = malloc(sizeof(float) * m * n);
  for (int i = 0; i < m * k; i++) a[i] = (float)(i % 7) * 0.1f;
  for (int i = 0; i < k * n; i++) b[i] = (float)(i % 5) * 0.1f;
  for (int i = 0; i < m * n; i++) c[i] = 0;
  double best = 1e9;
  for (int r = 0; r < 5; r++) {
    double t = now();
    for (int i = 0; i < reps; i++)
      cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, CblasNoTrans, m, n, k, 1, a, ta ? m : k, b, n, beta, c, n);
    t = now() - t;
    if (t < best) best = t;
  }
  printf("%-40s %6.1f GFLOPS\n", name, 2.0 * m * n * k * reps / best / 1e9);
  free(a); free(b); free(c);
}
int main(void) {
  openblas_set_num_threads(1);
  printf("OpenBLAS core: %s\n", openblas_get_corename());
  run("2048x2048x2048", 0, 2048, 2048, 2048, 0, 3);
  run("forward    196x64, k=32 (beta 0)", 0, 196, 64, 32, 0, 20000);
  run("input grad 196x32, k=64 (beta 0)", 0, 196, 32, 64, 0, 20000);
  run("kernel grad 32x64, k=196 (A^T, beta 1)", 1, 32, 64, 196, 1, 20000);
  return 0;
}
