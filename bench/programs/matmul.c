/* Floating-point kernel: dense double-precision matrix multiply (i-k-j order), repeated with
 * the output fed back into one input.
 * Usage: matmul [REPS] [N] */
#include "common.h"

int main(int argc, char** argv) {
  uint32_t reps = arg_u32(argc, argv, 1, 130);
  uint32_t n = arg_u32(argc, argv, 2, 192);
  double* a = malloc(sizeof(double) * n * n);
  double* b = malloc(sizeof(double) * n * n);
  double* c = malloc(sizeof(double) * n * n);
  if (!a || !b || !c) return 1;
  for (uint32_t i = 0; i < n * n; ++i) {
    a[i] = rng_unit();
    b[i] = rng_unit();
  }
  uint64_t h = 0;
  for (uint32_t r = 0; r < reps; ++r) {
    for (uint32_t i = 0; i < n * n; ++i) c[i] = 0.0;
    for (uint32_t i = 0; i < n; ++i) {
      double* ci = c + (size_t)i * n;
      for (uint32_t k = 0; k < n; ++k) {
        double aik = a[(size_t)i * n + k];
        const double* bk = b + (size_t)k * n;
        for (uint32_t j = 0; j < n; ++j) ci[j] += aik * bk[j];
      }
    }
    /* Normalise C back into a and keep values bounded. */
    double maxabs = 1e-300;
    for (uint32_t i = 0; i < n * n; ++i) {
      double v = c[i] < 0 ? -c[i] : c[i];
      if (v > maxabs) maxabs = v;
    }
    double scale = 1.0 / maxabs;
    for (uint32_t i = 0; i < n * n; ++i) a[i] = c[i] * scale;
    h = mix_double(h, c[(r * 7919u) % (n * n)]);
    h = mix_double(h, maxabs);
  }
  for (uint32_t i = 0; i < n * n; i += 17) h = mix_double(h, c[i]);
  print_checksum("matmul", h);
  free(a);
  free(b);
  free(c);
  return 0;
}
