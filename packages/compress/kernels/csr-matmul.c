// WASM SIMD kernels for running pruned dense layers: C[m, n] = A[m, k] . B[k, n] (+ bias[m] per row,
// then an optional ReLU) with A in CSR form (row_ptr[m + 1], cols[nnz]) and its values either float32
// (csr_matmul) or shared: one byte per entry indexing a codebook of at most 256 floats
// (csr_matmul_shared, Deep Compression's weight sharing run without expanding the codebook). Vectorised
// over the columns of B, so a dense layer y = x . W runs as y^T = W^T . x^T with the batch along n;
// transpose converts between the layouts. Built by ../scripts/build-kernels.mjs with clang-16
// --target=wasm32 -msimd128, plain and with relaxed SIMD's fused multiply-add (LAB_FMA); the results
// are embedded in src/sparse/csr-kernel.wasm.ts.
#include <wasm_simd128.h>

#ifdef LAB_FMA
#define MADD(a, b, c) __builtin_wasm_relaxed_madd_f32x4(a, b, c)
#else
#define MADD(a, b, c) wasm_f32x4_add(wasm_f32x4_mul(a, b), c)
#endif

// One output row r: 16 columns at a time in four accumulators (each B row segment loaded once per
// entry), then 4, then one; VALUE(p) is the value of entry p.
#define CSR_ROWS(VALUE)                                                                            \
  v128_t zero = wasm_f32x4_splat(0.0f);                                                            \
  for (int r = 0; r < m; r++) {                                                                    \
    const int start = row_ptr[r], end = row_ptr[r + 1];                                            \
    const float b0 = bias ? bias[r] : 0.0f;                                                        \
    float *o = c + r * n;                                                                          \
    int j = 0;                                                                                     \
    for (; j + 16 <= n; j += 16) {                                                                 \
      v128_t a0 = wasm_f32x4_splat(b0), a1 = a0, a2 = a0, a3 = a0;                                 \
      for (int p = start; p < end; p++) {                                                          \
        const v128_t s = wasm_f32x4_splat(VALUE(p));                                               \
        const float *bp = b + cols[p] * n + j;                                                     \
        a0 = MADD(s, wasm_v128_load(bp), a0);                                                      \
        a1 = MADD(s, wasm_v128_load(bp + 4), a1);                                                  \
        a2 = MADD(s, wasm_v128_load(bp + 8), a2);                                                  \
        a3 = MADD(s, wasm_v128_load(bp + 12), a3);                                                 \
      }                                                                                            \
      if (relu) {                                                                                  \
        a0 = wasm_f32x4_max(a0, zero); a1 = wasm_f32x4_max(a1, zero);                              \
        a2 = wasm_f32x4_max(a2, zero); a3 = wasm_f32x4_max(a3, zero);                              \
      }                                                                                            \
      wasm_v128_store(o + j, a0); wasm_v128_store(o + j + 4, a1);                                  \
      wasm_v128_store(o + j + 8, a2); wasm_v128_store(o + j + 12, a3);                             \
    }                                                                                              \
    for (; j + 4 <= n; j += 4) {                                                                   \
      v128_t a = wasm_f32x4_splat(b0);                                                             \
      for (int p = start; p < end; p++)                                                            \
        a = MADD(wasm_f32x4_splat(VALUE(p)), wasm_v128_load(b + cols[p] * n + j), a);              \
      if (relu) a = wasm_f32x4_max(a, zero);                                                       \
      wasm_v128_store(o + j, a);                                                                   \
    }                                                                                              \
    for (; j < n; j++) {                                                                           \
      float a = b0;                                                                                \
      for (int p = start; p < end; p++) a += VALUE(p) * b[cols[p] * n + j];                        \
      o[j] = relu && !(a > 0.0f) ? 0.0f : a;                                                       \
    }                                                                                              \
  }

#define FLOAT_VALUE(p) vals[p]
#define SHARED_VALUE(p) codebook[codes[p]]

__attribute__((export_name("csr_matmul")))
void csr_matmul(const int *row_ptr, const int *cols, const float *vals, int m, const float *b, int n,
                const float *bias, int relu, float *c) {
  CSR_ROWS(FLOAT_VALUE)
}

__attribute__((export_name("csr_matmul_shared")))
void csr_matmul_shared(const int *row_ptr, const int *cols, const unsigned char *codes, const float *codebook,
                       int m, const float *b, int n, const float *bias, int relu, float *c) {
  CSR_ROWS(SHARED_VALUE)
}

// y[cols, rows] = x[rows, cols]^T, in 8 x 8 tiles so that both sides stay in cache.
__attribute__((export_name("transpose")))
void transpose(const float *x, int rows, int cols, float *y) {
  for (int i0 = 0; i0 < rows; i0 += 8) {
    const int i1 = i0 + 8 < rows ? i0 + 8 : rows;
    for (int j0 = 0; j0 < cols; j0 += 8) {
      const int j1 = j0 + 8 < cols ? j0 + 8 : cols;
      for (int i = i0; i < i1; i++)
        for (int j = j0; j < j1; j++) y[j * rows + i] = x[i * cols + j];
    }
  }
}
