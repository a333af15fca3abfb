// The AVX512-VNNI peak of one core: vpdpbusd on 24 independent zmm
// accumulators (no loads, no dependencies beyond each accumulator's own
// chain), the upper bound for the int8 GEMM kernels. One vpdpbusd is
// 16 lanes x 4 u8*s8 products: 64 multiply-adds, counted as 128 ops.
//
//   clang-22 -O2 -mavx512f -mavx512vnni vnni_peak.c -o vnni_peak && ./vnni_peak
// prints the best of several runs in GOP/s.
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

int main(void) {
  const long iterations = 20000000;
  __m512i a = _mm512_set1_epi8(3), b = _mm512_set1_epi8(-2);
#define DECL(i) __m512i acc##i = _mm512_set1_epi32(i);
#define STEP(i) acc##i = _mm512_dpbusd_epi32(acc##i, a, b);
#define SUM(i) sink += _mm512_reduce_add_epi32(acc##i);
#define ALL(X)                                                                 \
  X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13)    \
      X(14) X(15) X(16) X(17) X(18) X(19) X(20) X(21) X(22) X(23)
  ALL(DECL)
  double best = 0;
  for (int run = 0; run < 5; ++run) {
    double start = now();
    for (long it = 0; it < iterations; ++it) {
      ALL(STEP)
      __asm__ volatile("" : "+v"(a));
    }
    double seconds = now() - start;
    double gops = 24.0 * 128.0 * iterations / seconds / 1e9;
    if (gops > best)
      best = gops;
  }
  int sink = 0;
  ALL(SUM)
  printf("vpdpbusd peak: %.0f GOP/s (checksum %d)\n", best, sink);
  return 0;
}
