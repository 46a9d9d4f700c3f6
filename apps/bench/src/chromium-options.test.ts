import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { checkChromium } from './chromium.js';
import { checkRuntimes, runtimeListOption } from './chromium-options.js';

describe('--runtime and its checks', () => {
  it('reads a runtime list, keeping its order and dropping repeats', () => {
    const runtime = runtimeListOption('--runtime');
    expect(runtime('node')).toEqual(['node']);
    expect(runtime('chromium,node,chromium')).toEqual(['chromium', 'node']);
    for (const bad of ['', 'firefox', 'node,', 'node,chrome', 'Node'])
      expect(() => runtime(bad)).toThrow(/--runtime takes a list of node, chromium, got/);
  });

  it('runs dcgan and lenet300 in Chromium, refuses the rest and --chromium-cores without it', () => {
    expect(() => checkRuntimes(['dcgan', 'lenet300'], ['node', 'chromium'])).not.toThrow();
    expect(() => checkRuntimes(['gan-quality', 'wgangp'], ['node'])).not.toThrow();
    expect(() => checkRuntimes(['lenet300', 'wgangp', 'precision'], ['chromium'])).toThrow(
      /--runtime chromium runs dcgan and lenet300 only, not wgangp, precision/,
    );
    expect(() => checkRuntimes(['lenet300'], ['node'], 4)).toThrow(InvalidArgumentError);
    expect(() => checkRuntimes(['lenet300'], ['node'], 4)).toThrow(
      /--chromium-cores applies to --runtime chromium/,
    );
    expect(() => checkRuntimes(['lenet300'], ['chromium'], 4)).not.toThrow();
  });

  it('names the missing browser and the package that installs it', () => {
    expect(() => checkChromium('/nonexistent/chromium')).toThrow(
      '--runtime chromium needs Chromium at /nonexistent/chromium, which does not exist (apt-get install chromium)',
    );
  });
});
