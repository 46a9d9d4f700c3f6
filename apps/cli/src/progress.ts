// Progress bars on a terminal (cli-progress), one line per finished bar elsewhere (CI logs).
import cliProgress from 'cli-progress';

export interface Progress {
  tick(values?: Record<string, string>): void;
  done(message: string): void;
}

export function progress(label: string, total: number, quiet = false): Progress {
  if (quiet) return { tick() {}, done() {} };
  if (!process.stderr.isTTY) {
    return {
      tick() {},
      done: (message) => process.stderr.write(`${label}: ${message}\n`),
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {value}/{total} | loss {loss} | {duration_formatted} elapsed, eta {eta_formatted}`,
      stream: process.stderr,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { loss: '-' });
  return {
    tick: (values) => bar.increment(1, values),
    done: (message) => {
      bar.stop();
      process.stderr.write(`${label}: ${message}\n`);
    },
  };
}
