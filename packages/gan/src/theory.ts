// The GAN theory of Goodfellow et al. (2014), made checkable on 1-D densities: for a fixed
// generator the optimal discriminator is D*(x) = p_data(x) / (p_data(x) + p_g(x)), and
// V(D*, G) = -log 4 + 2 JS(p_data || p_g).
import { integrate } from '@lab/divergences';

export type Density = (x: number) => number;

/** D*(x) = p_data / (p_data + p_g) (1/2 where both densities vanish). */
export function optimalDiscriminator(pData: Density, pModel: Density): (x: number) => number {
  return (x) => {
    const a = pData(x);
    const b = pModel(x);
    return a + b > 0 ? a / (a + b) : 0.5;
  };
}

/**
 * V(D, G) = E_data[log D(x)] + E_g[log(1 - D(x))] by Simpson quadrature on [lo, hi]
 * (the densities must be negligible outside).
 */
export function ganValue(
  D: (x: number) => number,
  pData: Density,
  pModel: Density,
  lo: number,
  hi: number,
  panels = 4000,
): number {
  return integrate(
    (x) => {
      const d = Math.min(1 - 1e-12, Math.max(1e-12, D(x)));
      return pData(x) * Math.log(d) + pModel(x) * Math.log(1 - d);
    },
    lo,
    hi,
    panels,
  );
}
