// `changeset version` on a scratch copy of the workspace bumps a changed package and the packages
// that depend on it, independently, with ranges that still resolve.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const scratch = mkdtempSync(join(tmpdir(), 'lab-changesets-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function manifest(dir: string, pkg: string) {
  return JSON.parse(readFileSync(join(dir, 'packages', pkg, 'package.json'), 'utf8'));
}

describe('changesets', () => {
  it('bumps the changed package and its dependents with valid ranges and changelogs', () => {
    for (const f of ['package.json', 'pnpm-workspace.yaml', '.changeset'])
      cpSync(join(root, f), join(scratch, f), { recursive: true });
    for (const pkg of readdirSync(join(root, 'packages'))) {
      cpSync(join(root, 'packages', pkg, 'package.json'), join(scratch, 'packages', pkg, 'package.json'));
    }
    // pending changesets of the real repository are not part of this scenario
    for (const f of readdirSync(join(scratch, '.changeset'))) {
      if (f.endsWith('.md') && f !== 'README.md') rmSync(join(scratch, '.changeset', f));
    }
    const before = Object.fromEntries(
      readdirSync(join(scratch, 'packages')).map((p) => [p, manifest(scratch, p).version]),
    );
    writeFileSync(
      join(scratch, '.changeset', 'test-divergences.md'),
      "---\n'@lab/divergences': minor\n---\n\nAdd a divergence.\n",
    );
    const bin = join(root, 'node_modules', '.bin', 'changeset');
    execFileSync(bin, ['version'], { cwd: scratch, stdio: 'pipe' });

    const bump = (v: string, kind: 'minor' | 'patch') => {
      const [maj, min, pat] = v.split('.').map(Number) as [number, number, number];
      return kind === 'minor' ? `${maj}.${min + 1}.0` : `${maj}.${min}.${pat + 1}`;
    };
    expect(manifest(scratch, 'divergences').version).toBe(bump(before.divergences, 'minor'));
    // gan depends on divergences, and ^0.1.x does not admit 0.2.0: gan gets a patch release
    expect(manifest(scratch, 'gan').version).toBe(bump(before.gan, 'patch'));
    // wgan depends on gan, whose patch release stays inside wgan's published ^ range: no release needed
    expect(manifest(scratch, 'wgan').version).toBe(before.wgan);
    // untouched packages keep their versions (independent versioning)
    expect(manifest(scratch, 'core').version).toBe(before.core);
    expect(manifest(scratch, 'depparse').version).toBe(before.depparse);
    // internal ranges stay workspace ranges, which pnpm publishes as ^version
    expect(manifest(scratch, 'gan').dependencies['@lab/divergences']).toMatch(/^workspace:\^/);
    expect(manifest(scratch, 'wgan').dependencies['@lab/gan']).toMatch(/^workspace:\^/);
    const log = readFileSync(join(scratch, 'packages', 'divergences', 'CHANGELOG.md'), 'utf8');
    expect(log).toContain(`## ${bump(before.divergences, 'minor')}`);
    expect(log).toContain('Add a divergence.');
    expect(existsSync(join(scratch, '.changeset', 'test-divergences.md'))).toBe(false);
  });
});
