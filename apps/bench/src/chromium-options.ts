// `--runtime LIST`: where our side of a speed workload runs: this Node process (`node`, the default)
// and/or headless Chromium (chromium.ts) on a cross-origin isolated page (`chromium`: tfjs's threaded
// build) or on a plain one (`chromium-not-isolated`: one thread, with @lab's own kernels, what most
// static hosts give the demo).
import { existsSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';

export const RUNTIMES = ['node', 'chromium', 'chromium-not-isolated'] as const;
export type Runtime = (typeof RUNTIMES)[number];

export const inChromium = (r: Runtime): boolean => r !== 'node';

/** The speed workloads that run in Chromium (W1 and W3: the sizes the demo trains). */
export const CHROMIUM_WORKLOADS: readonly string[] = ['dcgan', 'lenet300'];

/** Where `--runtime chromium` looks for the browser (Debian's package). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** A parser of a comma-separated runtime list (duplicates dropped, order kept). */
export function runtimeListOption(name: string) {
  return (text: string): Runtime[] => {
    const parts = text.split(',').map((p) => p.trim());
    for (const p of parts)
      if (!(RUNTIMES as readonly string[]).includes(p))
        throw new InvalidArgumentError(`${name} takes a list of ${RUNTIMES.join(', ')}, got '${text}'`);
    return [...new Set(parts as Runtime[])];
  };
}

/** The error when the browser is missing: names the path and the package that installs it. */
export function checkChromium(executablePath = CHROMIUM_PATH): void {
  if (!existsSync(executablePath))
    throw new Error(
      `--runtime chromium needs Chromium at ${executablePath}, which does not exist (apt-get install chromium)`,
    );
}

/**
 * Before anything runs: refuses a runtime list that asks Chromium for a workload it does not run
 * there, Chromium's option without Chromium, and Chromium where the browser is missing.
 */
export function checkRuntimes(
  workloads: string[],
  runtimes: Runtime[],
  { chromiumCores, executablePath = CHROMIUM_PATH }: { chromiumCores?: number; executablePath?: string } = {},
): void {
  if (!runtimes.some(inChromium)) {
    if (chromiumCores !== undefined)
      throw new InvalidArgumentError('--chromium-cores applies to --runtime chromium only');
    return;
  }
  const other = workloads.filter((w) => !CHROMIUM_WORKLOADS.includes(w));
  if (other.length)
    throw new InvalidArgumentError(
      `--runtime chromium runs ${CHROMIUM_WORKLOADS.join(' and ')} only, not ${other.join(', ')}`,
    );
  checkChromium(executablePath);
}
