// Node's built-in modules without an import statement (which a browser bundle would trip on):
// process.getBuiltinModule, Node 20.16+. Undefined elsewhere (browsers, older Node).

export function nodeBuiltin<T>(id: string): T | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return proc?.getBuiltinModule?.(id) as T | undefined;
}
