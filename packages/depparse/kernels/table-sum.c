// WASM SIMD kernels for parsing with the precomputed first layer: table_sum (out[r] = bias + sum_k
// table[offsets[r, k]], rows of H floats), rare_rows, table_rows, activate, dense and dense_add; table_scatter, the gradient of
// table_sum, for training. Built by ../scripts/build-kernels.mjs with clang-16 --target=wasm32
// -msimd128, plain and with relaxed SIMD's fused multiply-add (LAB_FMA, used by dense); the results
// are embedded in src/fast-path/kernels/table-sum.wasm.ts.
#include <wasm_simd128.h>

#ifdef LAB_FMA
#define MADD(a, b, c) __builtin_wasm_relaxed_madd_f32x4(a, b, c)
#else
#define MADD(a, b, c) wasm_f32x4_add(wasm_f32x4_mul(a, b), c)
#endif

__attribute__((export_name("table_sum")))
void table_sum(const float *table, const int *offsets, int rows, int per_row, int h, const float *bias, float *out) {
  for (int r = 0; r < rows; r++) {
    float *o = out + r * h;
    const int *off = offsets + r * per_row;
    int j = 0;
    // 32 columns at a time in eight registers: every table row is loaded once, the output stored once
    for (; j + 32 <= h; j += 32) {
      v128_t a0 = wasm_v128_load(bias + j), a1 = wasm_v128_load(bias + j + 4);
      v128_t a2 = wasm_v128_load(bias + j + 8), a3 = wasm_v128_load(bias + j + 12);
      v128_t a4 = wasm_v128_load(bias + j + 16), a5 = wasm_v128_load(bias + j + 20);
      v128_t a6 = wasm_v128_load(bias + j + 24), a7 = wasm_v128_load(bias + j + 28);
      for (int k = 0; k < per_row; k++) {
        const float *t = table + off[k] + j;
        a0 = wasm_f32x4_add(a0, wasm_v128_load(t));
        a1 = wasm_f32x4_add(a1, wasm_v128_load(t + 4));
        a2 = wasm_f32x4_add(a2, wasm_v128_load(t + 8));
        a3 = wasm_f32x4_add(a3, wasm_v128_load(t + 12));
        a4 = wasm_f32x4_add(a4, wasm_v128_load(t + 16));
        a5 = wasm_f32x4_add(a5, wasm_v128_load(t + 20));
        a6 = wasm_f32x4_add(a6, wasm_v128_load(t + 24));
        a7 = wasm_f32x4_add(a7, wasm_v128_load(t + 28));
      }
      wasm_v128_store(o + j, a0); wasm_v128_store(o + j + 4, a1);
      wasm_v128_store(o + j + 8, a2); wasm_v128_store(o + j + 12, a3);
      wasm_v128_store(o + j + 16, a4); wasm_v128_store(o + j + 20, a5);
      wasm_v128_store(o + j + 24, a6); wasm_v128_store(o + j + 28, a7);
    }
    for (; j < h; j += 4) {
      v128_t a = wasm_v128_load(bias + j);
      for (int k = 0; k < per_row; k++) a = wasm_f32x4_add(a, wasm_v128_load(table + off[k] + j));
      wasm_v128_store(o + j, a);
    }
  }
}

// Rare words (beyond the tabled ones): out[row] += sum_j emb[id, j] * w1[(p * dim + j), :] for each
// (row, p, id) triple in items.
__attribute__((export_name("rare_rows")))
void rare_rows(const float *w1, const float *emb, const int *items, int count, int dim, int h, float *out) {
  for (int i = 0; i < count; i++) {
    float *o = out + items[3 * i] * h;
    const float *e = emb + items[3 * i + 2] * dim;
    const float *w = w1 + items[3 * i + 1] * dim * h;
    for (int j = 0; j < dim; j++) {
      v128_t s = wasm_f32x4_splat(e[j]);
      const float *wr = w + j * h;
      for (int k = 0; k < h; k += 4)
        wasm_v128_store(o + k, wasm_f32x4_add(wasm_v128_load(o + k), wasm_f32x4_mul(s, wasm_v128_load(wr + k))));
    }
  }
}

// Table rows built on demand (a word's product with one position's block of W1, the first time the
// pair occurs): the h floats at table + items[3i] = sum_j emb[items[3i+2], j] * w1[(items[3i+1] * dim + j), :].
// Each column is summed from +0 in j order with the build's multiply-add (fused in the FMA build), as
// tfjs's matMul (XNNPACK) does, so a row built here is bitwise the one a whole-vocabulary table held
// (tested); 32 columns stay in registers over the whole sum.
__attribute__((export_name("table_rows")))
void table_rows(const float *w1, const float *emb, const int *items, int count, int dim, int h, float *table) {
  if (dim < 1) return;  // (else clang turns the all-zero rows into a call to memset, which is not linked)
  for (int i = 0; i < count; i++) {
    float *o = table + items[3 * i];
    const float *e = emb + items[3 * i + 2] * dim;
    const float *w = w1 + items[3 * i + 1] * dim * h;
    int k = 0;
    for (; k + 32 <= h; k += 32) {
      v128_t a0 = wasm_f32x4_splat(0.0f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
      for (int j = 0; j < dim; j++) {
        v128_t s = wasm_f32x4_splat(e[j]);
        const float *wr = w + j * h + k;
        a0 = MADD(s, wasm_v128_load(wr), a0);
        a1 = MADD(s, wasm_v128_load(wr + 4), a1);
        a2 = MADD(s, wasm_v128_load(wr + 8), a2);
        a3 = MADD(s, wasm_v128_load(wr + 12), a3);
        a4 = MADD(s, wasm_v128_load(wr + 16), a4);
        a5 = MADD(s, wasm_v128_load(wr + 20), a5);
        a6 = MADD(s, wasm_v128_load(wr + 24), a6);
        a7 = MADD(s, wasm_v128_load(wr + 28), a7);
      }
      wasm_v128_store(o + k, a0); wasm_v128_store(o + k + 4, a1);
      wasm_v128_store(o + k + 8, a2); wasm_v128_store(o + k + 12, a3);
      wasm_v128_store(o + k + 16, a4); wasm_v128_store(o + k + 20, a5);
      wasm_v128_store(o + k + 24, a6); wasm_v128_store(o + k + 28, a7);
    }
    for (; k < h; k += 4) {
      v128_t a = wasm_f32x4_splat(0.0f);
      for (int j = 0; j < dim; j++)
        a = MADD(wasm_f32x4_splat(e[j]), wasm_v128_load(w + j * h + k), a);
      wasm_v128_store(o + k, a);
    }
  }
}

// In-place activation: 0 cube, 1 relu.
__attribute__((export_name("activate")))
void activate(float *x, int n, int kind) {
  int i = 0;
  if (kind == 0) {
    for (; i + 4 <= n; i += 4) {
      v128_t v = wasm_v128_load(x + i);
      wasm_v128_store(x + i, wasm_f32x4_mul(wasm_f32x4_mul(v, v), v));
    }
    for (; i < n; i++) x[i] = x[i] * x[i] * x[i];
  } else {
    v128_t z = wasm_f32x4_splat(0.0f);
    for (; i + 4 <= n; i += 4) wasm_v128_store(x + i, wasm_f32x4_max(wasm_v128_load(x + i), z));
    for (; i < n; i++) x[i] = x[i] > 0 ? x[i] : 0;
  }
}

// y[rows, out] = x[rows, in] . w[in, out] + b[out] (or, with acc, y += x . w: one tap of a 1-D
// convolution); out_pad (a multiple of 4, >= out) is the row stride of w, b and y, whose padding
// columns are zero. Four rows and 8 columns per pass in eight accumulators, so each pair of weight
// vectors loaded serves four rows (about 10% faster than two rows by 16 columns in V8, which has 16
// vector registers on x64).
static inline void dense_rows(const float *x, const float *w, const float *b, int rows, int in, int out_pad,
                              float *y, int acc) {
  int r = 0;
  for (; r + 4 <= rows; r += 4) {
    const float *x0 = x + r * in, *x1 = x0 + in, *x2 = x1 + in, *x3 = x2 + in;
    float *y0 = y + r * out_pad, *y1 = y0 + out_pad, *y2 = y1 + out_pad, *y3 = y2 + out_pad;
    int k = 0;
    for (; k + 8 <= out_pad; k += 8) {
      v128_t p0, p1, q0, q1, u0, u1, v0, v1;
      if (acc) {
        p0 = wasm_v128_load(y0 + k); p1 = wasm_v128_load(y0 + k + 4);
        q0 = wasm_v128_load(y1 + k); q1 = wasm_v128_load(y1 + k + 4);
        u0 = wasm_v128_load(y2 + k); u1 = wasm_v128_load(y2 + k + 4);
        v0 = wasm_v128_load(y3 + k); v1 = wasm_v128_load(y3 + k + 4);
      } else {
        p0 = q0 = u0 = v0 = wasm_v128_load(b + k);
        p1 = q1 = u1 = v1 = wasm_v128_load(b + k + 4);
      }
      for (int j = 0; j < in; j++) {
        const float *wr = w + j * out_pad + k;
        v128_t w0 = wasm_v128_load(wr), w1 = wasm_v128_load(wr + 4);
        v128_t s = wasm_v128_load32_splat(x0 + j);
        p0 = MADD(s, w0, p0);
        p1 = MADD(s, w1, p1);
        s = wasm_v128_load32_splat(x1 + j);
        q0 = MADD(s, w0, q0);
        q1 = MADD(s, w1, q1);
        s = wasm_v128_load32_splat(x2 + j);
        u0 = MADD(s, w0, u0);
        u1 = MADD(s, w1, u1);
        s = wasm_v128_load32_splat(x3 + j);
        v0 = MADD(s, w0, v0);
        v1 = MADD(s, w1, v1);
      }
      wasm_v128_store(y0 + k, p0); wasm_v128_store(y0 + k + 4, p1);
      wasm_v128_store(y1 + k, q0); wasm_v128_store(y1 + k + 4, q1);
      wasm_v128_store(y2 + k, u0); wasm_v128_store(y2 + k + 4, u1);
      wasm_v128_store(y3 + k, v0); wasm_v128_store(y3 + k + 4, v1);
    }
    for (; k < out_pad; k += 4) {
      v128_t p, q, u, v;
      if (acc) {
        p = wasm_v128_load(y0 + k); q = wasm_v128_load(y1 + k);
        u = wasm_v128_load(y2 + k); v = wasm_v128_load(y3 + k);
      } else {
        p = q = u = v = wasm_v128_load(b + k);
      }
      for (int j = 0; j < in; j++) {
        v128_t wv = wasm_v128_load(w + j * out_pad + k);
        p = MADD(wasm_v128_load32_splat(x0 + j), wv, p);
        q = MADD(wasm_v128_load32_splat(x1 + j), wv, q);
        u = MADD(wasm_v128_load32_splat(x2 + j), wv, u);
        v = MADD(wasm_v128_load32_splat(x3 + j), wv, v);
      }
      wasm_v128_store(y0 + k, p); wasm_v128_store(y1 + k, q);
      wasm_v128_store(y2 + k, u); wasm_v128_store(y3 + k, v);
    }
  }
  for (; r < rows; r++) {
    const float *xr = x + r * in;
    float *yr = y + r * out_pad;
    for (int k = 0; k < out_pad; k += 4) {
      v128_t p = acc ? wasm_v128_load(yr + k) : wasm_v128_load(b + k);
      for (int j = 0; j < in; j++)
        p = MADD(wasm_v128_load32_splat(xr + j), wasm_v128_load(w + j * out_pad + k), p);
      wasm_v128_store(yr + k, p);
    }
  }
}

__attribute__((export_name("dense")))
void dense(const float *x, const float *w, const float *b, int rows, int in, int out_pad, float *y) {
  dense_rows(x, w, b, rows, in, out_pad, y, 0);
}

__attribute__((export_name("dense_add")))
void dense_add(const float *x, const float *w, int rows, int in, int out_pad, float *y) {
  dense_rows(x, w, 0, rows, in, out_pad, y, 1);
}

// The gradient of table_sum with respect to the table: grad[offsets[r, k] + j] += dy[r, j] for every
// row r, slot k and column j (h a multiple of 4). Training uses it for the tabled first-layer inputs.
__attribute__((export_name("table_scatter")))
void table_scatter(const float *dy, const int *offsets, int rows, int per_row, int h, float *grad) {
  for (int r = 0; r < rows; r++) {
    const float *d = dy + r * h;
    const int *off = offsets + r * per_row;
    for (int k = 0; k < per_row; k++) {
      float *g = grad + off[k];
      for (int j = 0; j < h; j += 4)
        wasm_v128_store(g + j, wasm_f32x4_add(wasm_v128_load(g + j), wasm_v128_load(d + j)));
    }
  }
}
