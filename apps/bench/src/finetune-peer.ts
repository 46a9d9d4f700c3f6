// The W6 peer (../shared/peers/torch_finetune_peer.py) run beside us: started first (it trains on the
// other core while we do), its lines read as they come, so each of our lines can carry the peer's
// figures for the same k as soon as both exist.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FINETUNE_PEER, type PeerLine, parsePeerLines } from './finetune-report.js';
import { peerEnv } from './peer-env.js';
import { PeerOutputError } from './peer-output.js';

export interface FinetunePeer {
  /**
   * The peer's line for k, or undefined if it failed or does not run k; rejects with the
   * PeerOutputError when the peer printed something that is not a line of results.
   */
  lineFor(k: number): Promise<PeerLine | undefined>;
  /** Stops the peer if it still runs. */
  stop(): void;
}

const PYTHON = '/usr/bin/python3';

/** Longest stretch of peer output without a line break that is kept waiting for the rest of its line. */
export const MAX_PEER_LINE = 1 << 20;

/**
 * Starts the peer for the integer ks in `sharedDir`/peers; null when python or the script is missing.
 * `python` is the interpreter (the tests run a stand-in script with it).
 */
export function startFinetunePeer(
  sharedDir: string,
  ks: readonly number[],
  log: (s: string) => void,
  python = PYTHON,
): FinetunePeer | null {
  const script = join(sharedDir, 'peers', FINETUNE_PEER);
  if (ks.length === 0 || !existsSync(python) || !existsSync(script)) return null;
  const child = spawn(python, [script, ks.join(',')], { stdio: ['ignore', 'pipe', 'pipe'], env: peerEnv(1) });
  const lines = new Map<number, PeerLine>();
  let pending = '';
  /** Lines of output parsed so far (the errors count lines from the peer's first). */
  let linesRead = 0;
  let err = '';
  let broken: Error | undefined;
  const fail = (e: unknown) => {
    broken = e instanceof Error ? e : new Error(String(e));
    log(`finetune peer: ${broken.message}\n`);
    child.kill('SIGTERM');
  };
  const done = new Promise<void>((resolve) => {
    child.stdout.on('data', (d) => {
      if (broken) return;
      pending += d;
      const cut = pending.lastIndexOf('\n');
      if (cut < 0) {
        if (pending.length > MAX_PEER_LINE)
          fail(
            new PeerOutputError(FINETUNE_PEER, undefined, `a line longer than ${MAX_PEER_LINE} characters`),
          );
        return;
      }
      const complete = pending.slice(0, cut);
      try {
        for (const line of parsePeerLines(complete, linesRead + 1)) lines.set(line.labels_per_class, line);
      } catch (e) {
        fail(e);
      }
      linesRead += complete.split('\n').length;
      pending = pending.slice(cut + 1);
    });
    child.stderr.on('data', (d) => {
      err = (err + d).slice(-4000);
    });
    child.on('error', (e) => {
      log(`finetune peer did not start: ${e.message}\n`);
      resolve();
    });
    child.on('close', (code, signal) => {
      if (code !== 0 && signal !== 'SIGTERM')
        log(`finetune peer failed (exit ${code}): ${err.slice(-1500)}\n`);
      resolve();
    });
  });
  return {
    async lineFor(k) {
      for (;;) {
        if (broken) throw broken;
        if (lines.has(k)) return lines.get(k);
        const finished = await Promise.race([done.then(() => true), delay(500).then(() => false)]);
        if (broken) throw broken;
        if (finished) return lines.get(k);
      }
    },
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    },
  };
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));
