// W6 `finetune`'s plots: task-B accuracy against labels per class (ours solid, the peer's dashed), and
// the layer-transfer curves drawn like Yosinski et al.'s (2014) Figure 2.
import { type ChartSeries, lineChartPng, type Rgb } from '@lab/finetune';
import {
  type FinetuneLine,
  STRATEGIES,
  type Strategy,
  TRANSFER_VARIANTS,
  type TransferLine,
  type TransferVariant,
} from './finetune-report.js';

const COLOUR: Record<Strategy, Rgb> = {
  scratch: [127, 127, 127],
  probe: [31, 119, 180],
  finetune: [214, 39, 40],
  gradual: [44, 160, 44],
};
const TRANSFER_COLOUR: Record<TransferVariant, Rgb> = {
  BnB: [31, 119, 180],
  'BnB+': [23, 190, 207],
  AnB: [214, 39, 40],
  'AnB+': [255, 127, 14],
};
/** Where 'all' sits on the log axis: about what a Fashion-MNIST class has (6,000 training images). */
export const ALL_AT = 6000;

const xOf = (k: FinetuneLine['labels_per_class']) => (k === 'all' ? ALL_AT : k);

/** The series of the accuracy-against-labels plot (ours, then the peer's where it ran). */
export function accuracySeries(lines: readonly FinetuneLine[]): ChartSeries[] {
  const ours = STRATEGIES.map((s) => ({
    name: s,
    x: lines.map((l) => xOf(l.labels_per_class)),
    y: lines.map((l) => l[`${s}_acc`]),
    colour: COLOUR[s],
  }));
  const peer = (['scratch', 'probe', 'finetune'] as const)
    .map((s) => {
      const withPeer = lines.filter((l) => l[`peer_${s}_acc`] !== null);
      return {
        name: `torch ${s}`,
        x: withPeer.map((l) => xOf(l.labels_per_class)),
        y: withPeer.map((l) => l[`peer_${s}_acc`]!),
        colour: COLOUR[s],
        dashed: true,
      };
    })
    .filter((s) => s.x.length > 0);
  return [...ours, ...peer];
}

/** The series of the layer-transfer plot: each variant from n = 0 (the base B network) to n = depth. */
export function transferSeries(lines: readonly TransferLine[]): ChartSeries[] {
  if (lines.length === 0) return [];
  const base = lines[0]!.baseB_acc;
  return TRANSFER_VARIANTS.map((v) => ({
    name: v,
    x: [0, ...lines.map((l) => l.n)],
    y: [base, ...lines.map((l) => l[v])],
    colour: TRANSFER_COLOUR[v],
    dashed: v.endsWith('+'),
  }));
}

/** PNG files by name: finetune.png, and finetune-transfer.png when the transfer experiment ran. */
export function finetunePlots(
  lines: readonly FinetuneLine[],
  transfer: readonly TransferLine[],
): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  if (lines.length)
    out['finetune.png'] = lineChartPng(accuracySeries(lines), {
      title: 'fashion-mnist 0-4 to 5-9: task-b test accuracy',
      xLabel: 'labels per class',
      yLabel: 'accuracy',
      xLog: true,
      xTicks: lines.map((l) => ({ value: xOf(l.labels_per_class), label: String(l.labels_per_class) })),
      width: 720,
      height: 420,
    });
  if (transfer.length)
    out['finetune-transfer.png'] = lineChartPng(transferSeries(transfer), {
      title: 'layer transfer (yosinski et al. 2014, fig. 2)',
      xLabel: 'layer n at which the network is chopped and retrained',
      yLabel: 'accuracy',
      xTicks: [0, ...transfer.map((l) => l.n)].map((n) => ({ value: n, label: String(n) })),
      width: 640,
      height: 400,
    });
  return out;
}
