// WASM SIMD kernels that run on tfjs's own heap: the module imports the wasm backend's memory, so
// its pointers are the byte offsets of tensors there and nothing is copied in or out. The module must
// have no data segment (it would overwrite tfjs memory on instantiation) and no function here may take
// an address of a local; the loader still points the stack at a block malloc'ed from tfjs.
// Build: node scripts/build-kernels.mjs (clang + lld from apt).
#include <wasm_simd128.h>

// Adam: mu = b1 mu + k1 g; nu = b2 nu + k2 g^2; u = mu r1 / (sqrt(nu) r2 + eps), where k1 = 1 - b1 and
// k2 = 1 - b2 come from the caller in double precision (1.0f - 0.999f is 0.00099998713, which made
// every update 6.4e-6 too small), and r1 = 1 / (1 - b1^t) and r2 = 1 / sqrt(1 - b2^t) are the bias
// corrections.
__attribute__((export_name("adam_moments")))
void adam_moments(const float *g, const float *mu, const float *nu, float *mu_out, float *nu_out,
                  float *u, int n, float b1, float k1, float b2, float k2, float r1, float r2, float eps) {
  const v128_t vb1 = wasm_f32x4_splat(b1), vk1 = wasm_f32x4_splat(k1);
  const v128_t vb2 = wasm_f32x4_splat(b2), vk2 = wasm_f32x4_splat(k2);
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
    float m = b1 * mu[i] + k1 * x;
    float v = b2 * nu[i] + k2 * x * x;
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
// batch norm takes over N, H and W (3,136 to 12,544 rows in DCGAN). The rows are added in double, as
// PyTorch does, so the float32 result carries only its final rounding: float32 partial sums, even in
// blocks of 256 rows, made batch norm's gamma and beta gradients 3x less accurate than PyTorch's.
// 16 columns per pass over the rows: 8 f64x2 accumulators, which stay in registers.
static inline v128_t promote_high(v128_t v) {
  return wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 2, 3));
}

// Columns [j_begin, j_end) only (kernel threads split the columns): each column is summed by the
// same additions in the same order whichever pass takes it, so any split gives the same bits.
__attribute__((export_name("sum_outer_cols")))
void sum_outer_cols(const float *src, float *dst, int outer, int inner, double scale, int j_begin,
                    int j_end) {
  int j = j_begin;
  for (; j + 16 <= j_end; j += 16) {
    v128_t a0 = wasm_f64x2_splat(0.0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    for (int i = 0; i < outer; i++) {
      const float *s = src + (long)i * inner + j;
      const v128_t v0 = wasm_v128_load(s), v1 = wasm_v128_load(s + 4);
      const v128_t v2 = wasm_v128_load(s + 8), v3 = wasm_v128_load(s + 12);
      a0 = wasm_f64x2_add(a0, wasm_f64x2_promote_low_f32x4(v0));
      a1 = wasm_f64x2_add(a1, promote_high(v0));
      a2 = wasm_f64x2_add(a2, wasm_f64x2_promote_low_f32x4(v1));
      a3 = wasm_f64x2_add(a3, promote_high(v1));
      a4 = wasm_f64x2_add(a4, wasm_f64x2_promote_low_f32x4(v2));
      a5 = wasm_f64x2_add(a5, promote_high(v2));
      a6 = wasm_f64x2_add(a6, wasm_f64x2_promote_low_f32x4(v3));
      a7 = wasm_f64x2_add(a7, promote_high(v3));
    }
    const v128_t vs = wasm_f64x2_splat(scale);
    const v128_t a[8] = {a0, a1, a2, a3, a4, a5, a6, a7};
    for (int k = 0; k < 4; k++) {
      const v128_t lo = wasm_f32x4_demote_f64x2_zero(wasm_f64x2_mul(a[2 * k], vs));
      const v128_t hi = wasm_f32x4_demote_f64x2_zero(wasm_f64x2_mul(a[2 * k + 1], vs));
      wasm_v128_store(dst + j + 4 * k, wasm_i32x4_shuffle(lo, hi, 0, 1, 4, 5));
    }
  }
  for (; j + 4 <= j_end; j += 4) {
    v128_t a0 = wasm_f64x2_splat(0.0), a1 = a0;
    for (int i = 0; i < outer; i++) {
      const v128_t v = wasm_v128_load(src + (long)i * inner + j);
      a0 = wasm_f64x2_add(a0, wasm_f64x2_promote_low_f32x4(v));
      a1 = wasm_f64x2_add(a1, promote_high(v));
    }
    const v128_t vs = wasm_f64x2_splat(scale);
    const v128_t lo = wasm_f32x4_demote_f64x2_zero(wasm_f64x2_mul(a0, vs));
    const v128_t hi = wasm_f32x4_demote_f64x2_zero(wasm_f64x2_mul(a1, vs));
    wasm_v128_store(dst + j, wasm_i32x4_shuffle(lo, hi, 0, 1, 4, 5));
  }
  for (; j < j_end; j++) {
    double total = 0.0;
    for (int i = 0; i < outer; i++) total += src[(long)i * inner + j];
    dst[j] = (float)(total * scale);
  }
}

__attribute__((export_name("sum_outer")))
void sum_outer(const float *src, float *dst, int outer, int inner, double scale) {
  sum_outer_cols(src, dst, outer, inner, scale, 0, inner);
}

// dst[i] = scale * sum over j < inner of src[i * inner + j]: a sum (or mean) over trailing axes, e.g.
// a loss's mean over the batch or the gradient penalty's per-sample squared norms. Added in double
// like sum_outer: the stock kernel's serial float32 sum put a Wasserstein loss (a difference of two
// means of 64 scores) 5.6x further from float64 than PyTorch's float32. 8 floats a step into four
// f64x2 accumulators (independent chains, so the adds overlap).
__attribute__((export_name("sum_inner")))
void sum_inner(const float *src, float *dst, int outer, int inner, double scale) {
  for (int i = 0; i < outer; i++) {
    const float *s = src + (long)i * inner;
    v128_t a0 = wasm_f64x2_splat(0.0), a1 = a0, a2 = a0, a3 = a0;
    int j = 0;
    for (; j + 8 <= inner; j += 8) {
      const v128_t v0 = wasm_v128_load(s + j), v1 = wasm_v128_load(s + j + 4);
      a0 = wasm_f64x2_add(a0, wasm_f64x2_promote_low_f32x4(v0));
      a1 = wasm_f64x2_add(a1, promote_high(v0));
      a2 = wasm_f64x2_add(a2, wasm_f64x2_promote_low_f32x4(v1));
      a3 = wasm_f64x2_add(a3, promote_high(v1));
    }
    const v128_t a = wasm_f64x2_add(wasm_f64x2_add(a0, a1), wasm_f64x2_add(a2, a3));
    double total = wasm_f64x2_extract_lane(a, 0) + wasm_f64x2_extract_lane(a, 1);
    for (; j < inner; j++) total += s[j];
    dst[i] = (float)(total * scale);
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

// ---- Convolution (and matrix product) as a register-blocked GEMM -------------------------------
// Built twice: with relaxed SIMD's fused multiply-add (LAB_FMA; clang-16 and a runtime with relaxed
// SIMD: Chrome 114+, Node 22+, Node 20 with V8's flag) and without. XNNPACK's f32 kernels in tfjs
// 4.22 use separate multiplies and adds and sustain ~25 GFLOP/s on one core; the 4x8 tile below with
// FMA ~35 on the same machine. Without FMA it is no faster than XNNPACK, so the loader only routes
// convolutions here when the FMA build loaded.
#ifdef LAB_FMA
#define MADD(a, b, c) __builtin_wasm_relaxed_madd_f32x4(a, b, c)
#else
#define MADD(a, b, c) wasm_f32x4_add(wasm_f32x4_mul(a, b), c)
#endif

// The first nc (< 8) lanes of lo:hi to out.
static inline void store_partial(float *out, v128_t lo, v128_t hi, int nc) {
  if (nc & 4) {
    wasm_v128_store(out, lo);
    lo = hi;
    out += 4;
  }
  if (nc & 2) {
    wasm_v128_store64_lane(out, lo, 0);
    lo = wasm_i64x2_shuffle(lo, lo, 1, 1);
    out += 2;
  }
  if (nc & 1) wasm_v128_store32_lane(out, lo, 0);
}

// The filter [K, co] (row-major, K = kh * kw * ci) in panels of 8 output channels:
// packed[p][k][j] = w[k][8p + j], zero past co.
__attribute__((export_name("pack_panels")))
void pack_panels(const float *w, float *packed, int K, int co) {
  const int panels = (co + 7) / 8;
  for (int p = 0; p < panels; p++) {
    float *d = packed + (long)p * K * 8;
    const int c0 = p * 8, nc = co - c0 < 8 ? co - c0 : 8;
    if (nc == 8) {
      for (int k = 0; k < K; k++) {
        const float *s = w + (long)k * co + c0;
        wasm_v128_store(d + 8 * k, wasm_v128_load(s));
        wasm_v128_store(d + 8 * k + 4, wasm_v128_load(s + 4));
      }
    } else {
      for (int k = 0; k < K; k++)
        for (int j = 0; j < 8; j++) d[8 * k + j] = j < nc ? w[(long)k * co + c0 + j] : 0.0f;
    }
  }
}

// Each output is a sum over all K = kh * kw * ci products; one float32 accumulator over a long K
// (12,544 for a filter gradient over DCGAN's batch) lost precision as the sum grew (6x PyTorch's
// float32 error). The register accumulators are folded into running totals every few steps and
// restarted, so each float32 sum is short: blocked summation. The totals live in memory, so that the
// multiply-add loop keeps all its registers (totals in registers made it spill).
//
// conv2d_nhwc folds every 64 steps, inline, into volatile totals (volatile keeps them in memory):
// its sums of 400-1,200 products (a transposed convolution's or an input gradient's phases) were
// still 1.5-1.8x PyTorch's error when folded every 256 steps, and the inline fold every 64 steps
// runs 1-2% faster than the out-of-line one every 256. gemm keeps the out-of-line fold (inline, its
// products over short K ran 1-2% slower; its error was already PyTorch's).
#define CONV_FOLD_STEPS 64
#define CONV_TOTALS()                                                                \
  volatile v128_t t[8]; /* set by the first fold (zeroing them first costs time) */   \
  int first = 1;
#define CONV_FOLD()                                                                  \
  {                                                                                  \
    if (first) {                                                                     \
      t[0] = c00; t[1] = c01; t[2] = c10; t[3] = c11;                                \
      t[4] = c20; t[5] = c21; t[6] = c30; t[7] = c31;                                \
      first = 0;                                                                     \
    } else {                                                                         \
      t[0] = wasm_f32x4_add(t[0], c00); t[1] = wasm_f32x4_add(t[1], c01);            \
      t[2] = wasm_f32x4_add(t[2], c10); t[3] = wasm_f32x4_add(t[3], c11);            \
      t[4] = wasm_f32x4_add(t[4], c20); t[5] = wasm_f32x4_add(t[5], c21);            \
      t[6] = wasm_f32x4_add(t[6], c30); t[7] = wasm_f32x4_add(t[7], c31);            \
    }                                                                                \
    c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = wasm_f32x4_splat(0.0f);           \
  }

// gemm's fold: every FOLD_STEPS steps, out of line.
#define FOLD_STEPS 256
__attribute__((noinline)) static void fold_totals(v128_t *t, int first, v128_t c00, v128_t c01, v128_t c10,
                                                  v128_t c11, v128_t c20, v128_t c21, v128_t c30,
                                                  v128_t c31) {
  if (first) {
    t[0] = c00; t[1] = c01; t[2] = c10; t[3] = c11; t[4] = c20; t[5] = c21; t[6] = c30; t[7] = c31;
    return;
  }
  t[0] = wasm_f32x4_add(t[0], c00); t[1] = wasm_f32x4_add(t[1], c01);
  t[2] = wasm_f32x4_add(t[2], c10); t[3] = wasm_f32x4_add(t[3], c11);
  t[4] = wasm_f32x4_add(t[4], c20); t[5] = wasm_f32x4_add(t[5], c21);
  t[6] = wasm_f32x4_add(t[6], c30); t[7] = wasm_f32x4_add(t[7], c31);
}
#define FOLD()                                                                       \
  {                                                                                  \
    fold_totals(t, folds++ == 0, c00, c01, c10, c11, c20, c21, c30, c31);            \
    c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = wasm_f32x4_splat(0.0f);           \
  }

// y[b, oy, ox, o] = sum over ky, kx, c of x[b, oy*sh + ky*dh - pt, ox*sw + kx*dw - pl, c] *
// w[ky, kx, c, o] (NHWC; positions outside x read `zero`, ci zeros). Output rows are taken four at a
// time against one 8-channel panel of the packed filter; panels are visited in groups of
// `group_panels` so that the group stays in cache while every row block passes over it. Only output
// rows [m_begin, m_end) of the n * oh * ow are computed (threads split the rows).
__attribute__((export_name("conv2d_nhwc")))
void conv2d_nhwc(const float *x, const float *packed, float *y, const float *zero, int n, int h, int w,
                 int ci, int oh, int ow, int co, int kh, int kw, int sh, int sw, int dh, int dw, int pt,
                 int pl, int group_panels, int m_begin, int m_end) {
  const int M = m_end, K = kh * kw * ci, panels = (co + 7) / 8, plane = oh * ow;
  for (int g0 = 0; g0 < panels; g0 += group_panels) {
    const int g1 = g0 + group_panels < panels ? g0 + group_panels : panels;
    for (int m0 = m_begin; m0 < M; m0 += 4) {
      const int rows = M - m0 < 4 ? M - m0 : 4;
      const float *base0, *base1, *base2, *base3;
      int y0, y1, y2, y3, x0, x1, x2, x3;
#define ROW(r)                                                          \
  {                                                                     \
    const int m = m0 + r < M ? m0 + r : m0;                             \
    const int b = m / plane, q = m - b * plane, oy = q / ow, ox = q - oy * ow; \
    base##r = x + (long)b * h * w * ci;                                 \
    y##r = oy * sh - pt;                                                \
    x##r = ox * sw - pl;                                                \
  }
      ROW(0) ROW(1) ROW(2) ROW(3)
#undef ROW
      for (int p = g0; p < g1; p++) {
        const float *bp = packed + (long)p * K * 8;
        v128_t c00 = wasm_f32x4_splat(0.0f), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
               c30 = c00, c31 = c00;
        CONV_TOTALS()
        int left = CONV_FOLD_STEPS;
        for (int ky = 0; ky < kh; ky++) {
          for (int kx = 0; kx < kw; kx++) {
#define PTR(r)                                                                              \
  const int iy##r = y##r + ky * dh, ix##r = x##r + kx * dw;                                 \
  const float *a##r = (iy##r >= 0 && iy##r < h && ix##r >= 0 && ix##r < w)                  \
                          ? base##r + ((long)iy##r * w + ix##r) * ci                        \
                          : zero;
            PTR(0) PTR(1) PTR(2) PTR(3)
#undef PTR
            for (int c = 0; c < ci;) {
              const int c_end = ci - c < left ? ci : c + left;
              left -= c_end - c;
              for (; c < c_end; c++) {
                const v128_t b0 = wasm_v128_load(bp), b1 = wasm_v128_load(bp + 4);
                bp += 8;
                v128_t s = wasm_v128_load32_splat(a0 + c);
                c00 = MADD(s, b0, c00);
                c01 = MADD(s, b1, c01);
                s = wasm_v128_load32_splat(a1 + c);
                c10 = MADD(s, b0, c10);
                c11 = MADD(s, b1, c11);
                s = wasm_v128_load32_splat(a2 + c);
                c20 = MADD(s, b0, c20);
                c21 = MADD(s, b1, c21);
                s = wasm_v128_load32_splat(a3 + c);
                c30 = MADD(s, b0, c30);
                c31 = MADD(s, b1, c31);
              }
              if (left == 0) {
                CONV_FOLD();
                left = CONV_FOLD_STEPS;
              }
            }
          }
        }
        CONV_FOLD();
        const int c0 = p * 8, nc = co - c0 < 8 ? co - c0 : 8;
        float *out = y + (long)m0 * co + c0;
        if (nc == 8) {
          wasm_v128_store(out, t[0]);
          wasm_v128_store(out + 4, t[1]);
          if (rows > 1) { wasm_v128_store(out + co, t[2]); wasm_v128_store(out + co + 4, t[3]); }
          if (rows > 2) { wasm_v128_store(out + 2 * co, t[4]); wasm_v128_store(out + 2 * co + 4, t[5]); }
          if (rows > 3) { wasm_v128_store(out + 3 * co, t[6]); wasm_v128_store(out + 3 * co + 4, t[7]); }
        } else {
          // a partial panel (the last nc < 8 channels), as XNNPACK stores its edges
          store_partial(out, t[0], t[1], nc);
          if (rows > 1) store_partial(out + co, t[2], t[3], nc);
          if (rows > 2) store_partial(out + 2 * co, t[4], t[5], nc);
          if (rows > 3) store_partial(out + 3 * co, t[6], t[7], nc);
        }
      }
    }
  }
}

// The filter given transposed, [co, K] row-major (a matrix product's B^T, e.g. the weight of a dense
// layer in dx = dy W^T), into the same panels as pack_panels: packed[p][k][j] = wt[(8p + j) K + k].
// Saves materialising the transpose before packing.
__attribute__((export_name("pack_panels_t")))
void pack_panels_t(const float *wt, float *packed, int K, int co) {
  const int panels = (co + 7) / 8;
  for (int p = 0; p < panels; p++) {
    float *d = packed + (long)p * K * 8;
    const int c0 = p * 8, nc = co - c0 < 8 ? co - c0 : 8;
    for (int j = 0; j < 8; j++) {
      if (j < nc) {
        const float *s = wt + (long)(c0 + j) * K;
        for (int k = 0; k < K; k++) d[8 * k + j] = s[k];
      } else {
        for (int k = 0; k < K; k++) d[8 * k + j] = 0.0f;
      }
    }
  }
}

// The epilogue of gemm: bias (b, already loaded) and ReLU (act 1).
static inline v128_t epilogue(v128_t v, v128_t b, int act) {
  v = wasm_f32x4_add(v, b);
  if (act == 1) v = wasm_f32x4_max(v, wasm_f32x4_splat(0.0f));
  return v;
}

// Lanes [from, from + 4) of the bias of a panel with nc columns (zero past nc or without a bias).
static inline v128_t bias_lanes(const float *b, int from, int nc) {
  if (!b) return wasm_f32x4_splat(0.0f);
  if (from + 4 <= nc) return wasm_v128_load(b + from);
  return wasm_f32x4_make(from < nc ? b[from] : 0.0f, from + 1 < nc ? b[from + 1] : 0.0f,
                         from + 2 < nc ? b[from + 2] : 0.0f, from + 3 < nc ? b[from + 3] : 0.0f);
}

// C = act(A B + bias), C [M, N] row-major, B packed by pack_panels / pack_panels_t, A read at
// a[m * sam + k * sak]: row-major A (sak 1) or A given transposed (sam 1, sak M), so that neither
// product of a dense layer's gradient (dW = x^T dy, dx = dy W^T) copies an operand first. The same
// 4x8 register tile and blocked summation as conv2d_nhwc. `bias`: N floats, or 0 for none. Rows
// [m_begin, m_end).
__attribute__((export_name("gemm")))
void gemm(const float *a, int sam, int sak, const float *packed, float *c, const float *bias, int K,
          int N, int act, int group_panels, int m_begin, int m_end) {
  const int M = m_end, panels = (N + 7) / 8;
  for (int g0 = 0; g0 < panels; g0 += group_panels) {
    const int g1 = g0 + group_panels < panels ? g0 + group_panels : panels;
    for (int m0 = m_begin; m0 < M; m0 += 4) {
      const int rows = M - m0 < 4 ? M - m0 : 4;
      // rows past M repeat row m0 (computed, not stored)
      const float *r0 = a + (long)m0 * sam;
      const float *r1 = rows > 1 ? r0 + sam : r0, *r2 = rows > 2 ? r0 + 2 * sam : r0;
      const float *r3 = rows > 3 ? r0 + 3 * sam : r0;
      for (int p = g0; p < g1; p++) {
        const float *bp = packed + (long)p * K * 8;
        const float *a0 = r0, *a1 = r1, *a2 = r2, *a3 = r3;
        v128_t c00 = wasm_f32x4_splat(0.0f), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
               c30 = c00, c31 = c00;
        v128_t t[8];
        int folds = 0;
        for (int k0 = 0; k0 < K; k0 += FOLD_STEPS) {
          const int k1 = K - k0 < FOLD_STEPS ? K : k0 + FOLD_STEPS;
          for (int k = k0; k < k1; k++) {
            const v128_t b0 = wasm_v128_load(bp), b1 = wasm_v128_load(bp + 4);
            bp += 8;
            v128_t s = wasm_v128_load32_splat(a0);
            c00 = MADD(s, b0, c00);
            c01 = MADD(s, b1, c01);
            s = wasm_v128_load32_splat(a1);
            c10 = MADD(s, b0, c10);
            c11 = MADD(s, b1, c11);
            s = wasm_v128_load32_splat(a2);
            c20 = MADD(s, b0, c20);
            c21 = MADD(s, b1, c21);
            s = wasm_v128_load32_splat(a3);
            c30 = MADD(s, b0, c30);
            c31 = MADD(s, b1, c31);
            a0 += sak;
            a1 += sak;
            a2 += sak;
            a3 += sak;
          }
          FOLD();
        }
        if (K == 0) FOLD();
        const int n0 = p * 8, nc = N - n0 < 8 ? N - n0 : 8;
        const float *bb = bias ? bias + n0 : 0;
        const v128_t blo = bias_lanes(bb, 0, nc), bhi = bias_lanes(bb, 4, nc);
        for (int r = 0; r < rows; r++) {
          const v128_t lo = epilogue(t[2 * r], blo, act), hi = epilogue(t[2 * r + 1], bhi, act);
          float *out = c + (long)(m0 + r) * N + n0;
          if (nc == 8) {
            wasm_v128_store(out, lo);
            wasm_v128_store(out + 4, hi);
          } else {
            store_partial(out, lo, hi, nc);
          }
        }
      }
    }
  }
}

// The ceiling: `iters` rounds of 12 independent multiply-adds (MADD: fused in the FMA build) on
// 128-bit vectors that never leave registers, 96 FLOPs a round. 12 chains cover the latency of every
// x86 and ARM core's FMA units (4-5 cycles, 2 units). Returns a lane sum so nothing is dead code.
__attribute__((export_name("fma_peak")))
float fma_peak(int iters, float seed) {
  const v128_t m = wasm_f32x4_splat(0.999999f), d = wasm_f32x4_splat(1e-7f);
  v128_t a0 = wasm_f32x4_splat(seed), a1 = wasm_f32x4_add(a0, d), a2 = wasm_f32x4_add(a1, d);
  v128_t a3 = wasm_f32x4_add(a2, d), a4 = wasm_f32x4_add(a3, d), a5 = wasm_f32x4_add(a4, d);
  v128_t a6 = wasm_f32x4_add(a5, d), a7 = wasm_f32x4_add(a6, d), a8 = wasm_f32x4_add(a7, d);
  v128_t a9 = wasm_f32x4_add(a8, d), a10 = wasm_f32x4_add(a9, d), a11 = wasm_f32x4_add(a10, d);
  for (int i = 0; i < iters; i++) {
    a0 = MADD(a0, m, d); a1 = MADD(a1, m, d); a2 = MADD(a2, m, d); a3 = MADD(a3, m, d);
    a4 = MADD(a4, m, d); a5 = MADD(a5, m, d); a6 = MADD(a6, m, d); a7 = MADD(a7, m, d);
    a8 = MADD(a8, m, d); a9 = MADD(a9, m, d); a10 = MADD(a10, m, d); a11 = MADD(a11, m, d);
  }
  v128_t s = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_add(a0, a1), wasm_f32x4_add(a2, a3)),
                            wasm_f32x4_add(wasm_f32x4_add(a4, a5), wasm_f32x4_add(a6, a7)));
  s = wasm_f32x4_add(s, wasm_f32x4_add(wasm_f32x4_add(a8, a9), wasm_f32x4_add(a10, a11)));
  return wasm_f32x4_extract_lane(s, 0) + wasm_f32x4_extract_lane(s, 1) + wasm_f32x4_extract_lane(s, 2) +
         wasm_f32x4_extract_lane(s, 3);
}

// out = a x + b y (y null: out = a x), in float32 with a separate multiply and add, so that the result
// is bit for bit tfjs's add(mul(x, a), mul(y, b)): the optimizer's elementwise steps (momentum trace,
// learning-rate scale, params + updates) over every parameter in one kernel call (fused/linear-list.ts).
__attribute__((export_name("axpby")))
void axpby(const float *x, const float *y, float *out, int n, float a, float b) {
  const v128_t va = wasm_f32x4_splat(a), vb = wasm_f32x4_splat(b);
  int i = 0;
  if (y) {
    for (; i + 4 <= n; i += 4)
      wasm_v128_store(out + i, wasm_f32x4_add(wasm_f32x4_mul(va, wasm_v128_load(x + i)),
                                              wasm_f32x4_mul(vb, wasm_v128_load(y + i))));
    for (; i < n; i++) out[i] = a * x[i] + b * y[i];
  } else {
    for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, wasm_f32x4_mul(va, wasm_v128_load(x + i)));
    for (; i < n; i++) out[i] = a * x[i];
  }
}

// ---- The filter gradient's operands, made in the kernel threads' memory (conv-threads.ts) --------
// Conv2DBackpropFilter is conv2d(x^T [ci, H, W, n], dy^T [oh, ow, n, co]); on the threads both
// operands are made from x and dy where they already are, split between the threads, instead of
// two Transposes and a packing on the calling thread and two copies.

// xt[c][y][x][b] = x[b][y][x][c] (x [n, h, w, ci]) for x < wk and rows y in [y_begin, y_end) of the
// hk that the gradient reads.
__attribute__((export_name("nhwc_to_chwn")))
void nhwc_to_chwn(const float *x, float *xt, int n, int h, int w, int ci, int hk, int wk, int y_begin,
                  int y_end) {
  for (int y = y_begin; y < y_end; y++)
    for (int xx = 0; xx < wk; xx++)
      transpose_strided((const int *)(x + ((long)y * w + xx) * ci), (int *)(xt + ((long)y * wk + xx) * n),
                        1, n, ci, 0, h * w * ci, 0, hk * wk * n);
}

// pack_panels of dy^T, the [P n, co] matrix whose row pos * n + b is dy[b][pos] (dy [n, P, co]),
// read from dy in place; panels [p_begin, p_end).
__attribute__((export_name("pack_panels_nhwc")))
void pack_panels_nhwc(const float *dy, float *packed, int n, int P, int co, int p_begin, int p_end) {
  const long K = (long)n * P;
  for (int p = p_begin; p < p_end; p++) {
    float *d = packed + (long)p * K * 8;
    const int c0 = p * 8, nc = co - c0 < 8 ? co - c0 : 8;
    for (int pos = 0; pos < P; pos++)
      for (int b = 0; b < n; b++) {
        const float *s = dy + ((long)b * P + pos) * co + c0;
        float *o = d + 8 * ((long)pos * n + b);
        if (nc == 8) {
          wasm_v128_store(o, wasm_v128_load(s));
          wasm_v128_store(o + 4, wasm_v128_load(s + 4));
        } else {
          for (int j = 0; j < 8; j++) o[j] = j < nc ? s[j] : 0.0f;
        }
      }
  }
}

// Rng.fillBernoulli (src/random/rng.ts), a dropout mask, in SIMD: mulberry32's state after i + 1
// draws is s0 + (i + 1) 0x6D2B79F5, so each element's draw follows from its index and four run side
// by side. out[i] = value where the draw's top 31 bits are below `threshold` (p 2^31), else 0 value,
// the bits of the JavaScript loop (which took 2% of a W1 iteration, ~17 ns a draw).
static inline unsigned mulberry_top31(unsigned s) {
  unsigned t = (s ^ (s >> 15)) * (s | 1u);
  t ^= t + (t ^ (t >> 7)) * (t | 61u);
  return (t ^ (t >> 14)) >> 1;
}

__attribute__((export_name("fill_bernoulli")))
void fill_bernoulli(float *out, int n, unsigned s0, unsigned threshold, float value) {
  const unsigned step = 0x6D2B79F5u;
  const v128_t one = wasm_i32x4_splat(1), c61 = wasm_i32x4_splat(61), thr = wasm_i32x4_splat((int)threshold);
  const v128_t vv = wasm_f32x4_splat(value), step4 = wasm_i32x4_splat((int)(4u * step));
  v128_t s = wasm_i32x4_make((int)(s0 + step), (int)(s0 + 2u * step), (int)(s0 + 3u * step), (int)(s0 + 4u * step));
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t t = wasm_i32x4_mul(wasm_v128_xor(s, wasm_u32x4_shr(s, 15)), wasm_v128_or(s, one));
    t = wasm_v128_xor(t, wasm_i32x4_add(t, wasm_i32x4_mul(wasm_v128_xor(t, wasm_u32x4_shr(t, 7)), wasm_v128_or(t, c61))));
    const v128_t top = wasm_u32x4_shr(wasm_v128_xor(t, wasm_u32x4_shr(t, 14)), 1);
    const v128_t bit = wasm_f32x4_convert_u32x4(wasm_u32x4_shr(wasm_u32x4_lt(top, thr), 31));
    wasm_v128_store(out + i, wasm_f32x4_mul(bit, vv));
    s = wasm_i32x4_add(s, step4);
  }
  for (; i < n; i++) out[i] = (mulberry_top31(s0 + (unsigned)(i + 1) * step) < threshold ? 1.0f : 0.0f) * value;
}

// ---- Batch norm in training mode over x [M, C] (every axis but the channels) ----------------------
// tfjs's composition (moments, then sub, rsqrt, two muls and an add, and a gradient of ~15 full-size
// ops through both means) makes 25-30 passes over each W1 activation; these kernels make 2 forward
// and 2 backward (fused/batch-norm.ts). Columns are summed in double in row order, as sum_outer does,
// so the statistics have the bits of the composition's fastMean; the forward has its bits too (the
// same float32 operations in the same order, no fused multiply-add).

// mean[c] = (sum_m x) scale and var[c] = (sum_m f32((x - mean)^2)) scale, each sum in double over the
// rows in order; columns [j_begin, j_end).
__attribute__((export_name("bn_stats")))
void bn_stats(const float *x, float *mean, float *var, int M, int C, double scale, int j_begin, int j_end) {
  sum_outer_cols(x, mean, M, C, scale, j_begin, j_end);
  int j = j_begin;
  for (; j + 4 <= j_end; j += 4) {
    const v128_t m = wasm_v128_load(mean + j);
    v128_t a0 = wasm_f64x2_splat(0.0), a1 = a0;
    for (int i = 0; i < M; i++) {
      const v128_t d = wasm_f32x4_sub(wasm_v128_load(x + (long)i * C + j), m);
      const v128_t sq = wasm_f32x4_mul(d, d);
      a0 = wasm_f64x2_add(a0, wasm_f64x2_promote_low_f32x4(sq));
      a1 = wasm_f64x2_add(a1, promote_high(sq));
    }
    const v128_t vs = wasm_f64x2_splat(scale);
    const v128_t lo = wasm_f32x4_demote_f64x2_zero(wasm_f64x2_mul(a0, vs));
    const v128_t hi = wasm_f32x4_demote_f64x2_zero(wasm_f64x2_mul(a1, vs));
    wasm_v128_store(var + j, wasm_i32x4_shuffle(lo, hi, 0, 1, 4, 5));
  }
  for (; j < j_end; j++) {
    double total = 0.0;
    for (int i = 0; i < M; i++) {
      const float d = x[(long)i * C + j] - mean[j];
      total += (double)(d * d);
    }
    var[j] = (float)(total * scale);
  }
}

// y = ((x - mean) rs) gamma + beta, per column, for rows [m_begin, m_end) (float32, in this order).
__attribute__((export_name("bn_apply")))
void bn_apply(const float *x, const float *mean, const float *rs, const float *gamma, const float *beta,
              float *y, int C, int m_begin, int m_end) {
  for (int i = m_begin; i < m_end; i++) {
    const float *xr = x + (long)i * C;
    float *yr = y + (long)i * C;
    int j = 0;
    for (; j + 4 <= C; j += 4) {
      v128_t v = wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(xr + j), wasm_v128_load(mean + j)),
                                wasm_v128_load(rs + j));
      v = wasm_f32x4_add(wasm_f32x4_mul(v, wasm_v128_load(gamma + j)), wasm_v128_load(beta + j));
      wasm_v128_store(yr + j, v);
    }
    for (; j < C; j++) yr[j] = ((xr[j] - mean[j]) * rs[j]) * gamma[j] + beta[j];
  }
}

// The backward's sums per column, in double over the rows in order: sdy[c] = sum dy and
// sdyx[c] = sum dy xhat, xhat = (x - mean) rs as the forward made it; columns [j_begin, j_end).
__attribute__((export_name("bn_grad_sums")))
void bn_grad_sums(const float *dy, const float *x, const float *mean, const float *rs, float *sdy,
                  float *sdyx, int M, int C, int j_begin, int j_end) {
  int j = j_begin;
  for (; j + 4 <= j_end; j += 4) {
    const v128_t m = wasm_v128_load(mean + j), r = wasm_v128_load(rs + j);
    v128_t s0 = wasm_f64x2_splat(0.0), s1 = s0, p0 = s0, p1 = s0;
    for (int i = 0; i < M; i++) {
      const long at = (long)i * C + j;
      const v128_t g = wasm_v128_load(dy + at);
      const v128_t xh = wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(x + at), m), r);
      const v128_t g0 = wasm_f64x2_promote_low_f32x4(g), g1 = promote_high(g);
      s0 = wasm_f64x2_add(s0, g0);
      s1 = wasm_f64x2_add(s1, g1);
      p0 = wasm_f64x2_add(p0, wasm_f64x2_mul(g0, wasm_f64x2_promote_low_f32x4(xh)));
      p1 = wasm_f64x2_add(p1, wasm_f64x2_mul(g1, promote_high(xh)));
    }
    const v128_t slo = wasm_f32x4_demote_f64x2_zero(s0), shi = wasm_f32x4_demote_f64x2_zero(s1);
    const v128_t plo = wasm_f32x4_demote_f64x2_zero(p0), phi = wasm_f32x4_demote_f64x2_zero(p1);
    wasm_v128_store(sdy + j, wasm_i32x4_shuffle(slo, shi, 0, 1, 4, 5));
    wasm_v128_store(sdyx + j, wasm_i32x4_shuffle(plo, phi, 0, 1, 4, 5));
  }
  for (; j < j_end; j++) {
    double s = 0.0, p = 0.0;
    for (int i = 0; i < M; i++) {
      const long at = (long)i * C + j;
      const float xh = (x[at] - mean[j]) * rs[j];
      s += dy[at];
      p += (double)dy[at] * xh;
    }
    sdy[j] = (float)s;
    sdyx[j] = (float)p;
  }
}

// dx = k1 dy - (k2 + k3 xhat) per column (k1 = gamma rs, k2 = k1 sdy / M, k3 = k1 sdyx / M, made by
// the caller), rows [m_begin, m_end).
__attribute__((export_name("bn_grad_dx")))
void bn_grad_dx(const float *dy, const float *x, const float *mean, const float *rs, const float *k1,
                const float *k2, const float *k3, float *dx, int C, int m_begin, int m_end) {
  for (int i = m_begin; i < m_end; i++) {
    const long row = (long)i * C;
    int j = 0;
    for (; j + 4 <= C; j += 4) {
      const v128_t xh = wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(x + row + j), wasm_v128_load(mean + j)),
                                       wasm_v128_load(rs + j));
      const v128_t t = wasm_f32x4_add(wasm_v128_load(k2 + j), wasm_f32x4_mul(wasm_v128_load(k3 + j), xh));
      wasm_v128_store(dx + row + j, wasm_f32x4_sub(wasm_f32x4_mul(wasm_v128_load(k1 + j), wasm_v128_load(dy + row + j)), t));
    }
    for (; j < C; j++) {
      const float xh = (x[row + j] - mean[j]) * rs[j];
      dx[row + j] = k1[j] * dy[row + j] - (k2[j] + k3[j] * xh);
    }
  }
}

// --- W3 (dense path) ---
// Kernels of the fused dense layer (src/kernels/fused/dense.ts) and the fused SGD step
// (src/kernels/fused/sgd-momentum.ts): a small network (LeNet-300-100) spends more in the engine's
// per-kernel bookkeeping than in arithmetic, so each does in one call what took several kernels.

// The ReLU and bias gradients of a dense layer y = relu(x W + b) in one pass: dz = dy * (y > 0 ? 1 : 0)
// (a multiply by the 0/1 mask, as tfjs's ReLU gradient dy * step(x) computes it; y > 0 exactly where
// x W + b > 0), then db = the column sums of dz added in double (sum_outer: the bits of the Sum that
// tfjs's Add gradient runs). dy, y, dz [M, N]; db [N]; byte offsets.
__attribute__((export_name("relu_bias_grad")))
void relu_bias_grad(const float *dy, const float *y, float *dz, float *db, int M, int N) {
  const v128_t zero = wasm_f32x4_splat(0.0f), one = wasm_f32x4_splat(1.0f);
  const long n = (long)M * N;
  long i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t mask = wasm_v128_and(wasm_f32x4_gt(wasm_v128_load(y + i), zero), one);
    wasm_v128_store(dz + i, wasm_f32x4_mul(wasm_v128_load(dy + i), mask));
  }
  for (; i < n; i++) dz[i] = dy[i] * (y[i] > 0.0f ? 1.0f : 0.0f);
  sum_outer(dz, db, M, N, 1.0);
}

// One tensor of SGD with heavy-ball momentum (PyTorch's, dampening 0): t = m b + g (b 0: t = g, the
// first step), p_out = p + a t with a = -lr; t is written to b_out. Float32 multiplies and adds in
// the order of the composed path (traceMomentum, scaleByLearningRate, applyUpdates through axpby),
// so the results are its bits: t = fl(m b) + g, u = fl(a t), p_out = p + u.
__attribute__((export_name("sgd_momentum")))
void sgd_momentum(const float *p, const float *g, const float *b, float *p_out, float *b_out, int n,
                  float m, float a) {
  const v128_t vm = wasm_f32x4_splat(m), va = wasm_f32x4_splat(a);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t vg = wasm_v128_load(g + i);
    const v128_t t = b ? wasm_f32x4_add(wasm_f32x4_mul(vm, wasm_v128_load(b + i)), vg) : vg;
    wasm_v128_store(b_out + i, t);
    wasm_v128_store(p_out + i, wasm_f32x4_add(wasm_v128_load(p + i), wasm_f32x4_mul(va, t)));
  }
  for (; i < n; i++) {
    const float mb = b ? m * b[i] : 0.0f;
    const float t = b ? mb + g[i] : g[i];
    const float u = a * t;
    b_out[i] = t;
    p_out[i] = p[i] + u;
  }
}

// --- threads (elementwise, Adam) ---
// Kernels that @lab's kernel threads (conv-threads.ts) split by rows, also run on one thread.

// The patches of a convolution as rows: cols[m][(ky kw + kx) ci + c] = x[b, oy sh + ky dh - pt,
// ox sw + kx dw - pl, c] for output rows m = (b oh + oy) ow + ox in [m_begin, m_end), 0 outside x.
// A convolution with few input channels (W1's first layer: ci 1, so 1 of the 4-lane kernel's
// multiply-adds per tap) is then conv2d_nhwc's 1x1 convolution over K = kh kw ci channels.
// (no_builtin: the copy and zero loops must not become calls to memcpy and memset, which the module
// does not have.)
__attribute__((export_name("im2col_nhwc"), no_builtin("memcpy", "memset")))
void im2col_nhwc(const float *x, float *cols, int n, int h, int w, int ci, int oh, int ow, int kh, int kw,
                 int sh, int sw, int dh, int dw, int pt, int pl, int m_begin, int m_end) {
  const int plane = oh * ow;
  const long K = (long)kh * kw * ci;
  for (int m = m_begin; m < m_end; m++) {
    const int b = m / plane, q = m - b * plane, oy = q / ow, ox = q - oy * ow;
    const float *base = x + (long)b * h * w * ci;
    float *d = cols + (long)m * K;
    const int ix0 = ox * sw - pl;
    // the taps kx in [k0, k1) read inside x
    int k0 = 0, k1 = kw;
    while (k0 < kw && ix0 + k0 * dw < 0) k0++;
    while (k1 > k0 && ix0 + (k1 - 1) * dw >= w) k1--;
    for (int ky = 0; ky < kh; ky++, d += kw * ci) {
      const int iy = oy * sh + ky * dh - pt;
      if (iy < 0 || iy >= h) {
        for (int c = 0; c < kw * ci; c++) d[c] = 0.0f;
        continue;
      }
      for (int c = 0; c < k0 * ci; c++) d[c] = 0.0f;
      for (int c = k1 * ci; c < kw * ci; c++) d[c] = 0.0f;
      const float *row = base + ((long)iy * w + ix0) * ci;
      if (dw == 1) {
        // one run of (k1 - k0) ci floats
        const float *s = row + k0 * ci;
        float *o = d + k0 * ci;
        const int len = (k1 - k0) * ci;
        int c = 0;
        for (; c + 4 <= len; c += 4) wasm_v128_store(o + c, wasm_v128_load(s + c));
        for (; c < len; c++) o[c] = s[c];
      } else {
        for (int kx = k0; kx < k1; kx++)
          for (int c = 0; c < ci; c++) d[kx * ci + c] = row[(long)kx * dw * ci + c];
      }
    }
  }
}

// One phase of a transposed convolution's sub-pixel decomposition (wasm/Conv2DBackpropInput.ts) into
// the whole output: dst[b, sh qy + ry, sw qx + rx, :] = src[(b qh + qy) qw + qx, :] (ci floats each)
// for the phase's rows m = (b qh + qy) qw + qx in [m_begin, m_end). On the threads the phases are
// interleaved where they are computed, instead of stacked and transposed on the calling thread.
__attribute__((export_name("scatter_phase"), no_builtin("memcpy")))
void scatter_phase(const float *src, float *dst, int qh, int qw, int ci, int h, int w, int sh, int sw, int ry,
                   int rx, int m_begin, int m_end) {
  const int plane = qh * qw;
  for (int m = m_begin; m < m_end; m++) {
    const int b = m / plane, q = m - b * plane, qy = q / qw, qx = q - qy * qw;
    const float *s = src + (long)m * ci;
    float *d = dst + (((long)b * h + sh * qy + ry) * w + sw * qx + rx) * ci;
    int c = 0;
    for (; c + 4 <= ci; c += 4) wasm_v128_store(d + c, wasm_v128_load(s + c));
    for (; c < ci; c++) d[c] = s[c];
  }
}
