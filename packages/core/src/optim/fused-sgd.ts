// The step of sgd(lr, { momentum }) (chain(traceMomentum, scaleByLearningRate)) as one fused kernel
// call over every parameter (kernels/fused/sgd-momentum.ts): the chain's state, advanced as its
// update would advance it, and the parameters that params + updates would give, with the same bits.
import { sgdMomentumList } from '../kernels/fused/sgd-momentum.js';
import { namedList, type Params, resolve, type ScalarOrSchedule } from './gradient-transformation.js';

type ChainState = [{ trace: Params | null }, { count: number }];

/** GradientTransformation.step for heavy-ball momentum then the learning rate; null without the kernel. */
export function fusedSgdStep(momentum: number, lr: ScalarOrSchedule) {
  return (grads: Params, state: unknown[], params: Params): [Params, unknown[]] | null => {
    const [{ trace }, { count }] = state as ChainState;
    const names = Object.keys(grads);
    // a trace of other names (a state from elsewhere): the composed update handles (or refuses) it
    if (trace && !names.every((k) => trace[k])) return null;
    const out = sgdMomentumList(
      names.map((k) => params[k]!),
      names.map((k) => grads[k]!),
      trace ? names.map((k) => trace[k]!) : null,
      momentum,
      resolve(lr, count),
    );
    if (!out) return null;
    const next: ChainState = [{ trace: namedList(names, out.traces) }, { count: count + 1 }];
    return [namedList(names, out.params)!, next];
  };
}
