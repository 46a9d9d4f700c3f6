// Optimizers as composable gradient transformations (optax's design, tidy-aware):
// `init(params)` builds a state; `update(grads, state, params)` returns transformed updates and the
// next state. State is a plain tree of tensors and numbers, so checkpoints save it like weights.
import { add, type Tensor, tidy, type Variable } from '@tensorflow/tfjs-core';
import { linearList } from '../kernels/fused/linear-list.js';

export type Params = Readonly<Record<string, Tensor>>;
/** A learning rate that depends on the step count (0-based), or a constant. */
export type Schedule = (step: number) => number;
export type ScalarOrSchedule = number | Schedule;

export interface GradientTransformation<S = unknown> {
  init(params: Params): S;
  update(updates: Params, state: S, params?: Params): [Params, S];
  /**
   * Optional: the whole step in fused kernels, the new parameter values and the next state (the
   * values and state that update and params + updates give), or null where the backend has no such
   * kernel. Optimizer.step uses it first.
   */
  step?(grads: Params, state: S, params: Params): [Params, S] | null;
}

/** Applies transformations in order; the state is the tuple of their states. */
export function chain(...transforms: GradientTransformation<any>[]): GradientTransformation<unknown[]> {
  return {
    init: (params) => transforms.map((t) => t.init(params)),
    update(updates, state, params) {
      const next: unknown[] = [];
      let u = updates;
      transforms.forEach((t, i) => {
        const [u2, s2] = t.update(u, state[i], params);
        u = u2;
        next.push(s2);
      });
      return [u, next];
    },
  };
}

export function resolve(lr: ScalarOrSchedule, step: number): number {
  return typeof lr === 'number' ? lr : lr(step);
}

/** Maps a function over every tensor of two equally keyed maps. */
export function mapParams(a: Params, fn: (x: Tensor, name: string) => Tensor): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(a)) out[k] = fn(v, k);
  return out;
}

/** A fused list kernel's outputs keyed by `names` (null stays null: the kernel was not there). */
export function namedList(names: readonly string[], list: Tensor[] | null): Record<string, Tensor> | null {
  if (!list) return null;
  const out: Record<string, Tensor> = {};
  for (const [i, k] of names.entries()) out[k] = list[i]!;
  return out;
}

/** Checks that updates and params have the same names and shapes (a mismatch is named). */
export function assertSameTree(updates: Params, params: Params, where: string): void {
  for (const [k, u] of Object.entries(updates)) {
    const p = params[k];
    if (!p) throw new Error(`${where}: update for '${k}' has no parameter`);
    if (p.shape.join() !== u.shape.join()) {
      throw new Error(`${where}: '${k}' update shape [${u.shape}] differs from parameter shape [${p.shape}]`);
    }
  }
}

/** params[k] += updates[k]: the only mutation in the optimizer design. */
export function applyUpdates(vars: Readonly<Record<string, Variable>>, updates: Params): void {
  const names = Object.keys(updates);
  for (const k of names) if (!vars[k]) throw new Error(`applyUpdates: no variable named '${k}'`);
  // all sums in one fused kernel call where the backend has it, else one add per variable
  const fused = linearList(
    names.map((k) => vars[k]!),
    names.map((k) => updates[k]!),
    1,
    1,
  );
  for (const [i, k] of names.entries()) {
    const v = vars[k]!;
    const next = fused ? fused[i]! : tidy(() => add(v, updates[k]!));
    v.assign(next);
    next.dispose();
  }
}

/** All tensors in a state tree (for disposal and leak checks). */
export function stateTensors(state: unknown, out: Tensor[] = []): Tensor[] {
  if (state && typeof state === 'object') {
    if (isTensor(state)) out.push(state);
    else for (const v of Object.values(state as object)) stateTensors(v, out);
  }
  return out;
}

export function isTensor(x: unknown): x is Tensor {
  return (
    typeof x === 'object' &&
    x !== null &&
    'dataId' in x &&
    'shape' in x &&
    typeof (x as { dataSync?: unknown }).dataSync === 'function'
  );
}
