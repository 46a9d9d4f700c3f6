// The files of `lab compress`: uncompressed models as core module files (safetensors with a
// 'compress.model' header naming the architecture) and compressed ones in @lab/compress's LDCF format.
// Every reader names the file in its error; every writer goes through a temporary name and a rename.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { buildModel, CompressedFileError, MODEL_NAMES, type ModelName } from '@lab/compress';
import { loadModule, ModelFileError, type Sequential, saveModule } from '@lab/core';
import { writeFileAtomic } from '@lab/core/node';

export const MODEL_KIND = { kind: 'compress.model', version: 1 } as const;

/** A file's bytes, or an error naming it (missing, a directory, unreadable). */
export function readInput(path: string): Uint8Array {
  if (!existsSync(path)) throw new Error(`${path}: no such file`);
  if (!statSync(path).isFile()) throw new Error(`${path}: not a file`);
  return new Uint8Array(readFileSync(path));
}

/** Writes through a temporary name and a rename, so the path never holds half a file. */
export function writeOutput(path: string, bytes: Uint8Array | string): void {
  writeFileAtomic(path, bytes);
}

/** Prefixes an error with the file it came from. */
export function inFile<T>(path: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (CompressedFileError.isInstance(e)) throw new Error(`${path}: ${msg}`);
    throw new Error(msg.startsWith(path) ? msg : `${path}: ${msg}`);
  }
}

export function checkModelName(name: unknown, where: string): ModelName {
  if (typeof name !== 'string' || !(MODEL_NAMES as readonly string[]).includes(name))
    throw new ModelFileError(where, `is ${JSON.stringify(name)}; known models: ${MODEL_NAMES.join(', ')}`);
  return name as ModelName;
}

export function readModel(path: string): { model: Sequential; name: ModelName } {
  const bytes = readInput(path);
  return inFile(path, () => {
    const loaded = loadModule(bytes, {
      ...MODEL_KIND,
      validateConfig: (raw) => {
        const model = checkModelName((raw as { model?: unknown } | null)?.model, 'config.model');
        return { model };
      },
      build: (c) => buildModel(c.model),
    });
    return { model: loaded.module as Sequential, name: loaded.config.model };
  });
}

export function writeModel(
  path: string,
  model: Sequential,
  name: ModelName,
  metadata: Record<string, string> = {},
): void {
  writeOutput(path, saveModule(model, { model: name }, MODEL_KIND, { metadata }));
}
