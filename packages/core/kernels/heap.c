// WASM SIMD kernels that run on tfjs's own heap: the module imports the wasm backend's memory, so
// its pointers are the byte offsets of tensors there and nothing is copied in or out. The module must
// have no data segment (it would overwrite tfjs memory on instantiation) and no function here may take
// an address of a local; the loader still points the stack at a block malloc'ed from tfjs.
// Build: node scripts/build-kernels.mjs (clang + lld from apt).
#include <wasm_simd128.h>

// Adam: mu = b1 mu + (1 - b1) g; nu = b2 nu + (1 - b2) g^2; u = mu r1 / (sqrt(nu) r2 + eps), where
// r1 = 1 / (1 - b1^t) and r2 = 1 / sqrt(1 - b2^t) are the bias corrections.
__attribute__((export_name("adam_moments")))
void adam_moments(const float *g, const float *mu, const float *nu, float *mu_out, float *nu_out,
                  float *u, int n, float b1, float b2, float r1, float r2, float eps) {
  const v128_t vb1 = wasm_f32x4_splat(b1), vk1 = wasm_f32x4_splat(1.0f - b1);
  const v128_t vb2 = wasm_f32x4_splat(b2), vk2 = wasm_f32x4_splat(1.0f - b2);
  const v128_t vr1 = wasm_f32x4_splat(r1), vr2 = wasm_f32x4_splat(r2), ve = wasm_f32x4_splat(eps);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t x = wasm_v128_load(g + i);
    v128_t m = wasm_f32x4_add(wasm_f32x4_mul(vb1, wasm_v128_load(mu + i)), wasm_f32x4_mul(vk1, x));
    v128_t v = wasm_f32x4_add(wasm_f32x4_mul(vb2, wasm_v128_load(nu + i)),
                              wasm_f32x4_mul(vk2, wasm_f32x4_mul(x, x)));
    wasm_v128_store(mu_out + i, m);
    wasm_v128_store(nu_out + i, v);
    v128_t denom = wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_sqrt(v), vr2), ve);
    wasm_v128_store(u + i, wasm_f32x4_div(wasm_f32x4_mul(m, vr1), denom));
  }
  for (; i < n; i++) {
    float x = g[i];
    float m = b1 * mu[i] + (1.0f - b1) * x;
    float v = b2 * nu[i] + (1.0f - b2) * x * x;
    mu_out[i] = m;
    nu_out[i] = v;
    u[i] = m * r1 / (__builtin_sqrtf(v) * r2 + eps);
  }
}

// Transposes of 4-byte elements: 4x4 blocks of SIMD shuffles inside 16x16 tiles, scalar copies at the
// edges.
static inline void transpose4x4(const int *s, int ss, int *d, int ds) {
  v128_t a = wasm_v128_load(s), b = wasm_v128_load(s + ss);
  v128_t c = wasm_v128_load(s + 2 * ss), e = wasm_v128_load(s + 3 * ss);
  v128_t ab_lo = wasm_i32x4_shuffle(a, b, 0, 4, 1, 5), ab_hi = wasm_i32x4_shuffle(a, b, 2, 6, 3, 7);
  v128_t ce_lo = wasm_i32x4_shuffle(c, e, 0, 4, 1, 5), ce_hi = wasm_i32x4_shuffle(c, e, 2, 6, 3, 7);
  wasm_v128_store(d, wasm_i64x2_shuffle(ab_lo, ce_lo, 0, 2));
  wasm_v128_store(d + ds, wasm_i64x2_shuffle(ab_lo, ce_lo, 1, 3));
  wasm_v128_store(d + 2 * ds, wasm_i64x2_shuffle(ab_hi, ce_hi, 0, 2));
  wasm_v128_store(d + 3 * ds, wasm_i64x2_shuffle(ab_hi, ce_hi, 1, 3));
}

// For each of `batch` matrices, dst[c * dst_row + r] = src[r * src_row + c] (r < rows, c < cols), the
// matrices src_batch and dst_batch elements apart: a [B, R, C] -> [B, C, R] transpose, or with other
// strides [R, B, C] -> [C, B, R].
__attribute__((export_name("transpose_strided")))
void transpose_strided(const int *src, int *dst, int batch, int rows, int cols, int src_batch,
                       int src_row, int dst_batch, int dst_row) {
  const int T = 16;
  for (int b = 0; b < batch; b++) {
    const int *s = src + (long)b * src_batch;
    int *d = dst + (long)b * dst_batch;
    for (int r0 = 0; r0 < rows; r0 += T) {
      int r1 = r0 + T < rows ? r0 + T : rows;
      for (int c0 = 0; c0 < cols; c0 += T) {
        int c1 = c0 + T < cols ? c0 + T : cols;
        int r = r0;
        for (; r + 4 <= r1; r += 4) {
          int c = c0;
          for (; c + 4 <= c1; c += 4) transpose4x4(s + r * src_row + c, src_row, d + c * dst_row + r, dst_row);
          for (; c < c1; c++)
            for (int k = 0; k < 4; k++) d[c * dst_row + r + k] = s[(r + k) * src_row + c];
        }
        for (; r < r1; r++)
          for (int c = c0; c < c1; c++) d[c * dst_row + r] = s[r * src_row + c];
      }
    }
  }
}

// Any permutation of up to six axes (4-byte elements): dst is written in order over its shape
// n0..n5, reading src at sum(i_k * s_k); the innermost axis is a plain or strided copy.
__attribute__((export_name("permute6")))
void permute6(const int *src, int *dst, int n0, int n1, int n2, int n3, int n4, int n5, int s0, int s1,
              int s2, int s3, int s4, int s5) {
  for (int i0 = 0; i0 < n0; i0++)
    for (int i1 = 0; i1 < n1; i1++)
      for (int i2 = 0; i2 < n2; i2++)
        for (int i3 = 0; i3 < n3; i3++)
          for (int i4 = 0; i4 < n4; i4++) {
            const int *s = src + (long)i0 * s0 + (long)i1 * s1 + (long)i2 * s2 + (long)i3 * s3 + (long)i4 * s4;
            if (s5 == 1) {
              int i5 = 0;
              for (; i5 + 4 <= n5; i5 += 4) wasm_v128_store(dst + i5, wasm_v128_load(s + i5));
              for (; i5 < n5; i5++) dst[i5] = s[i5];
            } else {
              for (int i5 = 0; i5 < n5; i5++) dst[i5] = s[(long)i5 * s5];
            }
            dst += n5;
          }
}

// dst[j] = scale * sum over i < outer of src[i * inner + j]: a sum (or mean) over leading axes, as
// batch norm takes over N, H and W. 32 columns per pass over the rows; each block of 256 rows is summed
// apart and then added to the total, which keeps float32 rounding near that of pairwise summation.
__attribute__((export_name("sum_outer")))
void sum_outer(const float *src, float *dst, int outer, int inner, float scale) {
  const int BLOCK = 256;
  int j = 0;
  for (; j + 32 <= inner; j += 32) {
    v128_t t[8];
    for (int k = 0; k < 8; k++) t[k] = wasm_f32x4_splat(0.0f);
    for (int i0 = 0; i0 < outer; i0 += BLOCK) {
      int i1 = i0 + BLOCK < outer ? i0 + BLOCK : outer;
      v128_t a0 = wasm_f32x4_splat(0.0f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
      for (int i = i0; i < i1; i++) {
        const float *s = src + (long)i * inner + j;
        a0 = wasm_f32x4_add(a0, wasm_v128_load(s));
        a1 = wasm_f32x4_add(a1, wasm_v128_load(s + 4));
        a2 = wasm_f32x4_add(a2, wasm_v128_load(s + 8));
        a3 = wasm_f32x4_add(a3, wasm_v128_load(s + 12));
        a4 = wasm_f32x4_add(a4, wasm_v128_load(s + 16));
        a5 = wasm_f32x4_add(a5, wasm_v128_load(s + 20));
        a6 = wasm_f32x4_add(a6, wasm_v128_load(s + 24));
        a7 = wasm_f32x4_add(a7, wasm_v128_load(s + 28));
      }
      t[0] = wasm_f32x4_add(t[0], a0); t[1] = wasm_f32x4_add(t[1], a1);
      t[2] = wasm_f32x4_add(t[2], a2); t[3] = wasm_f32x4_add(t[3], a3);
      t[4] = wasm_f32x4_add(t[4], a4); t[5] = wasm_f32x4_add(t[5], a5);
      t[6] = wasm_f32x4_add(t[6], a6); t[7] = wasm_f32x4_add(t[7], a7);
    }
    const v128_t vs = wasm_f32x4_splat(scale);
    for (int k = 0; k < 8; k++) wasm_v128_store(dst + j + 4 * k, wasm_f32x4_mul(t[k], vs));
  }
  for (; j < inner; j++) {
    float total = 0.0f;
    for (int i0 = 0; i0 < outer; i0 += BLOCK) {
      int i1 = i0 + BLOCK < outer ? i0 + BLOCK : outer;
      float a = 0.0f;
      for (int i = i0; i < i1; i++) a += src[(long)i * inner + j];
      total += a;
    }
    dst[j] = total * scale;
  }
}

// Leaky ReLU, y = x > 0 ? x : alpha x, and its gradient, dx = x > 0 ? dy : alpha dy (the stock wasm
// LeakyRelu, and the Greater and Select of tfjs's gradient, run element by element: 4-6 ms each on
// 800,000 floats). NaN inputs take the alpha branch, as in tfjs.
__attribute__((export_name("leaky_relu")))
void leaky_relu(const float *x, float *y, int n, float alpha) {
  const v128_t va = wasm_f32x4_splat(alpha), zero = wasm_f32x4_splat(0.0f);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t v = wasm_v128_load(x + i);
    wasm_v128_store(y + i, wasm_v128_bitselect(v, wasm_f32x4_mul(v, va), wasm_f32x4_gt(v, zero)));
  }
  for (; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : alpha * x[i];
}

__attribute__((export_name("leaky_relu_grad")))
void leaky_relu_grad(const float *dy, const float *x, float *dx, int n, float alpha) {
  const v128_t va = wasm_f32x4_splat(alpha), zero = wasm_f32x4_splat(0.0f);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t g = wasm_v128_load(dy + i);
    v128_t m = wasm_f32x4_gt(wasm_v128_load(x + i), zero);
    wasm_v128_store(dx + i, wasm_v128_bitselect(g, wasm_f32x4_mul(g, va), m));
  }
  for (; i < n; i++) dx[i] = x[i] > 0.0f ? dy[i] : alpha * dy[i];
}
