import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { checkChromium, checkRuntimes, runtimeListOption } from './chromium-options.js';

describe('--runtime and its checks', () => {
  it('reads a runtime list, keeping its order and dropping repeats', () => {
    const runtime = runtimeListOption('--runtime');
    expect(runtime('node')).toEqual(['node']);
    expect(runtime('chromium,node,chromium')).toEqual(['chromium', 'node']);
    expect(runtime('chromium-not-isolated')).toEqual(['chromium-not-isolated']);
    for (const bad of ['', 'firefox', 'node,', 'node,chrome', 'Node'])
      expect(() => runtime(bad)).toThrow(
        /--runtime takes a list of node, chromium, chromium-not-isolated, got/,
      );
  });

  it('runs dcgan and lenet300 in Chromium, refuses the rest and --chromium-cores without it', () => {
    // an executable that exists everywhere stands in for the browser
    const present = { executablePath: process.execPath };
    expect(() => checkRuntimes(['dcgan', 'lenet300'], ['node', 'chromium'], present)).not.toThrow();
    expect(() => checkRuntimes(['gan-quality', 'wgangp'], ['node'])).not.toThrow();
    expect(() => checkRuntimes(['lenet300', 'wgangp', 'precision'], ['chromium'], present)).toThrow(
      /--runtime chromium runs dcgan and lenet300 only, not wgangp, precision/,
    );
    expect(() => checkRuntimes(['lenet300'], ['node'], { chromiumCores: 4 })).toThrow(InvalidArgumentError);
    expect(() => checkRuntimes(['lenet300'], ['node'], { chromiumCores: 4 })).toThrow(
      /--chromium-cores applies to --runtime chromium/,
    );
    const here = { chromiumCores: 4, executablePath: process.execPath };
    expect(() => checkRuntimes(['lenet300'], ['chromium'], here)).not.toThrow();
  });

  it('names the missing browser and the package that installs it, before anything runs', () => {
    const message =
      '--runtime chromium needs Chromium at /nonexistent/chromium, which does not exist (apt-get install chromium)';
    expect(() => checkChromium('/nonexistent/chromium')).toThrow(message);
    const missing = { executablePath: '/nonexistent/chromium' };
    expect(() => checkRuntimes(['dcgan'], ['node', 'chromium'], missing)).toThrow(message);
    expect(() => checkRuntimes(['dcgan'], ['chromium-not-isolated'], missing)).toThrow(message);
    expect(() => checkRuntimes(['dcgan'], ['node'], missing)).not.toThrow();
  });
});
