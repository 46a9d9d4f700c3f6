// Typed errors of the weight readers: one for malformed input (naming the file, tensor or field) and
// one for a strict load that does not fit the model (listing every problem at once).

export type WeightsFormatErrorCode =
  | 'BadDtype'
  | 'BadShape'
  | 'BadManifest'
  | 'MissingShard'
  | 'ShardSize'
  | 'BadTopology'
  | 'UnknownModule'
  | 'BadOption';

/** Malformed weights input; `where` names the tensor, file or JSON field at fault. */
export class WeightsFormatError extends Error {
  constructor(
    readonly code: WeightsFormatErrorCode,
    readonly where: string,
    message: string,
  ) {
    super(`${where}: ${message}`);
    this.name = 'WeightsFormatError';
  }
}

export interface ShapeMismatch {
  source: string;
  target: string;
  /** The model's shape. */
  expected: number[];
  /** The file's shape, after layout conversion. */
  got: number[];
}

/** What a load did: every model tensor is matched or missing; every file tensor is matched, unexpected or ignored. */
export interface LoadReport {
  /** Model names that received a value, with the file name each came from. */
  matched: { source: string; target: string }[];
  /** Model names (parameters and buffers) the file had no value for. */
  missing: string[];
  /** File names that map to nothing in the model. */
  unexpected: string[];
  /** Pairs found by name whose shapes differ (not loaded). */
  shapeMismatches: ShapeMismatch[];
  /** File names that carry nothing this model keeps, such as PyTorch's `num_batches_tracked`. */
  ignored: string[];
  /** Differences that do not stop a load but change results, such as a BatchNorm epsilon. */
  warnings: string[];
}

export const emptyReport = (): LoadReport => ({
  matched: [],
  missing: [],
  unexpected: [],
  shapeMismatches: [],
  ignored: [],
  warnings: [],
});

const shape = (s: readonly number[]) => `[${s.join(', ')}]`;

/** One line per problem, for error messages. */
export function describeProblems(r: LoadReport): string[] {
  return [
    ...r.missing.map((t) => `missing: ${t} (no tensor in the file)`),
    ...r.unexpected.map((s) => `unexpected: ${s} (nothing in the model)`),
    ...r.shapeMismatches.map(
      (m) => `shape mismatch: ${m.source} -> ${m.target}: model ${shape(m.expected)}, file ${shape(m.got)}`,
    ),
  ];
}

/** A strict load found problems; nothing was loaded. `report` has the full picture. */
export class WeightsMismatchError extends Error {
  readonly problems: string[];
  constructor(
    readonly module: string,
    readonly report: LoadReport,
  ) {
    const problems = describeProblems(report);
    const notes = report.warnings.map((w) => `note: ${w}`);
    super(
      `${module}: the weights do not fit (${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing loaded):\n  ${[...problems, ...notes].join('\n  ')}`,
    );
    this.problems = problems;
    this.name = 'WeightsMismatchError';
  }
}
