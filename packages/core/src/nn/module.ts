// Modules own their Variables: parameters (trainable unless frozen) and buffers (running statistics),
// under flat dotted names like "net.0.weight" (the same keys as PyTorch state dicts and checkpoints).
import { cast, engine, type Tensor, type Variable, variable } from '@tensorflow/tfjs-core';

const MODULE = Symbol.for('@lab/core.module');

/** True for any @lab Module, also across duplicate copies of @lab/core. */
export function isModule(x: unknown): x is Module {
  return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[MODULE] === true;
}

/** A name not yet taken in tfjs's global variable registry (tfjs requires unique variable names). */
function freshVariableName(base: string): string {
  const taken = (engine() as unknown as { registeredVariables: Record<string, unknown> }).registeredVariables;
  let k = 0;
  while (`${base}_${k}` in taken) k++;
  return `${base}_${k}`;
}

export class ShapeError extends Error {
  constructor(module: string, what: string, expected: string, got: readonly number[]) {
    super(`${module}: ${what} expected ${expected}, got [${got.join(', ')}]`);
    this.name = 'ShapeError';
  }
}

export abstract class Module {
  readonly [MODULE] = true;
  /** Training mode (dropout active, batch statistics in BatchNorm). */
  training = true;
  private readonly ownParams = new Map<string, Variable>();
  private readonly ownBuffers = new Map<string, Variable>();
  private readonly children = new Map<string, Module>();

  constructor(readonly name: string) {}

  abstract forward(x: Tensor): Tensor;

  /** Adds a parameter; the module takes ownership of `init`. */
  protected addParameter(name: string, init: Tensor, trainable = true): Variable {
    return this.own(this.ownParams, name, init, trainable);
  }
  /** Adds a non-trainable buffer (saved in state dicts, never updated by optimizers). */
  protected addBuffer(name: string, init: Tensor): Variable {
    return this.own(this.ownBuffers, name, init, false);
  }
  private own(map: Map<string, Variable>, name: string, init: Tensor, trainable: boolean): Variable {
    if (map.has(name) || this.children.has(name)) throw new Error(`${this.name}: duplicate member '${name}'`);
    const v = variable(init, trainable, freshVariableName(`${this.name}.${name}`));
    init.dispose();
    map.set(name, v);
    return v;
  }
  protected addModule<M extends Module>(name: string, module: M): M {
    if (this.children.has(name) || this.ownParams.has(name))
      throw new Error(`${this.name}: duplicate member '${name}'`);
    this.children.set(name, module);
    return module;
  }

  /** Parameters by dotted name, trainable or frozen. */
  parameters(): Record<string, Variable> {
    const out: Record<string, Variable> = {};
    this.walk('', (prefix, m) => {
      for (const [k, v] of m.ownParams) out[prefix + k] = v;
    });
    return out;
  }
  /** Only the parameters an optimizer should update. */
  trainableParameters(): Record<string, Variable> {
    return Object.fromEntries(Object.entries(this.parameters()).filter(([, v]) => v.trainable));
  }
  buffers(): Record<string, Variable> {
    const out: Record<string, Variable> = {};
    this.walk('', (prefix, m) => {
      for (const [k, v] of m.ownBuffers) out[prefix + k] = v;
    });
    return out;
  }
  /** Parameters and buffers: what a checkpoint holds. */
  stateDict(): Record<string, Variable> {
    return { ...this.parameters(), ...this.buffers() };
  }
  /** Copies values in; shapes must match. With `strict` (default) the key sets must match too. */
  loadStateDict(dict: Record<string, Tensor>, { strict = true }: { strict?: boolean } = {}): void {
    const own = this.stateDict();
    if (strict) {
      const missing = Object.keys(own).filter((k) => !(k in dict));
      const unexpected = Object.keys(dict).filter((k) => !(k in own));
      if (missing.length || unexpected.length) {
        throw new Error(
          `${this.name}.loadStateDict: missing [${missing.join(', ')}], unexpected [${unexpected.join(', ')}]`,
        );
      }
    }
    for (const [k, v] of Object.entries(own)) {
      const src = dict[k];
      if (!src) continue;
      if (src.shape.join() !== v.shape.join()) {
        throw new ShapeError(this.name, `state '${k}'`, `[${v.shape.join(', ')}]`, src.shape);
      }
      if (src.dtype === v.dtype) v.assign(src);
      else {
        const converted = cast(src, v.dtype);
        v.assign(converted);
        converted.dispose();
      }
    }
  }
  /** Freezes parameters whose dotted name matches (a RegExp, or a string prefix/glob with '*'). */
  freeze(pattern: RegExp | string = /.*/): string[] {
    return this.setTrainable(pattern, false);
  }
  unfreeze(pattern: RegExp | string = /.*/): string[] {
    return this.setTrainable(pattern, true);
  }
  private setTrainable(pattern: RegExp | string, trainable: boolean): string[] {
    const re =
      typeof pattern === 'string'
        ? new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}(\\.|$)`)
        : pattern;
    const hit: string[] = [];
    for (const [k, v] of Object.entries(this.parameters())) {
      if (re.test(k)) {
        v.trainable = trainable;
        hit.push(k);
      }
    }
    return hit;
  }
  /** Number of parameter elements (trainable only with `trainableOnly`). */
  paramCount({ trainableOnly = false } = {}): number {
    return Object.values(trainableOnly ? this.trainableParameters() : this.parameters()).reduce(
      (a, v) => a + v.size,
      0,
    );
  }
  /** Bytes of parameters and buffers. */
  byteCount(): number {
    return Object.values(this.stateDict()).reduce(
      (a, v) => a + v.size * (v.dtype === 'float32' || v.dtype === 'int32' ? 4 : 1),
      0,
    );
  }
  /** Sets training mode recursively. */
  train(mode = true): this {
    this.walk('', (_p, m) => {
      m.training = mode;
    });
    return this;
  }
  eval(): this {
    return this.train(false);
  }
  /** Frees every Variable of this module and its children. */
  dispose(): void {
    this.walk('', (_p, m) => {
      for (const v of m.ownParams.values()) v.dispose();
      for (const v of m.ownBuffers.values()) v.dispose();
    });
  }
  private walk(prefix: string, fn: (prefix: string, m: Module) => void): void {
    fn(prefix, this);
    for (const [k, child] of this.children) child.walk(`${prefix}${k}.`, fn);
  }
}
