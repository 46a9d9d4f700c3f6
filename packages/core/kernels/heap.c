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
