import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PageServer, servePage } from './chromium-serve.js';

describe("the Chromium page's server", () => {
  let dir: string;
  let isolated: PageServer;
  let plain: PageServer;
  beforeAll(async () => {
    const root = mkdtempSync(join(tmpdir(), 'lab-serve-test-'));
    dir = join(root, 'page');
    mkdirSync(join(dir, 'wasm'), { recursive: true });
    writeFileSync(join(dir, 'index.html'), '<!doctype html>');
    writeFileSync(join(dir, 'wasm', 'x.wasm'), new Uint8Array([0, 97, 115, 109]));
    // beside the served directory: must not be reachable through ../
    writeFileSync(join(root, 'secret.txt'), 'no');
    isolated = await servePage(dir);
    plain = await servePage(dir, { isolated: false });
  });
  afterAll(async () => {
    await isolated?.close();
    await plain?.close();
    rmSync(join(dir, '..'), { recursive: true, force: true });
  });

  it('sends COOP and COEP (cross-origin isolation) with every file, and the right types', async () => {
    const page = await fetch(isolated.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(page.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toBe('<!doctype html>');
    const wasm = await fetch(`${isolated.url}wasm/x.wasm`);
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
    expect(wasm.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    const notIsolated = await fetch(plain.url);
    expect(notIsolated.status).toBe(200);
    expect(notIsolated.headers.get('cross-origin-opener-policy')).toBeNull();
  });

  it('answers 404 outside the directory and for missing files, 400 for a malformed path', async () => {
    for (const path of ['missing.js', '..%2Fsecret.txt', '%2e%2e/secret.txt', 'wasm'])
      expect((await fetch(`${isolated.url}${path}`)).status, path).toBe(404);
    expect((await fetch(`${isolated.url}%E0%A4%A`)).status).toBe(400);
  });
});
