// The page's URL options (?auto, ?steps=N, ?threads=N), read with a clear error for a bad value.

/** The integer option `name` in [min, max], undefined when absent; throws a RangeError naming it. */
export function intOption(
  query: URLSearchParams,
  name: string,
  { min, max }: { min: number; max: number },
): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n) || n < min || n > max)
    throw new RangeError(`?${name}=${raw}: expected a whole number from ${min} to ${max}`);
  return n;
}
