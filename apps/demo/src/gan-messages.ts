// The messages between the GAN page and its training worker.
import type { BackendReport } from '@lab/core';
import type { GanSettings } from './gan-config.js';
import type { SampledGenerator, StepMetrics } from './gan-session.js';

export interface StartRequest {
  type: 'start';
  settings: GanSettings;
  batchSize: number;
  seed: number;
  /** Pause by itself after this many steps (the browser test's few steps); absent: run until paused. */
  pauseAt?: number;
}

export type ToWorker =
  | { type: 'init'; wasmPaths: string; threads: number | 'auto'; data: string; count: number }
  | StartRequest
  | { type: 'pause' }
  | { type: 'resume'; pauseAt?: number }
  | { type: 'checkpoint' }
  | { type: 'load'; bytes: Uint8Array; name: string; batchSize: number; seed: number }
  | { type: 'stop' };

export type FromWorker =
  | { type: 'ready'; report: BackendReport; images: number; numTensors: number }
  | {
      type: 'progress';
      step: number;
      metrics: StepMetrics[];
      stepsPerSecond: number;
      numTensors: number;
    }
  | {
      type: 'samples';
      step: number;
      pixels: Float32Array;
      count: number;
      /** The generator drawn: the EMA one ('Gema') when the recipe keeps one. */
      generator: SampledGenerator;
    }
  | { type: 'started'; settings: GanSettings; step: number; numTensors: number; loadedFrom?: string }
  | { type: 'paused'; step: number; numTensors: number }
  | { type: 'checkpoint'; bytes: Uint8Array; step: number; settings: GanSettings }
  | { type: 'stopped'; numTensors: number }
  | { type: 'error'; during: string; message: string };
