/* Floating-point kernel: single-precision 2-D heat diffusion (Jacobi iteration, 5-point
 * stencil) on a grid with fixed borders and a heat source, then a 9-point smoothing pass.
 * Usage: stencil [ITERATIONS] [SIZE] */
#include "common.h"

int main(int argc, char** argv) {
  uint32_t iters = arg_u32(argc, argv, 1, 9000);
  uint32_t n = arg_u32(argc, argv, 2, 320);
  float* u = calloc((size_t)n * n, sizeof(float));
  float* v = calloc((size_t)n * n, sizeof(float));
  float* src = calloc((size_t)n * n, sizeof(float));
  if (!u || !v || !src) return 1;
  for (uint32_t k = 0; k < 64; ++k) {
    uint32_t i = 1 + rng_below(n - 2), j = 1 + rng_below(n - 2);
    src[i * n + j] = (float)(rng_unit() * 4.0);
  }
  for (uint32_t j = 0; j < n; ++j) u[j] = v[j] = 1.0f; /* hot top edge */
  uint64_t h = 0;
  for (uint32_t it = 0; it < iters; ++it) {
    for (uint32_t i = 1; i + 1 < n; ++i) {
      const float* up = u + (i - 1) * n;
      const float* mid = u + i * n;
      const float* down = u + (i + 1) * n;
      float* out = v + i * n;
      const float* s = src + i * n;
      for (uint32_t j = 1; j + 1 < n; ++j)
        out[j] = 0.25f * (up[j] + down[j] + mid[j - 1] + mid[j + 1]) * 0.999f + 0.01f * s[j];
    }
    float* t = u;
    u = v;
    v = t;
    if (it % 64 == 0) h = mix_float(h, u[(n / 2) * n + n / 2]);
  }
  /* 9-point smoothing into v, then a checksum over it. */
  for (uint32_t i = 1; i + 1 < n; ++i)
    for (uint32_t j = 1; j + 1 < n; ++j) {
      float acc = 0.0f;
      for (int di = -1; di <= 1; ++di)
        for (int dj = -1; dj <= 1; ++dj) acc += u[(i + di) * n + (j + dj)];
      v[i * n + j] = acc * (1.0f / 9.0f);
    }
  float sum = 0.0f;
  for (uint32_t i = 0; i < n * n; ++i) sum += v[i];
  h = mix_float(h, sum);
  for (uint32_t i = 0; i < n * n; i += 101) h = mix_float(h, v[i]);
  print_checksum("stencil", h);
  free(u);
  free(v);
  free(src);
  return 0;
}
