// The W6 peer (../shared/peers/torch_finetune_peer.py) run beside us: started first (it trains on the
// other core while we do), its lines read as they come, so each of our lines can carry the peer's
// figures for the same k as soon as both exist.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type PeerLine, parsePeerLines } from './finetune-report.js';
import { peerEnv } from './peer-env.js';

export interface FinetunePeer {
  /** The peer's line for k, or undefined if it failed or does not run k. */
  lineFor(k: number): Promise<PeerLine | undefined>;
  /** Stops the peer if it still runs. */
  stop(): void;
}

const PYTHON = '/usr/bin/python3';

/** Starts the peer for the integer ks in `sharedDir`/peers; null when python or the script is missing. */
export function startFinetunePeer(
  sharedDir: string,
  ks: readonly number[],
  log: (s: string) => void,
): FinetunePeer | null {
  const script = join(sharedDir, 'peers', 'torch_finetune_peer.py');
  if (ks.length === 0 || !existsSync(PYTHON) || !existsSync(script)) return null;
  const child = spawn(PYTHON, [script, ks.join(',')], { stdio: ['ignore', 'pipe', 'pipe'], env: peerEnv(1) });
  const lines = new Map<number, PeerLine>();
  let pending = '';
  let err = '';
  let failed = false;
  const done = new Promise<void>((resolve) => {
    child.stdout.on('data', (d) => {
      pending += d;
      const cut = pending.lastIndexOf('\n');
      if (cut < 0) return;
      try {
        for (const line of parsePeerLines(pending.slice(0, cut))) lines.set(line.labels_per_class, line);
      } catch (e) {
        failed = true;
        log(`finetune peer: ${e instanceof Error ? e.message : String(e)}\n`);
      }
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
        if (lines.has(k) || failed) return lines.get(k);
        const finished = await Promise.race([done.then(() => true), delay(500).then(() => false)]);
        if (finished) return lines.get(k);
      }
    },
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    },
  };
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));
