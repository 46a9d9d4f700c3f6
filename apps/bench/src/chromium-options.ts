// `--runtime LIST`: where our side of a speed workload runs: this Node process (`node`, the default)
// and/or headless Chromium on a cross-origin isolated page (`chromium`, chromium.ts).
import { InvalidArgumentError } from 'commander';

export const RUNTIMES = ['node', 'chromium'] as const;
export type Runtime = (typeof RUNTIMES)[number];

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

/** Refuses a runtime list that asks Chromium for a workload it does not run there, or Chromium's option without it. */
export function checkRuntimes(workloads: string[], runtimes: Runtime[], chromiumCores?: number): void {
  if (!runtimes.includes('chromium')) {
    if (chromiumCores !== undefined)
      throw new InvalidArgumentError('--chromium-cores applies to --runtime chromium only');
    return;
  }
  const other = workloads.filter((w) => !CHROMIUM_WORKLOADS.includes(w));
  if (other.length)
    throw new InvalidArgumentError(
      `--runtime chromium runs ${CHROMIUM_WORKLOADS.join(' and ')} only, not ${other.join(', ')}`,
    );
}
