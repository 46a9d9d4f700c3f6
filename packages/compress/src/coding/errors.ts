// The one error a reader of compressed files throws: what is wrong, in which section, at which byte.

const MARK = Symbol.for('@lab/compress.file-error');

export type CompressedFileErrorCode =
  | 'truncated'
  | 'bad-magic'
  | 'unsupported-version'
  | 'bad-preamble'
  | 'bad-header'
  | 'checksum'
  | 'bad-section'
  | 'trailing-bytes';

export class CompressedFileError extends Error {
  readonly [MARK] = true;
  constructor(
    readonly code: CompressedFileErrorCode,
    /** The part of the file: 'preamble', 'header', or 'tensor <name> <section>'. */
    readonly section: string,
    /** Byte offset in the file where the problem is. */
    readonly offset: number,
    detail: string,
  ) {
    super(`compressed file: ${code} in ${section} at byte ${offset}: ${detail}`);
    this.name = 'CompressedFileError';
  }
  /** True also for errors thrown by another copy of this package. */
  static isInstance(e: unknown): e is CompressedFileError {
    return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[MARK] === true;
  }
}
