// W6 `finetune`: the pure part of the report. Runs (one per seed) become the JSON line of a setting
// (means over seeds, each seed's figures, the peer's figures and our/peer ratios), and the lines
// become a markdown table.
import { jsonObject, numberField, PeerOutputError, recordField } from './peer-output.js';
import { spreadOf } from './seeds.js';

export const STRATEGIES = ['scratch', 'probe', 'finetune', 'gradual'] as const;
export type Strategy = (typeof STRATEGIES)[number];
export type LabelsPerClass = number | 'all';

/** One seed's task-B test accuracies, by strategy. */
export interface SeedRun {
  seed: number;
  accuracy: Record<Strategy, number>;
  /** Training steps each strategy took (the same for all). */
  steps: number;
}

/** What the peer prints for one k (../shared/peers/torch_finetune_peer.py). */
export interface PeerLine {
  labels_per_class: number;
  scratch_acc: number;
  probe_acc: number;
  finetune_acc: number;
  sd: Record<string, number>;
  taskA_acc: number;
  seconds: number;
}

export interface FinetuneLine {
  workload: 'finetune';
  labels_per_class: LabelsPerClass;
  scratch_acc: number;
  probe_acc: number;
  finetune_acc: number;
  gradual_acc: number;
  /** Sample standard deviation over seeds, by strategy (null for one seed). */
  sd: Record<Strategy, number | null>;
  seeds: number;
  steps: number;
  seconds: number;
  taskA_acc: number;
  runs: { seed: number; scratch: number; probe: number; finetune: number; gradual: number }[];
  peer_scratch_acc: number | null;
  peer_probe_acc: number | null;
  peer_finetune_acc: number | null;
  /** The peer's standard deviations (numpy's, population). */
  peer_sd: Record<string, number> | null;
  peer_taskA_acc: number | null;
  /** ours / peer accuracy, per strategy the peer runs. */
  ratio_scratch: number | null;
  ratio_probe: number | null;
  ratio_finetune: number | null;
}

const round = (x: number, digits = 4) => Number(x.toFixed(digits));
const ratio = (ours: number, peer: number | undefined) =>
  peer === undefined || !(peer > 0) ? null : round(ours / peer, 3);

/** The line of one labels-per-class setting from its seeds' runs (and the peer's line for that k, if any). */
export function finetuneLine(
  k: LabelsPerClass,
  runs: readonly SeedRun[],
  o: { seconds: number; taskA: number; peer?: PeerLine },
): FinetuneLine {
  if (runs.length === 0) throw new RangeError(`finetune: no runs for ${k} labels per class`);
  const mean = {} as Record<Strategy, number>;
  const sd = {} as Record<Strategy, number | null>;
  for (const s of STRATEGIES) {
    const spread = spreadOf(runs.map((r) => r.accuracy[s]))!;
    mean[s] = round(spread.mean);
    sd[s] = spread.std === null ? null : round(spread.std);
  }
  const p = o.peer;
  return {
    workload: 'finetune',
    labels_per_class: k,
    scratch_acc: mean.scratch,
    probe_acc: mean.probe,
    finetune_acc: mean.finetune,
    gradual_acc: mean.gradual,
    sd,
    seeds: runs.length,
    steps: runs[0]!.steps,
    seconds: round(o.seconds, 1),
    taskA_acc: round(o.taskA),
    runs: runs.map((r) => ({
      seed: r.seed,
      scratch: round(r.accuracy.scratch),
      probe: round(r.accuracy.probe),
      finetune: round(r.accuracy.finetune),
      gradual: round(r.accuracy.gradual),
    })),
    peer_scratch_acc: p?.scratch_acc ?? null,
    peer_probe_acc: p?.probe_acc ?? null,
    peer_finetune_acc: p?.finetune_acc ?? null,
    peer_sd: p?.sd ?? null,
    peer_taskA_acc: p?.taskA_acc ?? null,
    ratio_scratch: ratio(mean.scratch, p?.scratch_acc),
    ratio_probe: ratio(mean.probe, p?.probe_acc),
    ratio_finetune: ratio(mean.finetune, p?.finetune_acc),
  };
}

/** The W6 peer's file name (../shared/peers/), named in the errors about its output. */
export const FINETUNE_PEER = 'torch_finetune_peer.py';

/**
 * Parses the peer's stdout: one JSON object per line with the fields of PeerLine (accuracies in [0, 1],
 * labels per class a whole number, `sd` an object of numbers), blank lines skipped; anything else throws
 * a PeerOutputError naming the script, the line (counted from `firstLine`) and the field.
 */
export function parsePeerLines(stdout: string, firstLine = 1): PeerLine[] {
  const script = FINETUNE_PEER;
  const out: PeerLine[] = [];
  stdout.split('\n').forEach((text, i) => {
    if (text.trim() === '') return;
    const at = `line ${firstLine + i}: `;
    const o = jsonObject(text, script, `line ${firstLine + i}`);
    const accuracy = (f: string) => numberField(o, f, script, { min: 0, max: 1 }, at);
    out.push({
      labels_per_class: numberField(o, 'labels_per_class', script, { min: 1, integer: true }, at),
      scratch_acc: accuracy('scratch_acc'),
      probe_acc: accuracy('probe_acc'),
      finetune_acc: accuracy('finetune_acc'),
      taskA_acc: accuracy('taskA_acc'),
      seconds: numberField(o, 'seconds', script, { min: 0 }, at),
      sd: peerSd(o, at),
    });
  });
  return out;
}

/** The peer's standard deviations by strategy, from its line (`where` names the line in errors). */
function peerSd(line: Record<string, unknown>, where: string): Record<string, number> {
  const check = (k: string, v: unknown) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      throw new PeerOutputError(
        FINETUNE_PEER,
        `${where}sd.${k}`,
        `expected a finite number >= 0, got ${String(v)}`,
      );
    return v;
  };
  const sd = recordField(line, 'sd', FINETUNE_PEER, check, where);
  // a null-prototype object: a key such as "__proto__" from the file stays a key
  return Object.assign(Object.create(null) as Record<string, number>, Object.fromEntries(sd));
}

/** Yosinski et al. (2014): test accuracy on B of the four transfer networks, n layers copied. */
export type TransferVariant = 'AnB' | 'AnB+' | 'BnB' | 'BnB+';
export const TRANSFER_VARIANTS: readonly TransferVariant[] = ['AnB', 'AnB+', 'BnB', 'BnB+'];

export interface TransferLine {
  workload: 'finetune-transfer';
  n: number;
  AnB: number;
  'AnB+': number;
  BnB: number;
  'BnB+': number;
  sd: Record<TransferVariant, number | null>;
  /** Accuracy on B of the network trained on B from scratch (n = 0 in their Figure 2). */
  baseB_acc: number;
  labels_per_class: LabelsPerClass;
  seeds: number;
  steps: number;
  seconds: number;
  runs: ({ seed: number } & Record<TransferVariant, number>)[];
}

export function transferLine(
  n: number,
  runs: readonly ({ seed: number } & Record<TransferVariant, number>)[],
  o: { baseB: number; labelsPerClass: LabelsPerClass; steps: number; seconds: number },
): TransferLine {
  if (runs.length === 0) throw new RangeError(`finetune-transfer: no runs for n = ${n}`);
  const mean = {} as Record<TransferVariant, number>;
  const sd = {} as Record<TransferVariant, number | null>;
  for (const v of TRANSFER_VARIANTS) {
    const spread = spreadOf(runs.map((r) => r[v]))!;
    mean[v] = round(spread.mean);
    sd[v] = spread.std === null ? null : round(spread.std);
  }
  return {
    workload: 'finetune-transfer',
    n,
    ...mean,
    sd,
    baseB_acc: round(o.baseB),
    labels_per_class: o.labelsPerClass,
    seeds: runs.length,
    steps: o.steps,
    seconds: round(o.seconds, 1),
    runs: runs.map((r) => ({
      seed: r.seed,
      AnB: round(r.AnB),
      'AnB+': round(r['AnB+']),
      BnB: round(r.BnB),
      'BnB+': round(r['BnB+']),
    })),
  };
}

const pct = (x: number | null | undefined, sd?: number | null) =>
  x === null || x === undefined
    ? '-'
    : `${(100 * x).toFixed(1)}${sd === null || sd === undefined ? '' : ` (${(100 * sd).toFixed(1)})`}`;

/** The markdown table of the finetune lines: ours (mean (sd) over seeds) and the peer's. */
export function finetuneTable(lines: readonly FinetuneLine[]): string {
  const rows = [
    '| labels/class | scratch | linear probe | full fine-tune | gradual + layer-wise | peer scratch | peer probe | peer fine-tune |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const l of lines)
    rows.push(
      `| ${l.labels_per_class} | ${pct(l.scratch_acc, l.sd.scratch)} | ${pct(l.probe_acc, l.sd.probe)} | ${pct(
        l.finetune_acc,
        l.sd.finetune,
      )} | ${pct(l.gradual_acc, l.sd.gradual)} | ${pct(l.peer_scratch_acc, l.peer_sd?.scratch)} | ${pct(
        l.peer_probe_acc,
        l.peer_sd?.probe,
      )} | ${pct(l.peer_finetune_acc, l.peer_sd?.finetune)} |`,
    );
  return `${rows.join('\n')}\n`;
}

/** The markdown table of the layer-transfer lines. */
export function transferTable(lines: readonly TransferLine[]): string {
  const rows = ['| n | AnB | AnB+ | BnB | BnB+ |', '| --- | --- | --- | --- | --- |'];
  if (lines.length) rows.push(`| 0 (baseB) | ${pct(lines[0]!.baseB_acc)} | | | |`);
  for (const l of lines)
    rows.push(`| ${l.n} | ${TRANSFER_VARIANTS.map((v) => pct(l[v], l.sd[v])).join(' | ')} |`);
  return `${rows.join('\n')}\n`;
}
