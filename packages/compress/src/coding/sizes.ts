// Size accounting per tensor and per stage, as in Deep Compression's tables: dense float32, after
// pruning (sparse values with relative indices), after quantization (codebook indices and a
// codebook), and after Huffman coding (the bytes actually written).
import type { FileHeader, TensorEntry } from './header.js';

export interface SizeRow {
  name: string;
  shape: number[];
  encoding: TensorEntry['encoding'];
  size: number;
  /** Stored entries (non-zero weights plus filler zeros); size for raw tensors. */
  entries: number;
  fillers: number;
  denseBytes: number;
  prunedBytes: number;
  quantizedBytes: number;
  huffmanBytes: number;
}

export interface SizeReport {
  rows: SizeRow[];
  total: Omit<SizeRow, 'name' | 'shape' | 'encoding'>;
  /** The whole file, header included. */
  fileBytes: number;
  /** denseBytes / fileBytes. */
  ratio: number;
}

export function sizeRow(t: TensorEntry): SizeRow {
  const size = t.shape.reduce((a, b) => a * b, 1);
  const denseBytes = 4 * size;
  const stored = Object.values(t.sections).reduce((a, s) => a + (s?.length ?? 0), 0);
  if (t.encoding === 'raw') {
    return {
      name: t.name,
      shape: t.shape,
      encoding: t.encoding,
      size,
      entries: size,
      fillers: 0,
      denseBytes,
      prunedBytes: denseBytes,
      quantizedBytes: denseBytes,
      huffmanBytes: stored,
    };
  }
  const entries = t.entries!;
  const prunedBytes = Math.ceil((entries * (32 + t.indexBits!)) / 8);
  const quantizedBytes =
    t.encoding === 'shared'
      ? Math.ceil((entries * (t.weightBits! + t.indexBits!)) / 8) + 4 * t.codebookSize!
      : prunedBytes;
  return {
    name: t.name,
    shape: t.shape,
    encoding: t.encoding,
    size,
    entries,
    fillers: t.fillers!,
    denseBytes,
    prunedBytes,
    quantizedBytes,
    huffmanBytes: stored,
  };
}

export function sizeReport(header: FileHeader, fileBytes: number): SizeReport {
  const rows = header.tensors.map(sizeRow);
  const sum = (k: keyof SizeReport['total']) => rows.reduce((a, r) => a + r[k], 0);
  const total = {
    size: sum('size'),
    entries: sum('entries'),
    fillers: sum('fillers'),
    denseBytes: sum('denseBytes'),
    prunedBytes: sum('prunedBytes'),
    quantizedBytes: sum('quantizedBytes'),
    huffmanBytes: sum('huffmanBytes'),
  };
  return { rows, total, fileBytes, ratio: fileBytes ? total.denseBytes / fileBytes : 0 };
}

/** The report as a fixed-width text table (bytes per stage and the ratio to dense). */
export function sizeTable(report: SizeReport): string {
  const head = [
    'tensor',
    'encoding',
    'weights',
    'stored',
    'dense B',
    'pruned B',
    'quant B',
    'huffman B',
    'ratio',
  ];
  const line = (r: Omit<SizeRow, 'shape'> | (SizeReport['total'] & { name: string; encoding: string })) => [
    r.name,
    r.encoding,
    String(r.size),
    String(r.entries),
    String(r.denseBytes),
    String(r.prunedBytes),
    String(r.quantizedBytes),
    String(r.huffmanBytes),
    r.huffmanBytes ? `${(r.denseBytes / r.huffmanBytes).toFixed(1)}x` : '-',
  ];
  const body = [head, ...report.rows.map(line), line({ ...report.total, name: 'total', encoding: '' })];
  const widths = head.map((_, j) => Math.max(...body.map((r) => r[j]!.length)));
  const fmt = (r: string[]) =>
    r.map((c, j) => (j < 2 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join('  ');
  return [
    ...body.map(fmt),
    `file: ${report.fileBytes} bytes (header included), ${report.ratio.toFixed(1)}x smaller than dense float32`,
  ].join('\n');
}
