// Downloading a data file for a user: resumable (HTTP Range into a .part file), verified by SHA-256,
// and atomic (the target appears only complete and verified). Never used by tests against the internet.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';

export interface DownloadOptions {
  /** Expected SHA-256 (hex) of the complete file; a mismatch deletes the partial file and throws. */
  sha256?: string;
  /** Called with bytes received so far and the total when known. */
  onProgress?: (received: number, total: number | undefined) => void;
  fetch?: typeof fetch;
}

export class DownloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DownloadError';
  }
}

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Downloads `url` to `dest`. An existing complete `dest` with the right checksum is kept as is. */
export async function downloadFile(url: string, dest: string, options: DownloadOptions = {}): Promise<void> {
  const { sha256, onProgress, fetch: fetchImpl = fetch } = options;
  if (existsSync(dest)) {
    if (!sha256 || (await sha256File(dest)) === sha256) return;
    throw new DownloadError(`${dest} exists with a different SHA-256; remove it to download again`);
  }
  const part = `${dest}.part`;
  let have = existsSync(part) ? statSync(part).size : 0;
  const res = await fetchImpl(url, { headers: have ? { Range: `bytes=${have}-` } : {} });
  if (res.status === 416 && have) {
    // the partial file is already complete (or longer than the resource): verify below
  } else if (!res.ok) {
    throw new DownloadError(`GET ${url}: HTTP ${res.status}`);
  }
  const resumed = res.status === 206;
  if (have && !resumed && res.status !== 416) have = 0; // server ignored the range: start over
  const lengthHeader = res.headers.get('content-length');
  const total = lengthHeader ? have + Number(lengthHeader) : undefined;
  if (res.status !== 416 && res.body) {
    const fh = await open(part, have ? 'a' : 'w');
    try {
      let received = have;
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        await fh.write(chunk);
        received += chunk.length;
        onProgress?.(received, total);
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
    if (total !== undefined && statSync(part).size !== total) {
      throw new DownloadError(
        `GET ${url}: connection closed after ${statSync(part).size} of ${total} bytes; run again to resume`,
      );
    }
  }
  if (sha256) {
    const got = await sha256File(part);
    if (got !== sha256) {
      rmSync(part, { force: true });
      throw new DownloadError(
        `GET ${url}: SHA-256 ${got} does not match the expected ${sha256}; the download was discarded`,
      );
    }
  }
  renameSync(part, dest);
}
