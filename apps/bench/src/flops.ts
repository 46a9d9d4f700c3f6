// Constants and FLOP counts of the W1/W2 workloads of ../shared/BENCHMARKS.md; the networks are
// @lab/gan's DCGAN preset (dcganGenerator / dcganDiscriminator with their defaults).

export const Z = 100;
export const BATCH = 64;

/** Forward FLOPs (2 per multiply-add) of G and D for one batch of 64, for GFLOP/s figures. */
export function dcganForwardFlops(): { g: number; d: number } {
  const b = BATCH;
  const g =
    2 * b * (Z * 7 * 7 * 256 + 7 * 7 * 128 * 256 * 25 + 14 * 14 * 64 * 128 * 25 + 28 * 28 * 1 * 64 * 25);
  const d = 2 * b * (14 * 14 * 64 * 1 * 25 + 7 * 7 * 128 * 64 * 25 + 6272);
  return { g, d };
}
