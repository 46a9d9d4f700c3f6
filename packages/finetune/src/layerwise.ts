// Discriminative fine-tuning (Howard & Ruder 2018): deeper layers keep more of their pretrained
// knowledge, so each layer below the top trains at `decay` times the rate of the layer above.

/** Learning rate per layer, input layer first: base * decay^(layers - 1 - i). */
export function layerwiseLearningRates(base: number, layers: number, decay = 1 / 2.6): number[] {
  if (!(base > 0) || !Number.isFinite(base))
    throw new RangeError(`base learning rate must be positive, got ${base}`);
  if (!Number.isInteger(layers) || layers < 1)
    throw new RangeError(`layers must be a positive integer, got ${layers}`);
  if (!(decay > 0 && decay <= 1)) throw new RangeError(`decay must be in (0, 1], got ${decay}`);
  return Array.from({ length: layers }, (_, i) => base * decay ** (layers - 1 - i));
}
