import { describe, expect, it } from 'vitest';
import { peerEnv } from './peer-env.js';

describe('peerEnv', () => {
  it('pins every BLAS/OpenMP pool to the thread count and keeps the rest of the environment', () => {
    const env = peerEnv(3);
    expect([env.OMP_NUM_THREADS, env.OPENBLAS_NUM_THREADS, env.MKL_NUM_THREADS]).toEqual(['3', '3', '3']);
    expect(env.PATH).toBe(process.env.PATH);
    expect(Object.keys(env).length).toBe(
      new Set([...Object.keys(process.env), 'OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'])
        .size,
    );
  });

  it("returns a copy: the caller's process.env is untouched", () => {
    const had = process.env.OPENBLAS_NUM_THREADS;
    const env = peerEnv(1);
    expect(env).not.toBe(process.env);
    expect(process.env.OPENBLAS_NUM_THREADS).toBe(had);
  });
});
