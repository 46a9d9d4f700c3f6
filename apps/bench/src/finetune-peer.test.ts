// The W6 peer as a child process, with stand-in scripts (no torch): its lines are read as they come,
// anything that is not a line of results rejects with an error naming the script, and stop() ends it.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_PEER_LINE, startFinetunePeer } from './finetune-peer.js';
import { PeerOutputError } from './peer-output.js';

const PYTHON = '/usr/bin/python3';
const root = mkdtempSync(join(tmpdir(), 'bench-finetune-peer-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A shared directory whose peers/torch_finetune_peer.py is `source`. */
function sharedWith(source: string): string {
  const dir = mkdtempSync(join(root, 'shared-'));
  mkdirSync(join(dir, 'peers'));
  writeFileSync(join(dir, 'peers', 'torch_finetune_peer.py'), source);
  return dir;
}

const line = (k: number) =>
  JSON.stringify({
    labels_per_class: k,
    scratch_acc: 0.5,
    probe_acc: 0.6,
    finetune_acc: 0.7,
    sd: { scratch: 0.01 },
    taskA_acc: 0.9,
    seconds: 1,
  });

describe.skipIf(!existsSync(PYTHON))('startFinetunePeer', () => {
  it('is null without ks or without the script', () => {
    const logs: string[] = [];
    expect(startFinetunePeer(root, [1], (m) => logs.push(m))).toBeNull();
    expect(startFinetunePeer(sharedWith('pass'), [], (m) => logs.push(m))).toBeNull();
    expect(startFinetunePeer(sharedWith('pass'), [1], (m) => logs.push(m), '/no/python')).toBeNull();
    expect(logs).toEqual([]);
  });

  it("gives each k's line as it comes, and undefined for a k the peer never printed", async () => {
    // the stand-in prints the line of k for every k but 5 (built in Python from the JSON text)
    const script = `import json, sys\nbase = json.loads(${JSON.stringify(line(0))})\nfor k in sys.argv[1].split(','):\n    if k != '5':\n        base['labels_per_class'] = int(k)\n        print(json.dumps(base), flush=True)\n`;
    const logs: string[] = [];
    const peer = startFinetunePeer(sharedWith(script), [1, 5, 10], (m) => logs.push(m))!;
    expect((await peer.lineFor(10))?.labels_per_class).toBe(10);
    expect((await peer.lineFor(1))?.probe_acc).toBe(0.6);
    expect(await peer.lineFor(5)).toBeUndefined();
    peer.stop();
    expect(logs).toEqual([]);
  });

  it('rejects with the error naming the script and line when the peer prints something else', async () => {
    // line 1 and line 2 come in separate pieces of output: the error still counts from the first line
    const script = `import time\nprint(${JSON.stringify(line(1))}, flush=True)\ntime.sleep(0.3)\nprint('{"labels_per_class": 2}', flush=True)\ntime.sleep(30)\n`;
    const logs: string[] = [];
    const peer = startFinetunePeer(sharedWith(script), [1, 2], (m) => logs.push(m))!;
    const error = await peer.lineFor(2).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PeerOutputError);
    expect((error as Error).message).toBe(
      'torch_finetune_peer.py: line 2: scratch_acc: expected a finite number in [0, 1], got nothing',
    );
    expect(logs.join('')).toContain('torch_finetune_peer.py: line 2');
    // the peer was stopped at the bad line (it would sleep 30 s): later asks reject at once
    await expect(peer.lineFor(1)).rejects.toBe(error);
  });

  it('refuses a line longer than the limit instead of buffering it', async () => {
    const script = `import sys, time\nsys.stdout.write('x' * ${MAX_PEER_LINE + 10})\nsys.stdout.flush()\ntime.sleep(30)\n`;
    const peer = startFinetunePeer(sharedWith(script), [1], () => {})!;
    await expect(peer.lineFor(1)).rejects.toThrow(
      `torch_finetune_peer.py: a line longer than ${MAX_PEER_LINE} characters`,
    );
  });

  it('stops a peer that still runs; its lines so far stay readable', async () => {
    const script = `print(${JSON.stringify(line(3))}, flush=True)\nimport time\ntime.sleep(30)\n`;
    const logs: string[] = [];
    const peer = startFinetunePeer(sharedWith(script), [3, 4], (m) => logs.push(m))!;
    expect((await peer.lineFor(3))?.labels_per_class).toBe(3);
    peer.stop();
    expect(await peer.lineFor(4)).toBeUndefined();
    expect(logs).toEqual([]); // a peer stopped by us has not failed
  });
});
