// The hash route to page id (startRouter's DOM wiring is exercised in Chromium by demo.test.ts: the
// ring page shown and the parse page hidden).
import { describe, expect, it } from 'vitest';
import { pageFromHash } from './router.js';

describe('pageFromHash', () => {
  const ids = ['ring', 'divergences', 'parse'];

  it('names the page of a known hash, with or without its #', () => {
    expect(pageFromHash('#parse', ids)).toBe('parse');
    expect(pageFromHash('divergences', ids)).toBe('divergences');
  });

  it('falls back to the first page for an empty, unknown or odd hash', () => {
    for (const hash of ['', '#', '#nope', '#Parse', '##parse', '#parse/x', '#constructor', '#__proto__'])
      expect(pageFromHash(hash, ids), hash).toBe('ring');
  });
});
