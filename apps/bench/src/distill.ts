// `pnpm bench distill`: Hinton, Vinyals & Dean's MNIST experiments (Distilling the Knowledge in a
// Neural Network, 2015, section 3) with @lab/compress: a large teacher with dropout, a small student
// trained from scratch and the same student distilled at temperature T; then the student distilled
// on a transfer set with one digit left out, before and after raising that digit's output bias. Also
// dropout seen as an ensemble (weight-scaled net against the average of k sampled sub-networks) and
// truncated-SVD / Kronecker factorisation of the student (accuracy against size).

import {
  argmaxRows,
  type DistilData,
  distil,
  dropoutEnsembleErrors,
  dropoutTeacher,
  errorCounts,
  type FactorisationPoint,
  factorisationCurve,
  jitteredData,
  kroneckerShapeFor,
  logitsOf,
  mlp,
  outputLayer,
  raiseClassBias,
  tensorData,
  trainSupervised,
} from '@lab/compress';
import type { Module, Sequential } from '@lab/core';
import { initBackend, Rng } from '@lab/core';
import { dispose, slice } from '@tensorflow/tfjs-core';
import { distillTables } from './distill-table.js';
import { loadMnist, type MnistTensors, splitLast, withoutClass } from './distill-train.js';

export interface DistillBenchOptions {
  epochs: number;
  teacherWidth: number;
  studentWidth: number;
  temperature: number;
  /** Further temperatures to distil at (the same teacher, student and shuffles), reported in temperature_sweep. */
  temperatures: number[];
  /** The teacher's inputs shifted by up to this many pixels (Hinton et al.: 2); 0 = none. */
  jitter: number;
  /** The last n of the training images kept out of training; every net's errors on them are reported. */
  heldOut: number;
  /** Only the teacher / student / distilled table: no omitted-class, dropout-ensemble or factorisation part. */
  mainOnly: boolean;
  /**
   * Only the student from scratch and its factorisation: no teacher, distillation, omitted class or
   * dropout ensemble. The student is the one a full run with the same options trains (the same seeds).
   */
  factorisationOnly: boolean;
  omit: number;
  biasShift: number;
  trainExamples: number;
  ensembleExamples: number;
  ks: number[];
  ranks: number[];
  kroneckerTerms: number[];
  /** Epochs of fine-tuning each factorised student (the student's loop: Adam, the batch size); 0 = none. */
  factorEpochs: number;
  batchSize: number;
  /**
   * @lab's kernel threads the training runs on (the bench's --threads: its largest count). The
   * products are then split between threads, which rounds differently from one thread.
   */
  threads: number;
  seed: number;
  quiet: boolean;
  /** MNIST directory; default <shared data>/mnist. */
  dataDir?: string;
}

// 10 epochs: at 3 the students are far from converged and the distilled one can come out behind
// the one from scratch (see the package README's diagnosis); at 10 it is ahead at every T tried
export const DISTILL_DEFAULTS: DistillBenchOptions = {
  epochs: 10,
  teacherWidth: 1200,
  studentWidth: 800,
  temperature: 20,
  temperatures: [],
  jitter: 0,
  heldOut: 0,
  mainOnly: false,
  factorisationOnly: false,
  omit: 3,
  biasShift: 3.5,
  trainExamples: 60_000,
  ensembleExamples: 10_000,
  ks: [1, 10, 100],
  ranks: [8, 16, 32, 64, 128],
  kroneckerTerms: [1, 4, 16],
  factorEpochs: 2,
  batchSize: 100,
  threads: 1,
  seed: 0,
  quiet: false,
};

/** Hinton et al.'s figures (test errors out of 10,000; the omitted digit was 3, 1,010 test 3s). */
export const DISTILL_ANCHORS = {
  teacher_errors: 67,
  student_errors: 146,
  distilled_errors: 74,
  omitted_errors: 206,
  omitted_class_errors: 133,
  omitted_bias_errors: 109,
  omitted_bias_class_errors: 14,
};

/** Errors of one distillation temperature: on the test set and (with --held-out) on the held-out images. */
export interface TemperatureRow {
  temperature: number;
  errors: number;
  held_out_errors: number | null;
}

/** One point of the factorisation curve of the student from scratch. */
export interface FactorisationRow {
  method: FactorisationPoint['method'];
  /** The SVD rank or the number of Kronecker terms; 0 for the dense student. */
  setting: number;
  parameters: number;
  /** The dense student's parameters / these. */
  compression: number;
  /** ||W - W_approx||_F / ||W||_F of the factorised weights, the largest over the layers (0: dense). */
  residual: number;
  /** Test accuracy of the factorised student before fine-tuning (null on the dense row and with --factor-epochs 0). */
  accuracy_before_tuning: number | null;
  /** Test accuracy after --factor-epochs of fine-tuning (as factorised with 0). */
  accuracy: number;
}

export interface DistillLine {
  workload: 'distill';
  /** The teacher's and the distilled student's errors are null with --factorisation-only. */
  teacher_errors: number | null;
  student_errors: number;
  distilled_errors: number | null;
  /** Errors on the held-out training images (null without --held-out and with --factorisation-only). */
  held_out: {
    count: number;
    teacher_errors: number;
    student_errors: number;
    distilled_errors: number;
  } | null;
  temperature_sweep: TemperatureRow[];
  /** The omitted-class fields are null with --main-only and --factorisation-only. */
  omitted_class: number;
  omitted_errors: number | null;
  omitted_bias_errors: number | null;
  /** Accuracy on the omitted digit's test images after the bias raise. */
  omitted_class_acc: number | null;
  omitted_class_errors: number | null;
  omitted_bias_class_errors: number | null;
  omitted_class_count: number;
  bias_shift: number;
  test_count: number;
  dropout_ensemble: { k: number; errors: number; examples: number }[];
  factorisation: FactorisationRow[];
  config: Omit<DistillBenchOptions, 'quiet' | 'dataDir'>;
  seconds: number;
}

function testErrors(model: Module, test: MnistTensors) {
  return errorCounts(argmaxRows(logitsOf(model, test.x), 10), test.labelArray, 10);
}

/** The checks across options that each option's parser cannot make. */
export function checkDistillOptions(o: DistillBenchOptions): void {
  if (!Number.isInteger(o.heldOut) || o.heldOut < 0 || o.heldOut >= o.trainExamples)
    throw new RangeError(
      `distill: --held-out ${o.heldOut} must be a whole number below --train-examples ${o.trainExamples}`,
    );
  if (!Number.isInteger(o.jitter) || o.jitter < 0 || o.jitter > 27)
    throw new RangeError(`distill: --jitter ${o.jitter} must be a whole number of pixels in [0, 27]`);
  if (!Number.isInteger(o.threads) || o.threads < 1)
    throw new RangeError(`distill: threads ${o.threads} must be a whole number >= 1`);
  if (!Number.isInteger(o.factorEpochs) || o.factorEpochs < 0)
    throw new RangeError(`distill: --factor-epochs ${o.factorEpochs} must be a whole number >= 0`);
  if (o.mainOnly && o.factorisationOnly)
    throw new RangeError('distill: --main-only and --factorisation-only leave nothing to run together');
}

export async function distillBench(options: Partial<DistillBenchOptions> = {}): Promise<DistillLine> {
  const o: DistillBenchOptions = { ...DISTILL_DEFAULTS, ...options };
  checkDistillOptions(o);
  const started = performance.now();
  const say = (s: string) => {
    if (!o.quiet) process.stderr.write(`${s}\n`);
  };
  // one thread is how the bench starts; more are set for this run only (the next workload sets its own)
  if (o.threads === 1) return distillRun(o, started, say);
  const backend = await initBackend({ backend: 'wasm', threads: o.threads });
  if (backend.threads !== o.threads)
    say(`distill: warning: trains on ${backend.threads} thread(s) when ${o.threads} were asked`);
  try {
    return await distillRun(o, started, say);
  } finally {
    await initBackend({ backend: 'wasm', threads: 1 });
  }
}

async function distillRun(
  o: DistillBenchOptions,
  started: number,
  say: (s: string) => void,
): Promise<DistillLine> {
  const rng = new Rng(o.seed);
  const loaded = loadMnist('train', o.trainExamples, o.dataDir);
  const [train, heldOut] = splitLast(loaded, o.heldOut);
  if (train !== loaded) dispose([loaded.x, loaded.labels]);
  const test = loadMnist('test', Number.POSITIVE_INFINITY, o.dataDir);
  const heldOutErrors = (m: Module) => (heldOut ? testErrors(m, heldOut).errors : null);
  const sizes = (w: number) => [784, w, w, 10];
  const models: Sequential[] = [];
  // Adam at its default learning rate (1e-3) for every net; each run shuffles with its own stream
  const trainOptions = (what: string, shuffle = new Rng(rng.seed()), epochs = o.epochs) => ({
    epochs,
    batchSize: o.batchSize,
    rng: shuffle,
    onEpoch: (e: { epoch: number; means: Readonly<Record<string, number>>; ms: number }) =>
      say(
        `distill: ${what} epoch ${e.epoch + 1}/${epochs} loss ${e.means.loss!.toFixed(4)} (${(e.ms / 1000).toFixed(1)} s)`,
      ),
  });
  // the teacher: 20% dropout on the input, 50% on the hidden units (Hinton et al.)
  const trainTeacher = (seeds: { init: number; jitter: number; shuffle: number }) => {
    const teacher = mlp(sizes(o.teacherWidth), {
      inputDropout: 0.2,
      hiddenDropout: 0.5,
      rng: new Rng(seeds.init),
      name: 'teacher',
    });
    models.push(teacher);
    const teacherData: DistilData = jitteredData(tensorData(train.x, train.labels), {
      maxShift: o.jitter,
      height: 28,
      width: 28,
      seed: seeds.jitter,
    });
    trainSupervised(teacher, teacherData, trainOptions('teacher', new Rng(seeds.shuffle)));
    return teacher;
  };
  // every factorised student is fine-tuned from the same shuffles, with the student's loop
  const factorise = async (student: Sequential): Promise<FactorisationRow[]> => {
    const tuneSeed = rng.seed();
    const points = await factorisationCurve(student, {
      evaluate: (m) => {
        const accuracy = 1 - testErrors(m, test).errors / test.labelArray.length;
        say(`distill: factorisation ${m.name} test accuracy ${(100 * accuracy).toFixed(2)}%`);
        return accuracy;
      },
      ranks: o.ranks,
      kroneckerTerms: o.kroneckerTerms.filter((t) => t <= maxKroneckerTerms(o.studentWidth)),
      fineTune:
        o.factorEpochs > 0
          ? (m, { method, setting }) => {
              trainSupervised(m, tensorData(train.x, train.labels), {
                ...trainOptions(`${method} ${setting} fine-tuning`, new Rng(tuneSeed), o.factorEpochs),
              });
            }
          : undefined,
    });
    say('distill: factorisation done');
    return points.map((p) => ({
      method: p.method,
      setting: p.setting,
      parameters: p.parameters,
      compression: p.compression,
      residual: p.residual,
      accuracy_before_tuning: p.accuracyBeforeTuning ?? null,
      accuracy: p.accuracy,
    }));
  };
  const owned: MnistTensors[] = [train, test, ...(heldOut ? [heldOut] : [])];
  try {
    const trainData = tensorData(train.x, train.labels);
    // the teacher's seeds are drawn also when it is not trained, so the student is the same either
    // way; the shifts draw a seed only when there are any, so a run without jitter seeds as before
    const teacherSeeds = { init: rng.seed(), jitter: o.jitter > 0 ? rng.seed() : 0, shuffle: rng.seed() };
    const teacher = o.factorisationOnly ? null : trainTeacher(teacherSeeds);
    const teacherErrors = teacher ? testErrors(teacher, test).errors : null;
    if (teacher) say(`distill: teacher ${teacherErrors} test errors`);

    const student = mlp(sizes(o.studentWidth), { rng: new Rng(rng.seed()), name: 'student' });
    models.push(student);
    trainSupervised(student, trainData, trainOptions('student from scratch'));
    const studentErrors = testErrors(student, test).errors;
    say(`distill: student from scratch ${studentErrors} test errors`);
    const { quiet: _q, dataDir: _d, ...config } = o;
    if (!teacher) {
      const line: DistillLine = {
        workload: 'distill',
        teacher_errors: null,
        student_errors: studentErrors,
        distilled_errors: null,
        held_out: null,
        temperature_sweep: [],
        omitted_class: o.omit,
        omitted_errors: null,
        omitted_bias_errors: null,
        omitted_class_acc: null,
        omitted_class_errors: null,
        omitted_bias_class_errors: null,
        omitted_class_count: test.labelArray.filter((y) => y === o.omit).length,
        bias_shift: o.biasShift,
        test_count: test.labelArray.length,
        dropout_ensemble: [],
        factorisation: await factorise(student),
        config,
        seconds: (performance.now() - started) / 1000,
      };
      say(distillTables(line));
      return line;
    }

    // the weight-scaled dropout net is the teacher, as in the paper
    const soft = dropoutTeacher(teacher);
    // every temperature starts from the same initial student and shuffles
    const distilledSeed = rng.seed();
    const shuffleSeed = rng.seed();
    const distilAt = (temperature: number): TemperatureRow => {
      const net = mlp(sizes(o.studentWidth), { rng: new Rng(distilledSeed), name: 'distilled' });
      try {
        // the weight-scaled teacher on unjittered images: its targets are computed once, not per epoch
        distil(soft, net, trainData, {
          ...trainOptions(`distilled student (T = ${temperature})`, new Rng(shuffleSeed)),
          temperature,
          cacheTargets: true,
        });
        const row = {
          temperature,
          errors: testErrors(net, test).errors,
          held_out_errors: heldOutErrors(net),
        };
        say(
          `distill: distilled student (T = ${temperature}) ${row.errors} test errors${heldOut ? `, ${row.held_out_errors} of ${heldOut.labelArray.length} held out` : ''}`,
        );
        return row;
      } finally {
        net.dispose();
      }
    };
    const main = distilAt(o.temperature);
    const distilledErrors = main.errors;
    const sweep = o.temperatures.filter((t) => t !== o.temperature).map(distilAt);
    const held = heldOut
      ? {
          count: heldOut.labelArray.length,
          teacher_errors: heldOutErrors(teacher)!,
          student_errors: heldOutErrors(student)!,
          distilled_errors: main.held_out_errors!,
        }
      : null;
    if (held)
      say(
        `distill: on ${held.count} held-out training images: teacher ${held.teacher_errors}, student ${held.student_errors}, distilled ${held.distilled_errors}`,
      );
    const classCount = test.labelArray.filter((y) => y === o.omit).length;
    const common = {
      workload: 'distill' as const,
      teacher_errors: teacherErrors,
      student_errors: studentErrors,
      distilled_errors: distilledErrors,
      held_out: held,
      temperature_sweep: [main, ...sweep].sort((a, b) => a.temperature - b.temperature),
      omitted_class: o.omit,
      omitted_class_count: classCount,
      bias_shift: o.biasShift,
      test_count: test.labelArray.length,
      config,
    };
    if (o.mainOnly) {
      const line: DistillLine = {
        ...common,
        omitted_errors: null,
        omitted_bias_errors: null,
        omitted_class_acc: null,
        omitted_class_errors: null,
        omitted_bias_class_errors: null,
        dropout_ensemble: [],
        factorisation: [],
        seconds: (performance.now() - started) / 1000,
      };
      say(distillTables(line));
      return line;
    }

    const transfer = withoutClass(train, o.omit);
    owned.push(transfer);
    const omitted = mlp(sizes(o.studentWidth), { rng: new Rng(rng.seed()), name: 'omitted' });
    models.push(omitted);
    distil(soft, omitted, tensorData(transfer.x, transfer.labels), {
      ...trainOptions(`student without ${o.omit}s`),
      temperature: o.temperature,
      cacheTargets: true,
    });
    const before = testErrors(omitted, test);
    raiseClassBias(outputLayer(omitted), o.omit, o.biasShift);
    const after = testErrors(omitted, test);
    say(
      `distill: without ${o.omit}s ${before.errors} errors (${before.errorsByClass[o.omit]} on ${o.omit}s); bias +${o.biasShift}: ${after.errors} (${after.errorsByClass[o.omit]})`,
    );

    const ensembleX = slice(test.x, [0], [o.ensembleExamples]);
    let ensemble: ReturnType<typeof dropoutEnsembleErrors>;
    try {
      ensemble = dropoutEnsembleErrors(teacher, ensembleX, test.labelArray.subarray(0, o.ensembleExamples), {
        ks: o.ks,
      });
    } finally {
      ensembleX.dispose();
    }
    say('distill: dropout ensemble done');

    const factorisation = await factorise(student);

    const line: DistillLine = {
      ...common,
      omitted_errors: before.errors,
      omitted_bias_errors: after.errors,
      omitted_class_acc: 1 - after.errorsByClass[o.omit]! / classCount,
      omitted_class_errors: before.errorsByClass[o.omit]!,
      omitted_bias_class_errors: after.errorsByClass[o.omit]!,
      dropout_ensemble: ensemble.map((r) => ({ k: r.k, errors: r.errors, examples: o.ensembleExamples })),
      factorisation,
      seconds: (performance.now() - started) / 1000,
    };
    say(distillTables(line));
    return line;
  } finally {
    for (const m of models) m.dispose();
    for (const d of owned) dispose([d.x, d.labels]);
  }
}

/** The most Kronecker terms every layer of the student allows (0 when a size has no factor pair). */
function maxKroneckerTerms(width: number): number {
  try {
    const layers: [number, number][] = [
      [784, width],
      [width, width],
      [width, 10],
    ];
    return Math.min(
      ...layers.map(([i, out]) => {
        const { m1, n1, m2, n2 } = kroneckerShapeFor(i, out);
        return Math.min(m1 * n1, m2 * n2);
      }),
    );
  } catch {
    return 0;
  }
}
