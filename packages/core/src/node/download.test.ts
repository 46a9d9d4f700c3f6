import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DownloadError, downloadFile } from './download.js';

const body = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 31) % 251));
const sha = createHash('sha256').update(body).digest('hex');
const dir = mkdtempSync(join(tmpdir(), 'lab-download-'));
let server: Server;
let base = '';
let cutNext = false; // the next full response dies half-way, as a dropped connection would
const ranges: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const range = req.headers.range;
    ranges.push(range ?? 'none');
    if (req.url !== '/data.bin') {
      res.writeHead(404).end();
      return;
    }
    let start = 0;
    if (range) {
      start = Number(/bytes=(\d+)-/.exec(range)?.[1] ?? 0);
      if (start >= body.length) {
        res.writeHead(416).end();
        return;
      }
      res.writeHead(206, {
        'content-length': body.length - start,
        'content-range': `bytes ${start}-${body.length - 1}/${body.length}`,
      });
    } else {
      res.writeHead(200, { 'content-length': body.length });
    }
    if (cutNext) {
      cutNext = false;
      res.write(body.subarray(start, start + 50_000), () => setTimeout(() => res.socket?.destroy(), 50));
      return;
    }
    res.end(body.subarray(start));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('downloadFile (against a local server)', () => {
  it('downloads, verifies and keeps a verified file without fetching again', async () => {
    const dest = join(dir, 'a.bin');
    await downloadFile(`${base}/data.bin`, dest, { sha256: sha });
    expect(readFileSync(dest).equals(body)).toBe(true);
    const n = ranges.length;
    await downloadFile(`${base}/data.bin`, dest, { sha256: sha });
    expect(ranges.length).toBe(n);
  });
  it('resumes an interrupted download with a Range request', async () => {
    const dest = join(dir, 'b.bin');
    cutNext = true;
    await expect(downloadFile(`${base}/data.bin`, dest, { sha256: sha })).rejects.toThrow();
    expect(existsSync(dest)).toBe(false); // never a partial file under the real name
    const partial = statSync(`${dest}.part`).size;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(body.length);
    await downloadFile(`${base}/data.bin`, dest, { sha256: sha });
    expect(ranges[ranges.length - 1]).toBe(`bytes=${partial}-`);
    expect(readFileSync(dest).equals(body)).toBe(true);
  });
  it('discards a download whose checksum does not match', async () => {
    const dest = join(dir, 'c.bin');
    await expect(downloadFile(`${base}/data.bin`, dest, { sha256: '0'.repeat(64) })).rejects.toThrow(
      /does not match/,
    );
    expect(existsSync(dest) || existsSync(`${dest}.part`)).toBe(false);
  });
  it('reports HTTP errors', async () => {
    await expect(downloadFile(`${base}/missing`, join(dir, 'd.bin'))).rejects.toThrow(DownloadError);
  });
});
