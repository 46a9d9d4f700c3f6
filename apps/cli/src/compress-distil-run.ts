// `lab compress distil`: trains (or reads) a teacher on an MNIST-layout data set, distils it into a smaller
// student at temperature T, optionally with one class left out of the transfer set and its output
// bias raised afterwards (by a given amount or chosen on held-out images), reports test errors and
// writes the student (and the teacher it trained) as module files, each written atomically.
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  argmaxRows,
  chooseBiasShift,
  type DistilData,
  distil,
  dropoutTeacher,
  errorCounts,
  jitteredData,
  logitsOf,
  mlp,
  outputLayer,
  raiseClassBias,
  tensorData,
  trainSupervised,
} from '@lab/compress';
import { adam, initBackend, Optimizer, Rng, type Sequential } from '@lab/core';
import { loadMnistSplit, writeFileAtomic } from '@lab/core/node';
import { dispose, gather, type Tensor, type Tensor2D, tensor1d, tensor2d, tidy } from '@tensorflow/tfjs-core';
import { inFile } from './checkpoint-config.js';
import { type MlpConfig, mlpBytes, mlpFromBytes } from './compress-distil-model.js';
import { progress } from './progress.js';

export interface DistilRunOptions {
  data: string;
  /** A teacher module file to read instead of training one. */
  teacher?: string;
  teacherHidden: number[];
  studentHidden: number[];
  teacherEpochs: number;
  /** A trained teacher's inputs shifted by up to this many pixels (Hinton et al.: 2); 0 = none. */
  jitter: number;
  epochs: number;
  temperature: number;
  softWeight: number;
  hardWeight: number;
  /** Dropout masks averaged per batch by the teacher (0: the weight-scaled net). */
  samples: number;
  /**
   * Compute the teacher's soft targets once and gather each batch's (@lab/compress's cacheTargets)
   * instead of a teacher pass per batch per epoch: the same targets, so the same student. Only for a
   * deterministic teacher (samples 0; the transfer set is never jittered). Default: whenever it is.
   */
  cacheTargets?: boolean;
  omit?: number;
  /** A number, or 'auto' to choose it on the held-out images. */
  biasShift: number | 'auto';
  heldOut: number;
  limit?: number;
  batchSize: number;
  lr: number;
  seed: number;
  out: string;
  teacherOut?: string;
  backend: 'wasm' | 'cpu';
  quiet?: boolean;
}

/** Writes a file atomically, making its directory first. */
function writeOutput(path: string, bytes: Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, bytes);
}

interface Split {
  x: Tensor2D;
  labels: Tensor;
  array: Int32Array;
}

/** A split as read, with its image size. */
interface ImageSplit extends Split {
  rows: number;
  cols: number;
}

function loadSplit(dir: string, split: 'train' | 'test', limit = Number.POSITIVE_INFINITY): ImageSplit {
  const set = loadMnistSplit(dir, split);
  const n = Math.min(set.count, limit);
  const pixels = set.rows * set.cols;
  const x = new Float32Array(n * pixels);
  for (let i = 0; i < n * pixels; i++) x[i] = set.images[i]! / 255;
  const array = Int32Array.from(set.labels.subarray(0, n));
  for (let i = 0; i < n; i++)
    if (array[i]! > 9) throw new RangeError(`${dir} (${split}): label ${i} is ${array[i]}, not a digit 0-9`);
  return {
    x: tensor2d(x, [n, pixels]),
    labels: tensor1d(array, 'int32'),
    array,
    rows: set.rows,
    cols: set.cols,
  };
}

function subset(s: Split, keep: Int32Array): Split {
  return tidy(() => {
    const idx = tensor1d(keep, 'int32');
    return {
      x: gather(s.x, idx) as Tensor2D,
      labels: gather(s.labels, idx),
      array: Int32Array.from(keep, (i) => s.array[i]!),
    };
  });
}

export interface DistilSummary {
  teacherErrors: number;
  studentErrors: number;
  testCount: number;
  omit?: number;
  omittedErrorsBefore?: number;
  omittedClassErrorsBefore?: number;
  biasShift?: number;
  omittedClassErrors?: number;
  omittedClassCount?: number;
  seconds: number;
  files: string[];
}

export async function distilRun(o: DistilRunOptions): Promise<DistilSummary> {
  const started = performance.now();
  await initBackend({ backend: o.backend });
  if (o.biasShift === 'auto' && o.omit === undefined) throw new RangeError('--bias-shift auto needs --omit');
  if (o.cacheTargets && o.samples > 0)
    throw new RangeError(
      `cacheTargets needs a deterministic teacher: --samples ${o.samples} draws fresh dropout masks per batch`,
    );
  if (o.teacher && o.jitter > 0)
    throw new RangeError('--jitter shifts the inputs of a trained teacher; it cannot go with --teacher');
  const say = (s: string) => {
    if (!o.quiet) process.stderr.write(`${s}\n`);
  };
  const rng = new Rng(o.seed);
  const owned: Split[] = [];
  const models: Sequential[] = [];
  const files: string[] = [];
  try {
    const train = loadSplit(o.data, 'train', o.limit);
    owned.push(train);
    const test = loadSplit(o.data, 'test');
    owned.push(test);
    const pixels = train.x.shape[1];
    const n = train.array.length;
    const auto = o.biasShift === 'auto';
    if (auto && o.heldOut >= n)
      throw new RangeError(`--held-out ${o.heldOut} leaves no training image of ${n}`);
    const heldOutStart = auto ? n - o.heldOut : n;
    const bar = (label: string, epochs: number, steps: number) => {
      let current = progress(`${label} epoch 1/${epochs}`, steps, o.quiet);
      return {
        onStep: (e: { stepInEpoch: number; epoch: number; metrics: Readonly<Record<string, number>> }) => {
          if (e.stepInEpoch === 0 && e.epoch > 0)
            current = progress(`${label} epoch ${e.epoch + 1}/${epochs}`, steps, o.quiet);
          current.tick({ loss: (e.metrics.loss ?? Number.NaN).toFixed(4) });
        },
        onEpoch: (e: { means: Readonly<Record<string, number>>; ms: number }) =>
          current.done(`loss ${(e.means.loss ?? Number.NaN).toFixed(4)} (${(e.ms / 1000).toFixed(1)} s)`),
      };
    };
    const trainPart = subset(
      train,
      Int32Array.from({ length: heldOutStart }, (_, i) => i),
    );
    owned.push(trainPart);
    const trainData: DistilData = tensorData(trainPart.x, trainPart.labels);
    const steps = (count: number) => Math.ceil(count / o.batchSize);

    // the teacher: read, or trained with Hinton et al.'s dropout (20% input, 50% hidden)
    let teacher: Sequential;
    let teacherConfig: MlpConfig;
    if (o.teacher) {
      const path = o.teacher;
      ({ model: teacher, config: teacherConfig } = inFile(path, () => mlpFromBytes(readFileSync(path))));
      models.push(teacher);
      const sizes = teacherConfig.sizes;
      if (sizes[0] !== pixels || sizes[sizes.length - 1] !== 10)
        throw new RangeError(
          `${path}: the teacher maps ${sizes[0]} inputs to ${sizes[sizes.length - 1]} classes; the data has ${pixels} pixels and 10 classes`,
        );
    } else {
      teacherConfig = { sizes: [pixels, ...o.teacherHidden, 10], inputDropout: 0.2, hiddenDropout: 0.5 };
      teacher = mlp(teacherConfig.sizes, { ...teacherConfig, rng: new Rng(rng.seed()), name: 'teacher' });
      models.push(teacher);
      const opt = new Optimizer(adam(o.lr), teacher.trainableParameters());
      // the shifts draw a seed only when there are any, so a run without jitter seeds its nets as before
      const teacherData = jitteredData(trainData, {
        maxShift: o.jitter,
        height: train.rows,
        width: train.cols,
        seed: o.jitter > 0 ? rng.seed() : 0,
      });
      try {
        trainSupervised(teacher, teacherData, {
          epochs: o.teacherEpochs,
          batchSize: o.batchSize,
          optimizer: opt,
          rng: new Rng(rng.seed()),
          ...bar('teacher', o.teacherEpochs, steps(heldOutStart)),
        });
      } finally {
        opt.dispose();
      }
    }
    const errorsOf = (m: Sequential) => errorCounts(argmaxRows(logitsOf(m, test.x), 10), test.array, 10);
    const teacherErrors = errorsOf(teacher).errors;
    say(`teacher: ${teacherErrors} test errors of ${test.array.length}`);
    if (!o.teacher && o.teacherOut) {
      writeOutput(
        o.teacherOut,
        mlpBytes(teacher, teacherConfig, { 'lab.testErrors': String(teacherErrors) }),
      );
      files.push(o.teacherOut);
    }

    // the transfer set: the training images, without the omitted class
    let transfer = trainPart;
    if (o.omit !== undefined) {
      const omit = o.omit;
      transfer = subset(
        trainPart,
        Int32Array.from(Array.from(trainPart.array.keys()).filter((i) => trainPart.array[i] !== omit)),
      );
      owned.push(transfer);
      say(`transfer set: ${transfer.array.length} images, none of class ${omit}`);
    }
    const studentConfig: MlpConfig = {
      sizes: [pixels, ...o.studentHidden, 10],
      inputDropout: 0,
      hiddenDropout: 0,
    };
    const student = mlp(studentConfig.sizes, { rng: new Rng(rng.seed()), name: 'student' });
    models.push(student);
    const opt = new Optimizer(adam(o.lr), student.trainableParameters());
    try {
      distil(
        dropoutTeacher(teacher, { samples: o.samples }),
        student,
        tensorData(transfer.x, transfer.labels),
        {
          temperature: o.temperature,
          softWeight: o.softWeight,
          hardWeight: o.hardWeight,
          epochs: o.epochs,
          batchSize: o.batchSize,
          optimizer: opt,
          rng: new Rng(rng.seed()),
          cacheTargets: o.cacheTargets ?? o.samples === 0,
          ...bar('distil', o.epochs, steps(transfer.array.length)),
        },
      );
    } finally {
      opt.dispose();
    }
    const summary: DistilSummary = {
      teacherErrors,
      studentErrors: 0,
      testCount: test.array.length,
      seconds: 0,
      files,
    };
    if (o.omit !== undefined) {
      const before = errorsOf(student);
      summary.omit = o.omit;
      summary.omittedErrorsBefore = before.errors;
      summary.omittedClassErrorsBefore = before.errorsByClass[o.omit]!;
      let shift: number;
      if (o.biasShift === 'auto') {
        const held = subset(
          train,
          Int32Array.from({ length: n - heldOutStart }, (_, i) => heldOutStart + i),
        );
        owned.push(held);
        shift = chooseBiasShift(logitsOf(student, held.x), held.array, 10, o.omit).shift;
        say(`bias shift chosen on ${held.array.length} held-out images: ${shift}`);
      } else shift = o.biasShift;
      raiseClassBias(outputLayer(student), o.omit, shift);
      summary.biasShift = shift;
    }
    const after = errorsOf(student);
    summary.studentErrors = after.errors;
    if (o.omit !== undefined) {
      summary.omittedClassErrors = after.errorsByClass[o.omit]!;
      summary.omittedClassCount = after.countByClass[o.omit]!;
    }
    writeOutput(
      o.out,
      mlpBytes(student, studentConfig, {
        'lab.testErrors': String(after.errors),
        'lab.distil': JSON.stringify({
          temperature: o.temperature,
          epochs: o.epochs,
          omit: o.omit ?? null,
          biasShift: summary.biasShift ?? null,
        }),
      }),
    );
    files.push(o.out);
    summary.seconds = (performance.now() - started) / 1000;
    return summary;
  } finally {
    for (const m of models) m.dispose();
    for (const s of owned) dispose([s.x, s.labels]);
  }
}
