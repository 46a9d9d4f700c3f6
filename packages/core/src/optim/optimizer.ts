// A stateful optimizer: owns the state tensors of a transformation for a set of variables.
import { dispose, keep, tidy, type Variable } from '@tensorflow/tfjs-core';
import {
  applyUpdates,
  assertSameTree,
  type GradientTransformation,
  type Params,
  stateTensors,
} from './gradient-transformation.js';

export class Optimizer<S = unknown> {
  private state: S;
  constructor(
    readonly transform: GradientTransformation<S>,
    private readonly vars: Readonly<Record<string, Variable>>,
  ) {
    // tidy keeps every tensor of a returned tree (arrays and plain objects, recursively)
    this.state = tidy(() => transform.init(vars) as never);
  }
  /** One update from gradients keyed like the variables; the gradients are not disposed. */
  step(grads: Params): void {
    assertSameTree(grads, this.vars, 'Optimizer.step');
    const old = this.state;
    // the whole step in one fused kernel call where the transformation and backend have one
    const fused = this.transform.step
      ? (tidy(() => this.transform.step!(grads, old, this.vars) as never) as [Params, S] | null)
      : null;
    let next: S;
    let spent: Params;
    if (fused) {
      const [values, state] = fused;
      for (const [k, v] of Object.entries(values)) this.vars[k]!.assign(v);
      [spent, next] = [values, state];
    } else {
      const [updates, state] = tidy(() => this.transform.update(grads, old, this.vars) as never) as [
        Params,
        S,
      ];
      applyUpdates(this.vars, updates);
      [spent, next] = [updates, state];
    }
    // old state tensors that the new state does not reuse are freed
    const retained = new Set([...stateTensors(next), ...Object.values(grads)].map((t) => t.id));
    dispose(stateTensors(old).filter((t) => !retained.has(t.id)));
    dispose(Object.values(spent).filter((t) => !retained.has(t.id)));
    // survive any enclosing tidy (a step taken inside another gradient function, as ganStep does)
    for (const t of stateTensors(next)) keep(t);
    this.state = next;
  }
  /** The current state (for checkpoints). */
  getState(): S {
    return this.state;
  }
  /** Replaces the state (from a checkpoint); the optimizer takes ownership. */
  setState(state: S): void {
    dispose(stateTensors(this.state));
    this.state = state;
  }
  dispose(): void {
    dispose(stateTensors(this.state));
  }
}
