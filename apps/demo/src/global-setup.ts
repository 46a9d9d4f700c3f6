// Builds dist/ once before the browser test, outside any hook timeout: on a loaded 2-core machine the
// bundle and copies take far longer than a 10 s hook allows.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`scripts/build.mjs failed (exit ${r.status}):\n${r.stderr}${r.stdout}`);
  process.stdout.write(r.stdout);
}
