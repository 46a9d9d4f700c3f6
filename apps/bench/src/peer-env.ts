// The PyTorch peer's environment for a run on `threads` threads: torch.set_num_threads does not bind
// Debian's OpenBLAS (a generic libblas), whose own pool would otherwise use every core.
export function peerEnv(threads: number): NodeJS.ProcessEnv {
  const n = String(threads);
  return { ...process.env, OMP_NUM_THREADS: n, OPENBLAS_NUM_THREADS: n, MKL_NUM_THREADS: n };
}
