// checkTeacher's refusals naming the teacher and what differs, and teacherProbabilities as the
// average of each teacher's softmax, with teachers whose scores are their output bias alone.
import { initBackend, Rng } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomFeatures } from '../fast-path/test-helpers.js';
import { Parser, type Vocabularies } from '../model/parser.js';
import { parseConllu } from '../text/conllu.js';
import type { SystemName } from '../transitions/transitions.js';
import { checkTeacher, teacherProbabilities } from './distillation.js';
import type { Examples } from './examples.js';
import { trainingTrees } from './examples.js';
import { buildVocabularies } from './train.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', fallback: false });
});

const SENTENCE = [
  '1\tThe\tthe\tDET\tDT\t_\t2\tdet\t_\t_',
  '2\tcat\tcat\tNOUN\tNN\tNumber=Sing\t3\tnsubj\t_\t_',
  '3\tsleeps\tsleep\tVERB\tVBZ\t_\t0\troot\t_\t_',
].join('\n');
const OTHER = '1\tHi\thi\tINTJ\tUH\t_\t0\troot\t_\t_';

const net = {
  hidden: [8],
  wordDim: 4,
  tagDim: 2,
  labelDim: 2,
  extraDim: 2,
  activation: 'cube' as const,
  dropout: 0,
};
const vocabOf = (text: string, morphology: 'xpos' | 'xpos+feats' = 'xpos'): Vocabularies =>
  buildVocabularies(trainingTrees(parseConllu(`${text}\n\n`), true), 1, morphology);

function parser(
  o: {
    system?: SystemName;
    pseudoProjective?: boolean;
    morphology?: 'xpos' | 'xpos+feats';
    text?: string;
  } = {},
  seed = 1,
): Parser {
  const morphology = o.morphology ?? 'xpos';
  return Parser.create(
    {
      system: o.system ?? 'arc-hybrid',
      pseudoProjective: o.pseudoProjective ?? true,
      ...(o.morphology ? { morphology } : {}),
      net,
    },
    vocabOf(o.text ?? SENTENCE, morphology),
    new Rng(seed),
  );
}

describe('checkTeacher', () => {
  it('accepts a teacher with the same system, morphology and vocabularies (other weights)', () => {
    const [teacher, student] = [parser({}, 1), parser({}, 2)];
    expect(() => checkTeacher(teacher, student, 0)).not.toThrow();
    // an explicit 'xpos' is the default
    const explicit = parser({ morphology: 'xpos' });
    expect(() => checkTeacher(explicit, student, 0)).not.toThrow();
    for (const p of [teacher, student, explicit]) p.dispose();
  });

  it('names the teacher and what differs', () => {
    const student = parser();
    const cases: [Parser, RegExp][] = [
      [
        parser({ system: 'arc-standard' }),
        /^teacher 3: system "arc-standard" differs from the student's "arc-hybrid"$/,
      ],
      [
        parser({ pseudoProjective: false }),
        /^teacher 3: pseudoProjective false differs from the student's true$/,
      ],
      [
        parser({ morphology: 'xpos+feats' }),
        /^teacher 3: morphology "xpos\+feats" differs from the student's "xpos"$/,
      ],
      [
        parser({ text: `${SENTENCE}\n\n${OTHER}` }),
        /^teacher 3: its words vocabulary \(\d+\) differs from the student's \(\d+\); train teachers and student on the same data/,
      ],
    ];
    for (const [teacher, message] of cases) {
      expect(() => checkTeacher(teacher, student, 3)).toThrow(message);
      teacher.dispose();
    }
    student.dispose();
  });
});

/** A teacher whose scores are `bias` whatever the features: zero output weights. */
function biasTeacher(bias: number[]): Parser {
  const p = parser({}, bias.length);
  const { weight, bias: b } = p.net.output;
  tf.tidy(() => {
    weight.assign(tf.zerosLike(weight));
    b!.assign(tf.tensor1d(bias));
  });
  return p;
}

const softmax = (x: number[]) => {
  const m = Math.max(...x);
  const e = x.map((v) => Math.exp(v - m));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
};

/** `count` rows of random features over a parser's vocabularies. */
function randomExamples(p: Parser, count: number): Examples {
  const f = randomFeatures(p.net.config, count, 7);
  return { features: f, targets: new Int32Array(count), sentences: new Int32Array(count), count };
}

describe('teacherProbabilities', () => {
  it("averages the teachers' softmax over transitions for every example, across 4,096-row chunks", () => {
    const probe = parser();
    const T = probe.transitions.size;
    probe.dispose();
    const b1 = Array.from({ length: T }, (_, k) => (k === 1 ? 3 : 0));
    const b2 = Array.from({ length: T }, (_, k) => k / 2);
    const teachers = [biasTeacher(b1), biasTeacher(b2)];
    const ex = randomExamples(teachers[0]!, 4100);
    const before = tf.memory().numTensors;
    const probs = teacherProbabilities(teachers, ex);
    expect(tf.memory().numTensors).toBe(before);
    expect(probs).toHaveLength(4100 * T);
    const [p1, p2] = [softmax(b1), softmax(b2)];
    for (const r of [0, 4095, 4096, 4099])
      for (let k = 0; k < T; k++) expect(probs[r * T + k]).toBeCloseTo((p1[k]! + p2[k]!) / 2, 5);
    for (const t of teachers) t.dispose();
  });

  it('gives one teacher its own distribution, summing to 1 per example, for real network scores', () => {
    const teacher = parser({}, 9);
    const T = teacher.transitions.size;
    const ex = randomExamples(teacher, 5);
    const probs = teacherProbabilities([teacher], ex);
    for (let r = 0; r < 5; r++) {
      const row = Array.from(probs.subarray(r * T, (r + 1) * T));
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(row.every((p) => p > 0)).toBe(true);
    }
    // no examples: nothing to score
    expect(teacherProbabilities([teacher], { ...ex, count: 0 })).toHaveLength(0);
    teacher.dispose();
  });
});
