// Loss value and gradients keyed by the dotted parameter names of a module.
import { type Scalar, type Tensor, type Variable, variableGrads } from '@tensorflow/tfjs-core';

export function valueAndGrads(
  loss: () => Scalar,
  vars: Readonly<Record<string, Variable>>,
): { value: Scalar; grads: Record<string, Tensor> } {
  const names = Object.keys(vars);
  const { value, grads } = variableGrads(
    loss,
    names.map((k) => vars[k]!),
  );
  const out: Record<string, Tensor> = {};
  for (const k of names) {
    const g = grads[vars[k]!.name];
    if (g) out[k] = g;
  }
  return { value, grads: out };
}
