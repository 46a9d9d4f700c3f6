// The WGAN papers' settings: their hyperparameters and their critic-iteration schedules.

/** WGAN with weight clipping (Arjovsky et al. 2017, Algorithm 1). */
export const WGAN_DEFAULTS = {
  clip: 0.01,
  learningRate: 5e-5,
  optimizer: 'rmsprop',
  nCritic: 5,
  batchSize: 64,
} as const;
/** WGAN-GP (Gulrajani et al. 2017, Algorithm 1). */
export const WGAN_GP_DEFAULTS = {
  lambda: 10,
  learningRate: 1e-4,
  b1: 0,
  b2: 0.9,
  nCritic: 5,
  batchSize: 64,
} as const;

/**
 * Critic iterations before generator step `g` (0-based). 'paper' is a constant nCritic; 'reference'
 * is the reference code's schedule: 100 for the first 25 generator steps and every 500th, else nCritic.
 */
export function criticIterations(
  g: number,
  { schedule = 'paper', nCritic = 5 }: { schedule?: 'paper' | 'reference'; nCritic?: number } = {},
): number {
  if (schedule === 'reference' && (g < 25 || g % 500 === 0)) return 100;
  return nCritic;
}
